//! `--format markdown`: the gate summary for PR comments and job summaries.
//! Everything from the repository is escaped so it cannot inject Markdown,
//! HTML or mentions.

use std::fmt::Write;

use super::plural;
use crate::app::{Report, Verdict};
use crate::finding::{Finding, Severity};

/// Escapes text for a Markdown table cell or paragraph.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            // A backslash escape: a numeric reference would show as `&#96;` where code spans are parsed first.
            '`' => out.push_str("\\`"),
            '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '~' | '&' => {
                let _ = write!(out, "&#{};", c as u32);
            }
            '@' => out.push_str("@\u{200b}"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A code span showing `s` as it is: its fence is one backtick longer than
/// the longest run of backticks inside, padded where a backtick or spaces
/// would otherwise be eaten. Inside code nothing is a link, a tag or a
/// mention; `@` still gets a zero-width space (as in [`escape`]), and so does
/// `<!--`, so that no text of the repository reads as the comment's marker.
pub fn code(s: &str) -> String {
    let s = s
        .replace(['\n', '\r'], " ")
        .replace('@', "@\u{200b}")
        .replace("<!--", "<\u{200b}!--");
    if s.is_empty() {
        return String::new();
    }
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let spaced = s.starts_with(' ') && s.ends_with(' ') && s.trim() != "";
    let pad = if s.starts_with('`') || s.ends_with('`') || spaced {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// A message in the house style (identifiers in backticks): what is between
/// backticks becomes a [`code`] span, the rest is [`escape`]d. Either way
/// nothing in it can open a tag, a link or a mention, however its backticks
/// pair up.
pub fn inline(message: &str) -> String {
    let pieces: Vec<&str> = message.split('`').collect();
    let mut out = String::with_capacity(message.len() + 8);
    for (i, piece) in pieces.iter().enumerate() {
        match (i % 2, i + 1 == pieces.len()) {
            (0, _) => out.push_str(&escape(piece)),
            // An opening backtick that nothing closes.
            (_, true) => out.push_str(&escape(&format!("`{piece}"))),
            _ if piece.is_empty() => out.push_str(&escape("``")),
            _ => out.push_str(&code(piece)),
        }
    }
    out
}

/// Links to files at one commit on GitHub:
/// `{server}/{owner}/{repo}/blob/{sha}/{path}#L{line}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    blob: String,
}

impl Links {
    /// `None` unless the server is an http(s) address with no character that
    /// could end a Markdown link, the repository is `owner/name` and the
    /// commit is hexadecimal.
    pub fn new(server: &str, repository: &str, commit: &str) -> Option<Links> {
        let server = server.trim_end_matches('/');
        let plain = |c: char| c.is_ascii_graphic() && !"()<>[]\"'`\\ ".contains(c);
        let scheme = server.starts_with("https://") || server.starts_with("http://");
        let (owner, name) = repository.split_once('/')?;
        let ok = scheme
            && server.chars().all(plain)
            && !owner.is_empty()
            && !name.is_empty()
            && !name.contains('/')
            && commit.len() >= 7
            && commit.chars().all(|c| c.is_ascii_hexdigit());
        ok.then(|| Links {
            blob: format!("{server}/{}/{}/blob/{commit}", percent(owner), percent(name)),
        })
    }

    /// The address of `path` (relative, `/`-separated), at `line` when given.
    pub fn to(&self, path: &str, line: Option<usize>) -> String {
        let path: Vec<String> = path.split('/').map(percent).collect();
        let anchor = line.map(|l| format!("#L{l}")).unwrap_or_default();
        format!("{}/{}{anchor}", self.blob, path.join("/"))
    }
}

/// Percent-encodes one path segment: everything but the unreserved characters.
fn percent(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `text` (already Markdown), linked to `path` at `line` when there are links.
pub fn link(text: &str, links: Option<&Links>, path: &str, line: Option<usize>) -> String {
    match links {
        Some(l) => format!("[{text}]({})", l.to(path, line)),
        None => text.to_string(),
    }
}

/// A finding's place: `file:line`, linked.
pub fn location(f: &Finding, links: Option<&Links>) -> String {
    match (&f.file, f.location) {
        (Some(file), Some(l)) => link(&format!("{}:{}", escape(file), l.line), links, file, Some(l.line)),
        (Some(file), None) => link(&escape(file), links, file, None),
        _ => "-".into(),
    }
}

/// How many related places a finding lists; the JSON report has them all.
const RELATED_SHOWN: usize = 10;

/// A finding's labelled places, `` (raised to error here: [shipgate.yml:3](..))``, linked;
/// the first [`RELATED_SHOWN`] (a dropped column may be read in hundreds of places).
fn related(f: &Finding, links: Option<&Links>) -> String {
    let mut out: String = f
        .related
        .iter()
        .take(RELATED_SHOWN)
        .filter_map(|r| {
            let file = r.file.as_ref().or(f.file.as_ref())?;
            let line = r.location.line;
            let place = link(&format!("{}:{line}", escape(file)), links, file, Some(line));
            Some(format!(" ({}: {place})", escape(&r.label)))
        })
        .collect();
    if f.related.len() > RELATED_SHOWN {
        out.push_str(&format!(" (and {} more)", f.related.len() - RELATED_SHOWN));
    }
    out
}

/// Unapproved findings grouped by file (files in order of first finding;
/// file-less findings, such as a missing sign-off, last), each line linked.
pub fn findings_by_file(findings: &[&Finding], links: Option<&Links>) -> String {
    let mut files: Vec<Option<&str>> = Vec::new();
    for f in findings {
        let file = f.file.as_deref();
        if !files.contains(&file) {
            files.push(file);
        }
    }
    files.sort_by_key(|f| f.is_none());
    let mut out = String::new();
    for file in files {
        let heading = match file {
            Some(path) => link(&escape(path), links, path, None),
            None => "The pull request".to_string(),
        };
        let _ = writeln!(out, "**{heading}**\n");
        for f in findings.iter().filter(|f| f.file.as_deref() == file) {
            let at = match (file, f.location) {
                (Some(path), Some(l)) => format!(" {}", link(&format!("line {}", l.line), links, path, Some(l.line))),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "- **{}** {}{at}: {}{}",
                f.severity.as_str(),
                code(f.rule),
                inline(&f.message),
                related(f, links)
            );
        }
        out.push('\n');
    }
    out
}

/// Approved findings, one line each: rule, place, reason.
pub fn approvals(findings: &[&Finding], links: Option<&Links>) -> String {
    let mut out = String::new();
    for f in findings {
        let reason = f.approval_reason.as_deref().unwrap_or("");
        let _ = writeln!(out, "- {} at {}: {}", code(f.rule), location(f, links), inline(reason));
    }
    out
}

/// The counts line: findings by severity, approvals, what was read.
pub fn counts(report: &Report) -> String {
    format!(
        "{}, {}, {}, {} approved · {}, {} ({} unparsed)",
        plural(report.count(Severity::Error), "error"),
        plural(report.count(Severity::Warning), "warning"),
        plural(report.count(Severity::Note), "note"),
        report.approved(),
        plural(report.stats.migration_files, "migration file"),
        plural(report.stats.statements, "statement"),
        report.stats.unparsed_statements
    )
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let (icon, verdict) = match report.verdict() {
        Verdict::Pass => ("✅", "pass"),
        Verdict::Blocked => ("⛔", "blocked"),
        Verdict::InvalidInput => ("⚠️", "error"),
    };
    let _ = writeln!(out, "### {icon} shipgate: {verdict}\n\n{}\n", counts(report));
    let open: Vec<_> = report.findings.iter().filter(|f| !f.approved).collect();
    out.push_str(&findings_by_file(&open, None));
    let approved: Vec<_> = report.findings.iter().filter(|f| f.approved).collect();
    if !approved.is_empty() {
        let _ = writeln!(out, "#### Approvals\n\n{}", approvals(&approved, None));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn related_places_follow_their_finding_escaped_and_capped() {
        use crate::finding::{Location, Related};
        let mut f = Finding::new(crate::rules::ALL_META[0], "m");
        for line in 1..=12 {
            f = f.related(Related {
                file: Some("src/a_*b*.ts".into()),
                location: Location {
                    line,
                    column: 1,
                    end_line: line,
                    end_column: 2,
                },
                span: None,
                label: "still uses `members.old_field`".into(),
            });
        }
        let text = related(&f, None);
        assert!(
            text.starts_with(" (still uses \\`members.old&#95;field\\`: src/a&#95;&#42;b&#42;.ts:1)"),
            "{text}"
        );
        assert!(text.ends_with(" (and 2 more)"), "{text}");
        assert_eq!(text.matches("still uses").count(), 10);
    }

    #[test]
    fn code_spans_fence_longer_than_any_backtick_run_inside() {
        assert_eq!(code("members.email"), "`members.email`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("``x"), "``` ``x ```");
        assert_eq!(code(" x "), "`  x  `");
        assert_eq!(code("@team"), "`@\u{200b}team`");
        assert_eq!(code(""), "");
    }

    #[test]
    fn messages_become_code_and_escaped_text_whatever_their_backticks() {
        assert_eq!(inline("Dropping `t.c` breaks <x>"), "Dropping `t.c` breaks &#60;x&#62;");
        assert_eq!(inline("odd ` one"), "odd \\` one");
        assert_eq!(inline("empty `` pair"), "empty \\`\\` pair");
    }

    #[test]
    fn links_encode_each_path_segment_and_refuse_odd_servers() {
        let sha = "0123456789abcdef0123456789abcdef01234567";
        let l = Links::new("https://ghe.example.com/", "acme/shop", sha).unwrap();
        assert_eq!(
            l.to("db/a b)#[x].sql", Some(12)),
            format!("https://ghe.example.com/acme/shop/blob/{sha}/db/a%20b%29%23%5Bx%5D.sql#L12")
        );
        assert_eq!(Links::new("javascript:alert(1)", "acme/shop", sha), None);
        assert_eq!(Links::new("https://x.com)", "acme/shop", sha), None);
        assert_eq!(Links::new("https://github.com", "acme", sha), None);
        assert_eq!(Links::new("https://github.com", "acme/shop", "HEAD"), None);
    }
}
