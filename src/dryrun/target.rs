//! The database a dry run talks to: its URL with the password redacted,
//! whether it is on this machine, and the timeouts as PostgreSQL reads them.

use std::net::IpAddr;
use std::str::FromStr;

use tokio_postgres::config::Host;
use tokio_postgres_rustls::MakeRustlsConnect;

/// The URL (or `key=value` connection string) with every password replaced by `***`.
pub fn redact(url: &str) -> String {
    if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        let (before_query, query) = match rest.find('?') {
            Some(q) => (&rest[..q], Some(&rest[q + 1..])),
            None => (rest, None),
        };
        let mut out = url[..scheme_end + 3].to_string();
        match before_query.rfind('@') {
            Some(at) => {
                let userinfo = &before_query[..at];
                match userinfo.find(':') {
                    Some(colon) => {
                        out.push_str(&userinfo[..colon]);
                        out.push_str(":***");
                    }
                    None => out.push_str(userinfo),
                }
                out.push_str(&before_query[at..]);
            }
            None => out.push_str(before_query),
        }
        if let Some(q) = query {
            out.push('?');
            let params: Vec<String> = q
                .split('&')
                .map(|p| match p.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => p.to_string(),
                })
                .collect();
            out.push_str(&params.join("&"));
        }
        return out;
    }
    redact_key_value(url)
}

/// `host=x password='a b' user=y` → `host=x password=*** user=y`.
fn redact_key_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = find_password_key(rest) {
        let (head, tail) = rest.split_at(pos);
        out.push_str(head);
        let eq = tail.find('=').map_or(tail.len(), |e| e + 1);
        out.push_str(&tail[..eq]);
        out.push_str("***");
        let value = tail[eq..].trim_start();
        let skipped = tail.len() - eq - value.len();
        let end = if let Some(quoted) = value.strip_prefix('\'') {
            // A quoted value: up to the closing quote, `\'` escapes one.
            let mut esc = false;
            let mut close = quoted.len();
            for (i, c) in quoted.char_indices() {
                match c {
                    '\\' if !esc => esc = true,
                    '\'' if !esc => {
                        close = i + 1;
                        break;
                    }
                    _ => esc = false,
                }
            }
            1 + close
        } else {
            value.find(char::is_whitespace).unwrap_or(value.len())
        };
        rest = &tail[eq + skipped + end.min(value.len())..];
    }
    out.push_str(rest);
    out
}

/// Byte offset of a `password` key (followed by optional spaces and `=`).
fn find_password_key(s: &str) -> Option<usize> {
    let lower = s.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("password") {
        let at = from + i;
        let starts_word = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let after = lower[at + "password".len()..].trim_start();
        if starts_word && after.starts_with('=') {
            return Some(at);
        }
        from = at + "password".len();
    }
    None
}

/// Where the dry run connects, and with which TLS.
#[derive(Clone)]
pub struct Target {
    pub config: tokio_postgres::Config,
    pub tls: MakeRustlsConnect,
}

impl Target {
    /// The same server, another database.
    pub fn with_dbname(&self, db: &str) -> Target {
        let mut t = self.clone();
        t.config.dbname(db);
        t
    }
}

/// Parses the URL and its TLS settings (`sslmode`, `sslrootcert`); the
/// error never repeats the URL (it may hold a password).
pub fn parse(url: &str) -> Result<Target, String> {
    let (url, tls) = super::tls::take_params(url);
    let config = tokio_postgres::Config::from_str(&url).map_err(|e| {
        let msg = e.to_string();
        // tokio-postgres does not echo values, but be sure no password slips through.
        format!("the database URL is not valid: {}", redact(&msg))
    })?;
    Ok(Target {
        config,
        tls: super::tls::connector(&tls)?,
    })
}

/// `Ok(())` when every host the URL names is this machine (loopback or a
/// Unix socket); otherwise the first remote host.
pub fn check_loopback(config: &tokio_postgres::Config) -> Result<(), String> {
    if !config.get_hostaddrs().is_empty() {
        return match config.get_hostaddrs().iter().find(|a| !a.is_loopback()) {
            Some(a) => Err(a.to_string()),
            None => Ok(()),
        };
    }
    if config.get_hosts().is_empty() {
        return Err(String::new());
    }
    for h in config.get_hosts() {
        match h {
            Host::Unix(_) => {}
            Host::Tcp(name) => {
                let bare = name.trim_start_matches('[').trim_end_matches(']');
                let local = bare.eq_ignore_ascii_case("localhost")
                    || bare.to_ascii_lowercase().ends_with(".localhost")
                    || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
                if !local {
                    return Err(name.clone());
                }
            }
        }
    }
    Ok(())
}

/// A duration as PostgreSQL settings write it: `5s`, `500ms`, `2min`, `1h`;
/// a bare number is milliseconds. Returns milliseconds.
pub fn parse_duration(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration; write it like `5s`, `500ms` or `2min`"))?;
    let factor = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "ms" => 1,
        "s" | "sec" => 1_000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        _ => return Err(format!("`{s}` has an unknown unit; use ms, s, min or h")),
    };
    n.checked_mul(factor)
        .filter(|ms| *ms <= i32::MAX as u64)
        .ok_or_else(|| format!("`{s}` is longer than PostgreSQL accepts"))
}

/// `5000` → `5s`, `1500` → `1500ms`, `0` → `off`.
pub fn format_duration(ms: u64) -> String {
    match ms {
        0 => "off".into(),
        ms if ms % 60_000 == 0 => format!("{}min", ms / 60_000),
        ms if ms % 1_000 == 0 => format!("{}s", ms / 1_000),
        ms => format!("{ms}ms"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_in_urls() {
        assert_eq!(
            redact("postgres://app:s3cret@127.0.0.1:5432/db"),
            "postgres://app:***@127.0.0.1:5432/db"
        );
        assert_eq!(
            redact("postgresql://app:p@ss/w@localhost/db?sslmode=disable&password=x2"),
            "postgresql://app:***@localhost/db?sslmode=disable&password=***"
        );
        assert_eq!(redact("postgres://localhost/db"), "postgres://localhost/db");
        assert_eq!(redact("postgres://app@localhost/db"), "postgres://app@localhost/db");
    }

    #[test]
    fn passwords_are_redacted_in_key_value_strings() {
        assert_eq!(
            redact("host=localhost password=s3cret user=app"),
            "host=localhost password=*** user=app"
        );
        assert_eq!(
            redact("host=localhost password = 'a b\\' c' dbname=x"),
            "host=localhost password =*** dbname=x"
        );
        assert_eq!(redact("host=localhost user=app"), "host=localhost user=app");
    }

    #[test]
    fn only_this_machine_is_loopback() {
        let ok = |u: &str| check_loopback(&parse(u).unwrap().config);
        assert!(ok("postgres://u@localhost/db").is_ok());
        assert!(ok("postgres://u@127.0.0.1:5432/db").is_ok());
        assert!(ok("postgres://u@[::1]:5432/db").is_ok());
        assert!(ok("host=/tmp/pg dbname=x").is_ok());
        assert_eq!(ok("postgres://u@db.example.com/db"), Err("db.example.com".to_string()));
        assert_eq!(
            ok("host=localhost hostaddr=10.0.0.5 dbname=x"),
            Err("10.0.0.5".to_string())
        );
        assert!(ok("postgres://u@localhost,db.example.com/db").is_err());
    }

    #[test]
    fn durations_read_like_postgres() {
        assert_eq!(parse_duration("5s"), Ok(5_000));
        assert_eq!(parse_duration("250ms"), Ok(250));
        assert_eq!(parse_duration("2min"), Ok(120_000));
        assert_eq!(parse_duration("1500"), Ok(1_500));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("99999999h").is_err());
        assert_eq!(format_duration(60_000), "1min");
        assert_eq!(format_duration(5_000), "5s");
        assert_eq!(format_duration(0), "off");
    }
}
