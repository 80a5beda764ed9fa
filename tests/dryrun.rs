//! `shipgate dry-run` against a real PostgreSQL: one throwaway cluster for
//! the whole file (started from the machine's PostgreSQL binaries, as the
//! `postgres` user when we are root), one database per test.
//!
//! If PostgreSQL cannot start, every test fails with the reason. Set
//! `SHIPGATE_SKIP_PG=1` to skip them with a message instead.

mod common;
use common::write;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

struct Cluster {
    bin: PathBuf,
    port: u16,
    /// Run server-side tools as this user (`Some("postgres")` when we are root).
    as_user: Option<&'static str>,
    dir: PathBuf,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();

fn run(cmd: &mut Command) -> Result<Output, String> {
    let shown = format!("{cmd:?}");
    let out = cmd.output().map_err(|e| format!("cannot run {shown}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{shown} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out)
}

/// The newest `/usr/lib/postgresql/<v>/bin` with `initdb`, or `SHIPGATE_PG_BIN`.
fn pg_bin() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("SHIPGATE_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|e| format!("no PostgreSQL under /usr/lib/postgresql ({e}); run .ci/run or install postgresql"))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v: u32 = e.file_name().to_string_lossy().parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    found.sort();
    found
        .pop()
        .map(|(_, b)| b)
        .ok_or_else(|| "no initdb under /usr/lib/postgresql/*/bin; run .ci/run or install postgresql".into())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn server_cmd(c_bin: &Path, as_user: Option<&str>, tool: &str) -> Command {
    match as_user {
        Some(u) => {
            let mut c = Command::new("runuser");
            c.args(["-u", u, "--"]).arg(c_bin.join(tool));
            c
        }
        None => Command::new(c_bin.join(tool)),
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(55432)
}

fn start_cluster() -> Result<Cluster, String> {
    let bin = pg_bin()?;
    let as_user = is_root().then_some("postgres");
    let dir = tempfile::Builder::new()
        .prefix("shipgate-pg-")
        .tempdir()
        .map_err(|e| format!("cannot make a temporary directory: {e}"))?
        .keep();
    let started = start_in(bin, as_user, &dir);
    if started.is_err() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    started
}

fn start_in(bin: PathBuf, as_user: Option<&'static str>, dir: &Path) -> Result<Cluster, String> {
    let dir = dir.to_path_buf();
    if let Some(u) = as_user {
        run(Command::new("chown").arg(format!("{u}:")).arg(&dir))
            .map_err(|e| format!("{e}\n(initdb refuses root; the `{u}` user must exist: `useradd --system {u}`)"))?;
    }
    let data = dir.join("data");
    run(server_cmd(&bin, as_user, "initdb").arg("-D").arg(&data).args([
        "-U",
        "postgres",
        "-A",
        "trust",
        "--no-sync",
        "-E",
        "UTF8",
        "--no-locale",
    ]))?;
    // TLS on, with a self-signed certificate for `localhost` (not for 127.0.0.1).
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()])
        .map_err(|e| format!("cannot make a certificate: {e}"))?;
    std::fs::write(data.join("server.crt"), cert.cert.pem()).map_err(|e| e.to_string())?;
    std::fs::write(data.join("server.key"), cert.signing_key.serialize_pem()).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("ca.pem"), cert.cert.pem()).map_err(|e| e.to_string())?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(data.join("server.key"), std::fs::Permissions::from_mode(0o600))
            .map_err(|e| e.to_string())?;
    }
    if let Some(u) = as_user {
        run(Command::new("chown")
            .arg(format!("{u}:"))
            .arg(data.join("server.crt"))
            .arg(data.join("server.key")))?;
    }
    let mut last = String::new();
    for _ in 0..3 {
        let port = free_port();
        let opts = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=100 -c ssl=on",
            dir.display()
        );
        let started = run(server_cmd(&bin, as_user, "pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.join("log"))
            .args(["-w", "-t", "60", "-o", &opts, "start"])
            .stdin(Stdio::null()));
        match started {
            Ok(_) => {
                // Stops the cluster and removes it once this test process is gone.
                let script = format!(
                    "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} -D '{data}' -m immediate stop; rm -rf '{dir}'",
                    pid = std::process::id(),
                    stop = match as_user {
                        Some(u) => format!("runuser -u {u} -- '{}'", bin.join("pg_ctl").display()),
                        None => format!("'{}'", bin.join("pg_ctl").display()),
                    },
                    data = data.display(),
                    dir = dir.display(),
                );
                let _ = Command::new("sh")
                    .args(["-c", &script])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn();
                return Ok(Cluster {
                    bin,
                    port,
                    as_user,
                    dir,
                });
            }
            Err(e) => last = e,
        }
    }
    let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
    Err(format!("{last}\nserver log:\n{log}"))
}

/// The shared cluster, or `None` when `SHIPGATE_SKIP_PG` asks to skip.
fn cluster() -> Option<&'static Cluster> {
    if std::env::var("SHIPGATE_SKIP_PG").is_ok_and(|v| !v.is_empty() && v != "0") {
        eprintln!("skipping: SHIPGATE_SKIP_PG is set, so the dry-run tests do not start PostgreSQL");
        return None;
    }
    match CLUSTER.get_or_init(start_cluster) {
        Ok(c) => Some(c),
        Err(e) => panic!(
            "PostgreSQL could not be started for the dry-run tests: {e}\n\
             Install it (.ci/run does: apt-get install postgresql) or set SHIPGATE_SKIP_PG=1 to skip these tests."
        ),
    }
}

/// One database of the shared cluster, with helpers.
struct Db {
    c: &'static Cluster,
    name: String,
}

impl Db {
    fn new(c: &'static Cluster, name: &str) -> Db {
        let db = Db {
            c,
            name: name.to_string(),
        };
        db.psql_on("postgres", &format!("DROP DATABASE IF EXISTS {name}"));
        db.psql_on("postgres", &format!("CREATE DATABASE {name}"));
        db
    }

    fn url(&self) -> String {
        format!(
            "postgres://postgres:hunter2-secret@127.0.0.1:{}/{}",
            self.c.port, self.name
        )
    }

    fn psql_on(&self, db: &str, sql: &str) -> String {
        let out = run(Command::new(self.c.bin.join("psql"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.c.port.to_string(),
                "-U",
                "postgres",
                "-d",
                db,
            ])
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
            .stdin(Stdio::null()))
        .unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn psql(&self, sql: &str) -> String {
        self.psql_on(&self.name, sql)
    }

    /// `pg_dump` of the database. Recent releases put a random `\restrict`
    /// key in every dump; a fixed key keeps two dumps comparable byte for byte.
    fn dump(&self) -> String {
        let pg_dump = self.c.bin.join("pg_dump");
        let help = Command::new(&pg_dump)
            .arg("--help")
            .output()
            .map(|o| o.stdout)
            .unwrap_or_default();
        let mut cmd = Command::new(&pg_dump);
        cmd.args([
            "-h",
            "127.0.0.1",
            "-p",
            &self.c.port.to_string(),
            "-U",
            "postgres",
            "-d",
            &self.name,
        ]);
        if String::from_utf8_lossy(&help).contains("--restrict-key") {
            cmd.arg("--restrict-key=shipgatetest");
        }
        let out = run(cmd.stdin(Stdio::null())).unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// A database `name` holding [`SEED`]; `None` when the tests are skipped.
fn seeded(name: &str) -> Option<Db> {
    let db = Db::new(cluster()?, name);
    db.psql(SEED);
    Some(db)
}

/// A repository with Supabase migrations of the given names.
fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let paths: Vec<(String, &str)> = files
        .iter()
        .map(|(name, sql)| (format!("supabase/migrations/{name}"), *sql))
        .collect();
    tree(&paths.iter().map(|(p, sql)| (p.as_str(), *sql)).collect::<Vec<_>>())
}

fn shipgate(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipgate"))
        .arg("dry-run")
        .arg("--repo")
        .arg(dir)
        .args(args)
        .env("NO_COLOR", "1")
        // Every incremental catalog snapshot is checked against a full one.
        .env("SHIPGATE_DRY_RUN_CHECK_SNAPSHOTS", "1")
        .env_remove("SHIPGATE_DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs the dry run with `--format json` and returns (exit code, document).
fn dry_json(db: &Db, dir: &Path, extra: &[&str]) -> (i32, serde_json::Value, Output) {
    let url = db.url();
    let mut args = vec!["--database-url", url.as_str(), "--format", "json"];
    args.extend_from_slice(extra);
    let o = shipgate(dir, &args);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", text(&o)));
    (o.status.code().unwrap_or(-1), v, o)
}

fn findings<'a>(v: &'a serde_json::Value, rule: &str) -> Vec<&'a serde_json::Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// The migrations the dry run ran, by file.
fn ran(v: &serde_json::Value) -> Vec<&str> {
    v["dry_run"]["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["file"].as_str().unwrap())
        .collect()
}

fn statement(v: &serde_json::Value, migration: usize, index: usize) -> &serde_json::Value {
    &v["dry_run"]["migrations"][migration]["statements"][index]
}

const SEED: &str = "CREATE TABLE members (id int PRIMARY KEY, email text, age int, created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO members SELECT g, 'user' || g || '@example.com', 20 + g % 50, now() - g * interval '1 hour' FROM generate_series(1, 50) g;";

#[test]
fn a_drop_hidden_in_a_do_block_is_caught() {
    let Some(db) = seeded("t_do_block") else { return };
    db.psql(
        "CREATE TABLE legacy_events (id int); INSERT INTO legacy_events VALUES (1), (2), (3);
         CREATE FUNCTION tidy_up() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'DROP TABLE legacy_events'; END $$;",
    );
    let dir = repo(&[(
        "20240101000000_tidy.sql",
        "SET lock_timeout = '5s';\n-- Housekeeping.\nDO $$ BEGIN PERFORM tidy_up(); END $$;\n",
    )]);
    let (code, v, o) = dry_json(&db, dir.path(), &[]);
    assert_eq!(code, 1, "{}", text(&o));
    let found = findings(&v, "dry-run-found-destructive");
    assert_eq!(found.len(), 1, "{}", text(&o));
    assert_eq!(found[0]["line"], 3);
    assert_eq!(found[0]["file"], "supabase/migrations/20240101000000_tidy.sql");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("drop table `legacy_events`"),
        "{}",
        found[0]["message"]
    );
    // The rows went with it: a parity error too.
    let lost = findings(&v, "dry-run-row-loss");
    assert_eq!(lost.len(), 1, "{}", text(&o));
    assert!(lost[0]["message"].as_str().unwrap().contains("3 rows"));
    let diff = &v["dry_run"]["migrations"][0]["catalog_diff"];
    assert!(
        diff.as_array()
            .unwrap()
            .iter()
            .any(|c| c["object"] == "table" && c["change"] == "removed" && c["name"] == "legacy_events"),
        "{diff}"
    );
    // And nothing happened for real.
    assert_eq!(db.psql("SELECT count(*) FROM legacy_events"), "3");
}

#[test]
fn a_drop_built_at_run_time_in_a_do_block_is_caught() {
    let Some(c) = cluster() else { return };
    let db = Db::new(c, "t_do_reverse");
    db.psql("CREATE TABLE legacy (id int);");
    let dir = repo(&[(
        "20240101000000_x.sql",
        "DO $$ BEGIN EXECUTE reverse('ycagel ELBAT PORD'); END $$;\n",
    )]);
    let (code, v, o) = dry_json(&db, dir.path(), &[]);
    assert_eq!(code, 1, "{}", text(&o));
    assert_eq!(findings(&v, "dry-run-found-destructive").len(), 1, "{}", text(&o));
}

#[test]
fn a_delete_whose_where_matches_every_row_is_a_parity_error() {
    let Some(db) = seeded("t_parity") else { return };
    let dir = repo(&[(
        "20240101000000_purge.sql",
        "-- Purge accounts created before tomorrow (that is: all of them).\nDELETE FROM members WHERE created_at < now() + interval '1 day';\n",
    )]);
    let (code, v, o) = dry_json(&db, dir.path(), &[]);
    assert_eq!(code, 1, "{}", text(&o));
    // The static gate sees a WHERE and passes it; the dry run does not.
    assert!(findings(&v, "ban-delete-without-where").is_empty());
    let lost = findings(&v, "dry-run-row-loss");
    assert_eq!(lost.len(), 1, "{}", text(&o));
    assert_eq!(lost[0]["severity"], "error");
    assert_eq!(lost[0]["line"], 2);
    assert!(
        lost[0]["message"].as_str().unwrap().contains("50 rows of 50"),
        "{}",
        lost[0]["message"]
    );
    let parity = &v["dry_run"]["migrations"][0]["row_counts"][0];
    assert_eq!(parity["table"], "members");
    assert_eq!(parity["before"], 50);
    assert_eq!(parity["after"], 0);
    assert_eq!(parity["exact"], true);
    assert_eq!(parity["deleted"], 50);
    assert_eq!(db.psql("SELECT count(*) FROM members"), "50");
}

#[test]
fn an_approval_comment_approves_the_row_loss() {
    let Some(db) = seeded("t_approved_loss") else { return };
    let dir = repo(&[(
        "20240101000000_purge.sql",
        "SET lock_timeout = '5s';\nDELETE FROM members WHERE id > 40; -- MIGRATION_APPROVED: test accounts, exported to the archive\n",
    )]);
    let (code, v, o) = dry_json(&db, dir.path(), &[]);
    assert_eq!(code, 0, "{}", text(&o));
    let lost = findings(&v, "dry-run-row-loss");
    assert_eq!(lost.len(), 1);
    assert_eq!(lost[0]["approved"], true);
    assert!(lost[0]["message"].as_str().unwrap().contains("10 rows of 50"));
}

#[test]
fn alter_column_type_reports_the_rewrite() {
    let Some(db) = seeded("t_rewrite") else { return };
    let dir = repo(&[(
        "20240101000000_age.sql",
        "SET lock_timeout = '5s';\nALTER TABLE members ALTER COLUMN age TYPE bigint;\n",
    )]);
    let (code, v, o) = dry_json(&db, dir.path(), &[]);
    assert_eq!(code, 1, "{}", text(&o)); // ban-alter-column-type
    let s = statement(&v, 0, 1);
    let rewrites = s["rewrites"].as_array().unwrap();
    assert!(
        rewrites
            .iter()
            .any(|r| r["relation"] == "members" && r["kind"] == "table" && r["rows"] == 50),
        "{s}"
    );
    assert!(
        s["locks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["relation"] == "members" && l["mode"] == "AccessExclusiveLock"),
        "{s}"
    );
    assert!(
        s["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "members.age" && c["detail"] == "type integer → bigint"),
        "{s}"
    );
    // A rewrite keeps every row.
    assert_eq!(s["rows"][0]["before"], 50);
    assert_eq!(s["rows"][0]["after"], 50);
    assert!(findings(&v, "dry-run-row-loss").is_empty());
}

#[test]
fn an_index_built_without_concurrently_shows_its_share_lock() {
    let Some(db) = seeded("t_index_lock") else { return };
    let dir = repo(&[(
        "20240101000000_idx.sql",
        "CREATE INDEX members_email_idx ON members (email);\n",
    )]);
    let (_, v, o) = dry_json(&db, dir.path(), &[]);
    let locks = statement(&v, 0, 0)["locks"].as_array().unwrap().clone();
    assert!(
        locks
            .iter()
            .any(|l| l["relation"] == "members" && l["mode"] == "ShareLock" && l["kind"] == "table"),
        "{}",
        text(&o)
    );
    assert_eq!(findings(&v, "require-concurrent-index-creation").len(), 1);
    // The human report shows it as SQL spells it.
    let url = db.url();
    let h = shipgate(dir.path(), &["--database-url", &url]);
    assert!(
        String::from_utf8_lossy(&h.stdout).contains("locks: SHARE members (50 rows)"),
        "{}",
        text(&h)
    );
}

#[test]
fn the_database_is_byte_for_byte_unchanged_afterwards() {
    let Some(db) = seeded("t_unchanged") else { return };
    db.psql(
        "CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TABLE notes (id int, body text, m mood);
         INSERT INTO notes VALUES (1, 'a', 'ok'); CREATE VIEW adults AS SELECT id, email FROM members WHERE id > 0;
         ALTER TABLE members ENABLE ROW LEVEL SECURITY; CREATE POLICY p ON members USING (id > 0);",
    );
    let before = db.dump();
    let dir = repo(&[
        (
            "20240101000000_a.sql",
            "BEGIN;\nALTER TABLE members ALTER COLUMN age TYPE bigint;\nCREATE INDEX ON members (email);\n\
             ALTER TYPE mood ADD VALUE 'happy';\nDROP VIEW adults;\nALTER TABLE notes RENAME COLUMN body TO text;\n\
             COMMIT;\nTRUNCATE notes;\nDROP POLICY p ON members;\nROLLBACK;\nEND;\n",
        ),
        (
            "20240102000000_b.sql",
            "CREATE TABLE fresh (id int GENERATED ALWAYS AS IDENTITY, v text);\nINSERT INTO fresh (v) VALUES ('x'), ('y');\n\
             DELETE FROM members WHERE id % 2 = 0;\nDO $$ BEGIN EXECUTE 'DROP TABLE notes'; END $$;\n\
             PREPARE TRANSACTION 'sneaky';\nCOMMIT PREPARED 'sneaky';\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
        ),
    ]);
    let (code, v, o) = dry_json(&db, dir.path(), &[]);
    assert_eq!(code, 1, "{}", text(&o));
    assert_eq!(v["dry_run"]["rolled_back"], true);
    assert_eq!(v["dry_run"]["migrations"][1]["status"], "applied", "{}", text(&o));
    // Every transaction-control statement was skipped, with a note.
    let skipped = findings(&v, "dry-run-skipped-statement");
    assert_eq!(skipped.len(), 6, "{}", text(&o));
    assert!(skipped.iter().all(|f| f["severity"] == "note"));
    let after = db.dump();
    assert!(
        before == after,
        "pg_dump differs after the dry run:\n--- before\n{before}\n--- after\n{after}"
    );
    assert_eq!(
        db.psql("SELECT count(*) FROM pg_prepared_xacts"),
        "0",
        "no prepared transaction may survive"
    );
}

#[test]
fn a_failing_statement_is_reported_with_its_error_and_position() {
    let Some(db) = seeded("t_failure") else { return };
    let dir = repo(&[
        (
            "20240101000000_a.sql",
            "SET lock_timeout = '5s';\nALTER TABLE members ADD COLUMN score int;\nUPDATE members\n   SET score = nope + 1\n WHERE id > 10;\nSELECT 1;\n",
        ),
        ("20240102000000_b.sql", "CREATE TABLE later (id int);\n"),
    ]);
    let (code, v, o) = dry_json(&db, dir.path(), &[]);
    assert_eq!(code, 1, "{}", text(&o));
    let failed = findings(&v, "dry-run-statement-failed");
    assert_eq!(failed.len(), 1, "{}", text(&o));
    let f = failed[0];
    assert_eq!(f["line"], 3, "the finding points at the statement");
    assert_eq!(f["column"], 1);
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains("column \"nope\" does not exist"), "{msg}");
    assert!(msg.contains("(42703)"), "{msg}");
    assert!(
        msg.contains("at line 4, column 16"),
        "PostgreSQL's position, in the file: {msg}"
    );
    let s = statement(&v, 0, 2);
    assert_eq!(s["status"], "failed");
    assert_eq!(s["error"]["code"], "42703");
    assert_eq!(s["error"]["line"], 4);
    assert_eq!(s["error"]["column"], 16);
    assert_eq!(statement(&v, 0, 3)["status"], "not_run");
    assert_eq!(v["dry_run"]["migrations"][0]["status"], "failed");
    assert_eq!(v["dry_run"]["migrations"][1]["status"], "not_run");
}

#[test]
fn a_statement_timeout_is_a_failed_statement_not_a_lost_connection() {
    let Some(c) = cluster() else { return };
    let db = Db::new(c, "t_timeout");
    let dir = repo(&[("20240101000000_slow.sql", "SELECT pg_sleep(5);\n")]);
    let (code, v, o) = dry_json(&db, dir.path(), &["--statement-timeout", "200ms"]);
    assert_eq!(code, 1, "{}", text(&o));
    let failed = findings(&v, "dry-run-statement-failed");
    assert_eq!(failed.len(), 1, "{}", text(&o));
    assert!(failed[0]["message"].as_str().unwrap().contains("57014"));
}

/// Starts a dry run of a migration that sleeps, and waits until its backend is busy.
/// The caller waits for the child (`wait`).
#[allow(clippy::zombie_processes)]
fn sleeping_run(db: &Db, dir: &Path) -> (std::process::Child, String) {
    let url = db.url();
    let mut child = Command::new(env!("CARGO_BIN_EXE_shipgate"))
        .args(["dry-run", "--database-url", &url, "--format", "json", "--repo"])
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let pid = db.psql(&format!(
            "SELECT pid FROM pg_stat_activity WHERE datname = '{}' AND application_name = 'shipgate dry-run' \
             AND state = 'active' AND query LIKE '%pg_sleep%'",
            db.name
        ));
        if !pid.is_empty() {
            return (child, pid);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the dry run never reached pg_sleep");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn wait(mut child: std::process::Child) -> Output {
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("shipgate did not exit");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_killed_connection_exits_3() {
    let Some(c) = cluster() else { return };
    let db = Db::new(c, "t_killed");
    let dir = repo(&[(
        "20240101000000_slow.sql",
        "CREATE TABLE half_done (id int);\nSELECT pg_sleep(60);\n",
    )]);
    let (child, pid) = sleeping_run(&db, dir.path());
    db.psql(&format!("SELECT pg_terminate_backend({pid})"));
    let o = wait(child);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("connection to the database was lost"), "{err}");
    assert!(o.stdout.is_empty(), "no report when the gate could not be evaluated");
    assert!(!err.contains("hunter2-secret"));
    assert_eq!(db.psql("SELECT to_regclass('half_done') IS NULL"), "t");
}

#[test]
fn ctrl_c_cancels_the_statement_and_rolls_back() {
    let Some(c) = cluster() else { return };
    let db = Db::new(c, "t_ctrl_c");
    let dir = repo(&[(
        "20240101000000_slow.sql",
        "CREATE TABLE half_done (id int);\nSELECT pg_sleep(60);\n",
    )]);
    let (child, _) = sleeping_run(&db, dir.path());
    let started = Instant::now();
    run(Command::new("kill").args(["-INT", &child.id().to_string()])).unwrap();
    let o = wait(child);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the statement was not cancelled"
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("interrupted"),
        "{}",
        text(&o)
    );
    // The backend is gone and nothing was committed.
    let deadline = Instant::now() + Duration::from_secs(10);
    while db.psql(&format!(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = '{}' AND application_name = 'shipgate dry-run'",
        db.name
    )) != "0"
    {
        assert!(Instant::now() < deadline, "the dry run's session is still open");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(db.psql("SELECT to_regclass('half_done') IS NULL"), "t");
}

#[test]
fn an_unreachable_database_exits_3() {
    let Some(_) = cluster() else { return };
    let dir = repo(&[("20240101000000_a.sql", "SELECT 1;\n")]);
    let port = free_port();
    let url = format!("postgres://app:hunter2-secret@127.0.0.1:{port}/nowhere");
    let o = shipgate(dir.path(), &["--database-url", &url]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("Cannot connect to `postgres://app:***@127.0.0.1"), "{err}");
    assert!(!text(&o).contains("hunter2-secret"));
}

#[test]
fn a_remote_host_is_refused_without_allow_remote() {
    // Needs no database: the refusal comes first.
    let dir = repo(&[("20240101000000_a.sql", "SELECT 1;\n")]);
    let o = shipgate(
        dir.path(),
        &[
            "--database-url",
            "postgres://app:hunter2-secret@db.prod.example.com:5432/app",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("`db.prod.example.com` is not this machine"), "{err}");
    assert!(err.contains("--allow-remote"), "{err}");
    assert!(!text(&o).contains("hunter2-secret"));
}

#[test]
fn the_password_is_never_printed() {
    let Some(db) = seeded("t_password") else { return };
    let dir = repo(&[("20240101000000_a.sql", "DELETE FROM members WHERE id = 1;\n")]);
    let url = db.url();
    for format in ["human", "json", "markdown", "sarif", "github"] {
        let o = shipgate(dir.path(), &["--database-url", &url, "--format", format]);
        let all = text(&o);
        assert_eq!(o.status.code(), Some(1), "{all}");
        assert!(!all.contains("hunter2-secret"), "{format}: {all}");
        if format != "sarif" && format != "github" {
            assert!(all.contains("postgres://postgres:***@127.0.0.1"), "{format}: {all}");
        }
    }
}

#[test]
fn concurrently_is_skipped_in_a_transaction_and_run_for_real_in_a_scratch_database() {
    let Some(db) = seeded("t_scratch") else { return };
    let before = db.dump();
    let dir = repo(&[(
        "20240101000000_idx.sql",
        "-- no-transaction\nCREATE INDEX CONCURRENTLY members_age_idx ON members (age);\nALTER TABLE members ADD COLUMN nick text;\n",
    )]);
    // The deploy runs these files statement by statement (Supabase itself would
    // send both statements in one batch, where CONCURRENTLY fails).
    std::fs::write(dir.path().join("shipgate.yml"), "migrations:\n  transaction: never\n").unwrap();
    // In the transaction: a note, and the rest continues.
    let (_, v, o) = dry_json(&db, dir.path(), &[]);
    let s = statement(&v, 0, 0);
    assert_eq!(s["status"], "skipped", "{}", text(&o));
    assert_eq!(s["skip"]["kind"], "non_transactional");
    assert_eq!(statement(&v, 0, 1)["status"], "ran");
    assert_eq!(findings(&v, "dry-run-skipped-statement").len(), 1);

    // In a scratch database: for real, then dropped.
    let (code, v, o) = dry_json(&db, dir.path(), &["--scratch-db"]);
    assert_eq!(code, 0, "{}", text(&o));
    assert_eq!(v["dry_run"]["mode"], "scratch-database");
    let s = statement(&v, 0, 0);
    assert_eq!(s["status"], "ran", "{}", text(&o));
    assert_eq!(s["autocommit"], true);
    assert!(
        s["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["object"] == "index" && c["name"] == "members_age_idx" && c["change"] == "added"),
        "{s}"
    );
    assert!(findings(&v, "dry-run-skipped-statement").is_empty());
    let scratch = v["dry_run"]["scratch_database"].as_str().unwrap().to_string();
    assert_eq!(
        db.psql_on(
            "postgres",
            &format!("SELECT count(*) FROM pg_database WHERE datname = '{scratch}'")
        ),
        "0",
        "the scratch database was dropped"
    );
    assert!(before == db.dump(), "the source database changed");
}

#[test]
fn base_runs_only_the_migrations_added_since_the_merge_base() {
    let Some(c) = cluster() else { return };
    let db = Db::new(c, "t_base");
    // The base migration is already applied to the database.
    db.psql("CREATE TABLE accounts (id int PRIMARY KEY, name text);");
    let dir = repo(&[(
        "20240101000000_accounts.sql",
        "CREATE TABLE accounts (id int PRIMARY KEY, name text);\n",
    )]);
    let git = |args: &[&str]| {
        run(Command::new("git")
            .arg("-C")
            .arg(dir.path())
            .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
            .args(args))
        .unwrap();
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "base"]);
    std::fs::write(
        dir.path().join("supabase/migrations/20240102000000_nick.sql"),
        "SET lock_timeout = '5s';\nALTER TABLE accounts ADD COLUMN nick text;\n",
    )
    .unwrap();
    let (code, v, o) = dry_json(&db, dir.path(), &["--base", "main"]);
    assert_eq!(code, 0, "{}", text(&o));
    let migrations = v["dry_run"]["migrations"].as_array().unwrap();
    assert_eq!(migrations.len(), 1, "{}", text(&o));
    assert_eq!(migrations[0]["file"], "supabase/migrations/20240102000000_nick.sql");
    assert_eq!(migrations[0]["status"], "applied");
    // Without --base every migration is pending, and the first one fails on this database.
    let (code, v, _) = dry_json(&db, dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(v["dry_run"]["migrations"][0]["status"], "failed");
}

#[test]
fn a_delete_that_removed_nothing_notes_the_static_rule() {
    let Some(c) = cluster() else { return };
    let db = Db::new(c, "t_harmless");
    db.psql("CREATE TABLE sessions (id int);");
    let dir = repo(&[("20240101000000_a.sql", "DELETE FROM sessions;\n")]);
    let (code, v, o) = dry_json(&db, dir.path(), &[]);
    assert_eq!(code, 1, "the static finding still blocks: {}", text(&o));
    assert_eq!(findings(&v, "ban-delete-without-where").len(), 1);
    let notes = findings(&v, "dry-run-harmless-static-finding");
    assert_eq!(notes.len(), 1, "{}", text(&o));
    assert_eq!(notes[0]["severity"], "note");
    assert!(notes[0]["message"]
        .as_str()
        .unwrap()
        .contains("`ban-delete-without-where`"));
}

#[test]
fn access_exclusive_on_a_large_table_is_a_warning() {
    let Some(db) = seeded("t_large_lock") else { return };
    let dir = repo(&[(
        "20240101000000_a.sql",
        "SET lock_timeout = '5s';\nALTER TABLE members ADD COLUMN nick text;\n",
    )]);
    let (code, v, o) = dry_json(&db, dir.path(), &["--large-table-rows", "10"]);
    assert_eq!(code, 0, "warnings do not block: {}", text(&o));
    let w = findings(&v, "dry-run-access-exclusive-lock");
    assert_eq!(w.len(), 1, "{}", text(&o));
    assert_eq!(w[0]["severity"], "warning");
    assert_eq!(w[0]["line"], 2);
    // Below the threshold it is no warning.
    let (_, v, _) = dry_json(&db, dir.path(), &[]);
    assert!(findings(&v, "dry-run-access-exclusive-lock").is_empty());
}

#[test]
fn the_markdown_summary_shows_the_dry_run() {
    let Some(db) = seeded("t_markdown") else { return };
    let dir = repo(&[(
        "20240101000000_a|b.sql",
        "ALTER TABLE members ALTER COLUMN age TYPE bigint;\nDELETE FROM members WHERE id < 5;\n",
    )]);
    let url = db.url();
    let o = shipgate(dir.path(), &["--database-url", &url, "--format", "markdown"]);
    let md = String::from_utf8_lossy(&o.stdout);
    assert!(md.contains("### ⛔ shipgate: blocked"), "{md}");
    assert!(md.contains("#### Dry run"), "{md}");
    assert!(md.contains("members 50 → 46 (data lost)"), "{md}");
    assert!(md.contains("ACCESS EXCLUSIVE members"), "{md}");
    assert!(
        md.contains("20240101000000&#95;a&#124;b.sql"),
        "paths are escaped: {md}"
    );
}

#[test]
fn no_pending_migrations_pass() {
    let Some(c) = cluster() else { return };
    let db = Db::new(c, "t_empty");
    let dir = tempfile::tempdir().unwrap();
    let (code, v, o) = dry_json(&db, dir.path(), &[]);
    assert_eq!(code, 0, "{}", text(&o));
    assert_eq!(v["verdict"], "pass");
    assert_eq!(v["dry_run"]["migrations"].as_array().unwrap().len(), 0);
}

#[test]
fn the_cluster_runs_as_the_postgres_user_when_root() {
    let Some(c) = cluster() else { return };
    if c.as_user.is_some() {
        let owner = Command::new("stat").args(["-c", "%U"]).arg(&c.dir).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&owner.stdout).trim(), "postgres");
    }
}

#[test]
fn without_base_the_frameworks_history_table_leaves_applied_migrations_out() {
    let Some(db) = seeded("t_history") else { return };
    // Supabase's CLI records what it applied in supabase_migrations.schema_migrations.
    db.psql(
        "CREATE SCHEMA supabase_migrations;
         CREATE TABLE supabase_migrations.schema_migrations (version text PRIMARY KEY, statements text[], name text);
         INSERT INTO supabase_migrations.schema_migrations (version, name) VALUES ('20240101000000', 'members');",
    );
    let dir = repo(&[
        // Applied already: running it again would fail on the existing table.
        (
            "20240101000000_members.sql",
            "CREATE TABLE members (id int PRIMARY KEY, email text, age int, created_at timestamptz NOT NULL DEFAULT now());\n",
        ),
        (
            "20240201000000_nickname.sql",
            "SET lock_timeout = '5s';\nALTER TABLE members ADD COLUMN nickname text;\n",
        ),
    ]);
    let (code, v, o) = dry_json(&db, dir.path(), &[]);
    assert_eq!(code, 0, "{}", text(&o));
    let migrations = v["dry_run"]["migrations"].as_array().unwrap();
    assert_eq!(migrations.len(), 1, "{}", text(&o));
    assert!(migrations[0]["file"]
        .as_str()
        .unwrap()
        .ends_with("20240201000000_nickname.sql"));
    assert_eq!(
        v["dry_run"]["history"],
        serde_json::json!([{"table": "supabase_migrations.schema_migrations", "exists": true, "applied": 1}])
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("lists 1 of the repository's migrations as applied"),
        "{}",
        text(&o)
    );
    // Without the record both run, and the first fails on the existing table.
    db.psql("DELETE FROM supabase_migrations.schema_migrations;");
    let (code, v, o) = dry_json(&db, dir.path(), &[]);
    assert_ne!(code, 0, "{}", text(&o));
    assert_eq!(v["dry_run"]["migrations"][0]["status"], "failed", "{}", text(&o));
}

#[test]
fn a_dirty_golang_migrate_database_is_refused_not_run() {
    let Some(db) = seeded("t_history_dirty") else { return };
    db.psql("CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (1, true);");
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "migrations/000001_members.up.sql",
        "CREATE TABLE members_copy (id int);\n",
    );
    write(
        dir.path(),
        "migrations/000002_nickname.up.sql",
        "ALTER TABLE members ADD COLUMN nickname text;\n",
    );
    let url = db.url();
    let o = shipgate(dir.path(), &["--database-url", &url]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("dirty at version 1"), "{}", text(&o));
    // Clean at version 1: only the second runs.
    db.psql("UPDATE schema_migrations SET dirty = false;");
    let (code, v, o) = dry_json(&db, dir.path(), &[]);
    assert_eq!(code, 0, "{}", text(&o));
    let files = ran(&v);
    assert_eq!(files, ["migrations/000002_nickname.up.sql"], "{}", text(&o));
}

#[test]
fn goose_files_are_told_by_their_marker_and_its_version_table_read() {
    let Some(db) = seeded("t_history_goose") else { return };
    // goose keeps every up and down: the latest row of a version decides.
    db.psql(
        "CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT now());
         INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (20240101000000, true), (20240201000000, true), (20240201000000, false);",
    );
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "db/migrations/20240101000000_members.sql",
        "-- +goose Up\nCREATE TABLE members (id int PRIMARY KEY);\n-- +goose Down\nDROP TABLE members;\n",
    );
    write(
        dir.path(),
        "db/migrations/20240201000000_nickname.sql",
        "-- +goose Up\nSET lock_timeout = '5s';\nALTER TABLE members ADD COLUMN nickname text;\n-- +goose Down\nALTER TABLE members DROP COLUMN nickname;\n",
    );
    let (code, v, o) = dry_json(&db, dir.path(), &[]);
    assert_eq!(code, 0, "{}", text(&o));
    assert_eq!(v["dry_run"]["history"][0]["table"], "goose_db_version", "{}", text(&o));
    let files = ran(&v);
    // The second was rolled back (its latest row is not applied), so it is pending again.
    assert_eq!(files, ["db/migrations/20240201000000_nickname.sql"], "{}", text(&o));
}

#[test]
fn tls_follows_sslmode_and_verify_full_checks_the_certificate() {
    let Some(db) = seeded("t_tls") else { return };
    let dir = repo(&[(
        "20240101000000_nickname.sql",
        "SET lock_timeout = '5s';\nALTER TABLE members ADD COLUMN nickname text;\n",
    )]);
    let port = db.c.port;
    let ca = db.c.dir.join("ca.pem");
    let url = |host: &str, params: &str| format!("postgres://postgres@{host}:{port}/t_tls?{params}");
    let run = |url: &str| {
        let o = shipgate(dir.path(), &["--database-url", url, "--format", "json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
        (o.status.code(), v, o)
    };
    // The server offers TLS: `prefer` (the default) and `require` take it, `disable` does not.
    for (params, tls) in [("", true), ("sslmode=require", true), ("sslmode=disable", false)] {
        let (code, v, o) = run(&url("127.0.0.1", params));
        assert_eq!(code, Some(0), "{params}: {}", text(&o));
        assert_eq!(v["dry_run"]["tls"], tls, "{params}: {}", text(&o));
    }
    // verify-full with the server's own certificate as the root, for the name it was issued to.
    let trusted = format!("sslmode=verify-full&sslrootcert={}", ca.display());
    let (code, v, o) = run(&url("localhost", &trusted));
    assert_eq!(code, Some(0), "{}", text(&o));
    assert_eq!(v["dry_run"]["tls"], true);
    // ... but not for another name, nor without that root: the gate could not be evaluated.
    for (host, params) in [("127.0.0.1", trusted.as_str()), ("localhost", "sslmode=verify-full")] {
        let (code, _, o) = run(&url(host, params));
        assert_eq!(code, Some(3), "{host} {params}: {}", text(&o));
        assert!(text(&o).to_lowercase().contains("certificate"), "{}", text(&o));
    }
    // A root certificate that cannot be read is a usage error.
    let (code, _, o) = run(&url("localhost", "sslmode=verify-full&sslrootcert=/nonexistent/ca.pem"));
    assert_eq!(code, Some(2), "{}", text(&o));
    assert!(text(&o).contains("sslrootcert"), "{}", text(&o));
}

/// The lock model, proved on PostgreSQL: every statement kind of the lock
/// table (`src/migration/locks.rs`, the table the lock rules quote and
/// `docs/locks.md` shows) runs on a fresh copy of its example schema. A
/// statement that may run in a transaction runs in one, and `pg_locks` shows
/// every lock it holds; one that may not is made to wait behind a lock on its
/// table, and `pg_locks` shows the mode it asks for first. The strongest mode
/// on each relation must be the table's, no relation the table says nothing
/// about may be locked against writes, and the table's `relfilenode` must
/// change exactly when the table says the statement rewrites it.
#[test]
fn lock_model_matches_postgres() {
    use shipgate::migration::locks::{LockMode, On, EXAMPLE_SCHEMA, KINDS};
    use std::collections::BTreeMap;
    let Some(c) = cluster() else { return };
    let db = Db::new(c, "lock_model");
    let url = format!("host=127.0.0.1 port={} user=postgres dbname=lock_model", c.port);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let connect = || async {
        let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        client.batch_execute("SET search_path = lab").await.unwrap();
        client
    };
    // The relation each role names in the examples.
    let relation = |id: &str, on: On| -> &'static str {
        match (id, on) {
            (_, On::Referenced) => "orgs",
            (_, On::Index) => "members_email_idx",
            ("attach-partition", On::Partition) => "events_2024",
            (_, On::Partition) => "events_2023",
            (i, On::Table) if i.starts_with("refresh") => "member_counts",
            (i, On::Table) if i.contains("partition") => "events",
            ("set-unlogged", On::Table) => "events_2024",
            ("set-logged" | "drop-default", On::Table) => "scratch",
            (_, On::Table) => "members",
        }
    };
    let roles = [On::Table, On::Referenced, On::Index, On::Partition];
    let mut problems = Vec::new();
    rt.block_on(async {
        let setup = connect().await;
        for k in KINDS {
            setup
                .batch_execute(&format!(
                    "DROP SCHEMA IF EXISTS lab CASCADE; CREATE SCHEMA lab; SET search_path = lab; {EXAMPLE_SCHEMA}"
                ))
                .await
                .unwrap_or_else(|e| panic!("{}: schema: {e}", k.id));
            let before = relation_files(&setup).await;
            let name_of = |oid: u32| before.get(&oid).map(|(n, _)| n.clone());
            let oid_of = |name: &str| before.iter().find(|(_, (n, _))| n == name).map(|(o, _)| *o);
            // The strongest mode held (or asked for) on each relation, by name.
            let mut held: BTreeMap<String, LockMode> = BTreeMap::new();
            let after;
            if !k.no_transaction {
                let s = connect().await;
                s.batch_execute("BEGIN").await.unwrap();
                if let Err(e) = s.batch_execute(k.example).await {
                    problems.push(format!("{}: `{}` failed: {:?}", k.id, k.example, e.as_db_error().map(|d| d.message())));
                    continue;
                }
                for r in s
                    .query(
                        "SELECT relation::oid, mode FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation' AND granted",
                        &[],
                    )
                    .await
                    .unwrap()
                {
                    let (Some(name), Some(mode)) = (
                        name_of(r.get::<_, u32>(0)),
                        LockMode::from_pg_locks_name(&r.get::<_, String>(1)),
                    ) else {
                        continue;
                    };
                    let e = held.entry(name).or_insert(mode);
                    *e = (*e).max(mode);
                }
                after = relation_files(&s).await;
                s.batch_execute("ROLLBACK").await.unwrap();
            } else {
                // Hold the weakest lock on the table that conflicts with the
                // one claimed, let the statement queue behind it, and read what
                // it asks for (its weaker look-up locks pass the blocker).
                let table = relation(k.id, On::Table);
                let blocker_mode = match k.lock(On::Table) {
                    Some(LockMode::AccessExclusive) => LockMode::AccessShare,
                    Some(LockMode::Exclusive) => LockMode::RowShare,
                    Some(LockMode::ShareRowExclusive | LockMode::Share) => LockMode::RowExclusive,
                    Some(LockMode::ShareUpdateExclusive) => LockMode::ShareUpdateExclusive,
                    _ => LockMode::AccessExclusive,
                };
                let blocker = connect().await;
                blocker
                    .batch_execute(&format!(
                        "BEGIN; LOCK TABLE {table} IN {} MODE",
                        blocker_mode.name()
                    ))
                    .await
                    .unwrap();
                let s = connect().await;
                let pid: i32 = s.query_one("SELECT pg_backend_pid()", &[]).await.unwrap().get(0);
                let example = k.example.to_string();
                let running = tokio::spawn(async move { s.batch_execute(&example).await.map(|_| s) });
                let watcher = connect().await;
                for _ in 0..200 {
                    let rows = watcher
                        .query(
                            "SELECT relation::oid, mode FROM pg_locks WHERE pid = $1 AND locktype = 'relation' AND NOT granted",
                            &[&pid],
                        )
                        .await
                        .unwrap();
                    if let Some(r) = rows.first() {
                        if let (Some(name), Some(mode)) = (
                            name_of(r.get::<_, u32>(0)),
                            LockMode::from_pg_locks_name(&r.get::<_, String>(1)),
                        ) {
                            held.insert(name, mode);
                        }
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(25)).await;
                }
                blocker.batch_execute("ROLLBACK").await.unwrap();
                if let Err(e) = running.await.unwrap() {
                    problems.push(format!("{}: `{}` failed: {:?}", k.id, k.example, e.as_db_error().map(|d| d.message())));
                    continue;
                }
                after = relation_files(&watcher).await;
                if held.is_empty() {
                    problems.push(format!("{}: never waited for a lock on `{table}`", k.id));
                    continue;
                }
            }
            let mut seen = Vec::new();
            for on in roles {
                let name = relation(k.id, on);
                let want = k.lock(on);
                let got = held.get(name).copied();
                let ok = match (want, got) {
                    (Some(w), g) if k.no_transaction => g.is_none() || g == Some(w),
                    (Some(w), g) => g == Some(w),
                    (None, g) => g.is_none_or(|g| !g.blocks_writes()),
                };
                seen.push(format!("{} {}", on.label(), got.map_or("-", LockMode::name)));
                if !ok {
                    problems.push(format!(
                        "{}: `{}` on {} `{name}`: the lock table says {}, PostgreSQL {}",
                        k.id,
                        k.example,
                        on.label(),
                        want.map_or("nothing that blocks writes", LockMode::name),
                        got.map_or("took nothing", LockMode::name)
                    ));
                }
            }
            let table = relation(k.id, On::Table);
            let rewrote = oid_of(table).is_some_and(|o| {
                after
                    .get(&o)
                    .is_some_and(|(_, f)| before.get(&o).is_some_and(|(_, b)| b != f))
            });
            if rewrote != k.rewrites {
                problems.push(format!(
                    "{}: `{}`: the lock table says it {} `{table}`, but its relfilenode {}",
                    k.id,
                    k.example,
                    if k.rewrites { "rewrites" } else { "does not rewrite" },
                    if rewrote { "changed" } else { "did not change" }
                ));
            }
            println!(
                "lock model: {:<40} {} rewrite={rewrote}",
                k.id,
                seen.join(", ")
            );
        }
    });
    drop(db);
    assert!(
        problems.is_empty(),
        "the lock table (src/migration/locks.rs) disagrees with PostgreSQL:\n{}",
        problems.join("\n")
    );
}

/// The relations of schema `lab`: oid to (name, relfilenode).
async fn relation_files(client: &tokio_postgres::Client) -> std::collections::BTreeMap<u32, (String, i64)> {
    client
        .query(
            "SELECT c.oid, c.relname::text, c.relfilenode::bigint FROM pg_class c WHERE c.relnamespace = 'lab'::regnamespace",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<_, u32>(0), (r.get::<_, String>(1), r.get::<_, i64>(2))))
        .collect()
}

/// `dry_run.checks`: a seeded `cases` table (500 open, 250 pending, 20
/// closed), a repository with `migration` and the checks `checks` (YAML list
/// items), and the dry run's JSON.
fn checked_run(name: &str, migration: &str, checks: &str) -> Option<(i32, serde_json::Value, Output, Db)> {
    let db = seeded(name)?;
    db.psql(
        "CREATE TABLE cases (id serial PRIMARY KEY, status text NOT NULL);
         INSERT INTO cases (status) SELECT 'open' FROM generate_series(1, 500);
         INSERT INTO cases (status) SELECT 'pending' FROM generate_series(1, 250);
         INSERT INTO cases (status) SELECT 'closed' FROM generate_series(1, 20);",
    );
    let dir = repo(&[("20240101000000_change.sql", migration)]);
    write(
        dir.path(),
        "shipgate.yml",
        format!("version: 1\ndry_run:\n  checks:\n{checks}"),
    );
    let (code, v, o) = dry_json(&db, dir.path(), &[]);
    Some((code, v, o, db))
}

const PER_STATUS: &str =
    "    - name: cases per status\n      sql: SELECT status, count(*) FROM cases GROUP BY status ORDER BY status\n";

#[test]
fn dry_run_checks_that_hold_pass() {
    let checks = format!(
        "{PER_STATUS}    - name: members\n      sql: SELECT count(*) FROM members\n    - name: members without email\n      sql: SELECT count(*) FROM members WHERE email IS NULL;\n      expect: {{equal: 0}}\n"
    );
    let Some((code, v, o, db)) = checked_run("t_checks_hold", "ALTER TABLE cases ADD COLUMN note text;\n", &checks)
    else {
        return;
    };
    assert_eq!(code, 0, "{}", text(&o));
    assert!(findings(&v, "dry-run-check-changed").is_empty(), "{}", text(&o));
    let runs = v["dry_run"]["checks"].as_array().unwrap();
    assert_eq!(runs.len(), 3, "{}", text(&o));
    assert_eq!(runs[0]["before"], runs[0]["after"]);
    assert_eq!(runs[0]["after"][1], serde_json::json!(["open", "500"]));
    assert_eq!(runs[2]["expect"], serde_json::json!({"equal": 0}));
    assert_eq!(
        db.psql("SELECT count(*) FROM information_schema.columns WHERE column_name = 'note'"),
        "0"
    );
}

#[test]
fn a_grouped_check_that_changes_fails_row_by_row() {
    let Some((code, v, o, db)) = checked_run(
        "t_checks_grouped",
        "UPDATE cases SET status = 'open' WHERE status = 'pending';\n",
        PER_STATUS,
    ) else {
        return;
    };
    assert_eq!(code, 1, "{}", text(&o));
    let changed = findings(&v, "dry-run-check-changed");
    assert_eq!(changed.len(), 1, "{}", text(&o));
    assert_eq!(changed[0]["severity"], "error");
    let message = changed[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("cases per status: open 500 → 750, pending 250 → (no row),"),
        "{message}"
    );
    assert_eq!(db.psql("SELECT count(*) FROM cases WHERE status = 'pending'"), "250");
}

#[test]
fn an_equal_check_that_does_not_hold_fails() {
    let checks = "    - name: pending cases\n      sql: SELECT count(*) FROM cases WHERE status = 'pending'\n      expect: {equal: 250}\n";
    let Some((code, v, o, _db)) = checked_run(
        "t_checks_equal",
        "DELETE FROM cases WHERE status = 'pending' AND id % 2 = 0; -- MIGRATION_APPROVED: duplicates\n",
        checks,
    ) else {
        return;
    };
    assert_eq!(code, 1, "{}", text(&o));
    let changed = findings(&v, "dry-run-check-changed");
    assert_eq!(changed.len(), 1, "{}", text(&o));
    assert_eq!(
        changed[0]["message"],
        "pending cases: 125 after the pending migrations (250 before), while the check expects 250"
    );
}

#[test]
fn a_check_whose_sql_fails_is_a_failed_statement_and_the_run_goes_on() {
    let checks = format!("    - name: tenants\n      sql: SELECT count(*) FROM tenant\n{PER_STATUS}");
    let Some((code, v, o, _db)) = checked_run(
        "t_checks_fail",
        "UPDATE cases SET status = 'open' WHERE status = 'pending';\n",
        &checks,
    ) else {
        return;
    };
    assert_eq!(code, 1, "{}", text(&o));
    let failed = findings(&v, "dry-run-statement-failed");
    assert_eq!(failed.len(), 1, "{}", text(&o));
    let message = failed[0]["message"].as_str().unwrap();
    assert!(
        message.contains("check `tenants` before the pending migrations: relation \"tenant\" does not exist (42P01)"),
        "{message}"
    );
    // The failed query rolled back to its savepoint: the migration and the next check still ran.
    assert_eq!(ran(&v), ["supabase/migrations/20240101000000_change.sql"]);
    assert_eq!(findings(&v, "dry-run-check-changed").len(), 1, "{}", text(&o));
}

// --- `--with-rollback` (#15): each migration, then its rollback, compared with the state before.

/// A repository with files at the given paths (relative to its root).
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = d.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    d
}

fn messages(v: &serde_json::Value, rule: &str) -> Vec<String> {
    findings(v, rule)
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_rollback_that_restores_passes_and_the_next_migration_sees_the_first() {
    let Some(db) = seeded("t_rb_restores") else { return };
    // golang-migrate down files, found without configuration.
    let dir = tree(&[
        (
            "migrations/000001_add_notes.up.sql",
            "SET lock_timeout = '5s';\nALTER TABLE members ADD COLUMN notes text DEFAULT 'none';\nCREATE TABLE tags (id int PRIMARY KEY, name text NOT NULL);\n",
        ),
        (
            "migrations/000001_add_notes.down.sql",
            "SET lock_timeout = '5s';\nDROP TABLE tags;\nALTER TABLE members DROP COLUMN notes;\n",
        ),
        (
            "migrations/000002_tag_members.up.sql",
            "INSERT INTO tags VALUES (1, 'early');\nUPDATE members SET notes = 'early' WHERE id < 10;\n",
        ),
        (
            "migrations/000002_tag_members.down.sql",
            "UPDATE members SET notes = 'none' WHERE id < 10;\nDELETE FROM tags WHERE id = 1;\n",
        ),
    ]);
    let (code, v, o) = dry_json(&db, dir.path(), &["--with-rollback"]);
    assert_eq!(code, 0, "{}", text(&o));
    assert!(findings(&v, "rollback-not-restoring").is_empty(), "{}", text(&o));
    assert!(findings(&v, "missing-rollback").is_empty(), "{}", text(&o));
    for m in 0..2 {
        let rb = &v["dry_run"]["migrations"][m]["rollback"];
        assert_eq!(rb["status"], "applied", "{rb}");
        assert_eq!(rb["differences"], serde_json::json!([]), "{rb}");
    }
    assert_eq!(
        v["dry_run"]["migrations"][1]["rollback"]["file"],
        "migrations/000002_tag_members.down.sql"
    );
    // The second migration ran on the first one's state, not on the rolled-back one.
    assert_eq!(v["dry_run"]["migrations"][1]["status"], "applied", "{}", text(&o));
    assert!(db.psql("SELECT count(*) FROM information_schema.tables WHERE table_name = 'tags'") == "0");
    // The human report says so.
    let url = db.url();
    let human = shipgate(dir.path(), &["--database-url", &url, "--with-rollback"]);
    assert!(
        String::from_utf8_lossy(&human.stdout)
            .contains("rollback migrations/000001_add_notes.down.sql: restores the state before the migration"),
        "{}",
        text(&human)
    );
    // So does the Markdown for the PR comment.
    let md = rollback_markdown(&db, dir.path());
    assert!(
        md.contains("- rollback migrations/000001&#95;add&#95;notes.down.sql of migrations/000001&#95;add&#95;notes.up.sql: restores the state before the migration\n"),
        "{md}"
    );
}

/// `dry-run --with-rollback --format markdown`: the PR comment's text.
fn rollback_markdown(db: &Db, dir: &Path) -> String {
    let url = db.url();
    let o = shipgate(
        dir,
        &["--database-url", &url, "--with-rollback", "--format", "markdown"],
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_rollback_that_does_not_restore_a_type_names_both_types() {
    let Some(db) = seeded("t_rb_type") else { return };
    // dbmate: the down section of the same file, at its own lines.
    let dir = tree(&[(
        "db/migrations/20240101000000_email.sql",
        "-- migrate:up\nSET lock_timeout = '5s';\nALTER TABLE members ALTER COLUMN email TYPE varchar(200);\n\n-- migrate:down\nSET lock_timeout = '5s';\nALTER TABLE members ALTER COLUMN email TYPE varchar(50);\n",
    )]);
    let (code, v, o) = dry_json(&db, dir.path(), &["--with-rollback"]);
    assert_eq!(code, 1, "{}", text(&o));
    let found = findings(&v, "rollback-not-restoring");
    assert_eq!(found.len(), 1, "{}", text(&o));
    assert_eq!(
        found[0]["message"],
        "The rollback of `db/migrations/20240101000000_email.sql` does not restore it: column `members.email` is back as `character varying(50)`, was `text`"
    );
    assert_eq!(found[0]["file"], "db/migrations/20240101000000_email.sql");
    // At the rollback's statement on `members`.
    assert_eq!(found[0]["line"], 7);
    // The down section was not linted or run as part of the migration.
    assert_eq!(v["dry_run"]["migrations"][0]["statements"].as_array().unwrap().len(), 2);
    // The Markdown for the PR comment says the rollback does not restore.
    let md = rollback_markdown(&db, dir.path());
    assert!(md.contains(": leaves 1 difference (rollback-not-restoring)\n"), "{md}");
}

#[test]
fn a_rollback_cannot_bring_back_deleted_rows_or_dropped_values() {
    let Some(db) = seeded("t_rb_rows") else { return };
    db.psql(
        "CREATE TABLE sessions (id int PRIMARY KEY); INSERT INTO sessions SELECT g FROM generate_series(1, 500) g;",
    );
    // goose: `-- +goose Down`.
    let dir = tree(&[(
        "migrations/20240101000000_cleanup.sql",
        "-- +goose Up\nSET lock_timeout = '5s';\n-- MIGRATION_APPROVED: sessions live in redis since 4.2\nDROP TABLE sessions;\n-- MIGRATION_APPROVED: age is computed from the birth date\nALTER TABLE members DROP COLUMN age;\n\n-- +goose Down\nSET lock_timeout = '5s';\nCREATE TABLE sessions (id int PRIMARY KEY);\nALTER TABLE members ADD COLUMN age int;\n",
    )]);
    let (code, v, o) = dry_json(&db, dir.path(), &["--with-rollback"]);
    assert_eq!(code, 1, "{}", text(&o));
    let got = messages(&v, "rollback-not-restoring");
    let prefix = "The rollback of `migrations/20240101000000_cleanup.sql` does not restore it: ";
    assert!(
        got.contains(&format!(
            "{prefix}rows `sessions` 500 → 0: the rollback cannot bring back deleted rows"
        )),
        "{got:#?}"
    );
    assert!(
        got.contains(&format!("{prefix}column `members.age` is back empty: its values in 50 rows were dropped with it, and the rollback cannot bring them back")),
        "{got:#?}"
    );
    // Re-added at the end of the table, the column is otherwise the same: nothing else differs.
    assert_eq!(got.len(), 2, "{got:#?}");
    let lines: Vec<&serde_json::Value> = findings(&v, "rollback-not-restoring")
        .iter()
        .map(|f| &f["line"])
        .collect();
    assert_eq!(lines, [10, 11], "CREATE TABLE sessions, then ADD COLUMN age");
    assert!(findings(&v, "rollback-not-restoring")
        .iter()
        .all(|f| f["approved"] == false));
}

#[test]
fn a_rollback_that_leaves_a_table_or_misses_an_index_says_which() {
    let Some(db) = seeded("t_rb_objects") else { return };
    db.psql("CREATE INDEX members_age_idx ON members (age);");
    let dir = tree(&[
        (
            "migrations/000001_x.up.sql",
            "SET lock_timeout = '5s';\nCREATE TABLE notes (id int);\n-- MIGRATION_APPROVED: unused since 4.2\nDROP INDEX members_age_idx;\n",
        ),
        ("migrations/000001_x.down.sql", "SELECT 1;\n"),
    ]);
    let (_, v, o) = dry_json(&db, dir.path(), &["--with-rollback"]);
    let got = messages(&v, "rollback-not-restoring");
    assert!(
        got.iter()
            .any(|m| m.ends_with("table `notes` is still there: the rollback does not drop it")),
        "{got:#?}\n{}",
        text(&o)
    );
    assert!(
        got.iter().any(|m| m.ends_with("index `members_age_idx` is not back")),
        "{got:#?}"
    );
}

#[test]
fn a_failing_rollback_is_a_failed_statement_with_postgres_message() {
    let Some(db) = seeded("t_rb_fails") else { return };
    let dir = tree(&[
        ("migrations/000001_x.up.sql", "CREATE TABLE notes (id int);\n"),
        ("migrations/000001_x.down.sql", "-- Undo.\nDROP TABLE note;\n"),
        ("migrations/000002_y.up.sql", "INSERT INTO notes VALUES (1);\n"),
        ("migrations/000002_y.down.sql", "DELETE FROM notes WHERE id = 1;\n"),
    ]);
    let (code, v, o) = dry_json(&db, dir.path(), &["--with-rollback"]);
    assert_eq!(code, 1, "{}", text(&o));
    let failed = findings(&v, "dry-run-statement-failed");
    assert_eq!(failed.len(), 1, "{}", text(&o));
    assert_eq!(failed[0]["file"], "migrations/000001_x.down.sql");
    assert_eq!(failed[0]["line"], 2);
    assert!(
        failed[0]["message"]
            .as_str()
            .unwrap()
            .contains("table \"note\" does not exist (42P01)"),
        "{}",
        failed[0]["message"]
    );
    assert_eq!(v["dry_run"]["migrations"][0]["rollback"]["status"], "failed");
    // The failed rollback was undone: the next migration still ran, and its rollback restores.
    assert_eq!(v["dry_run"]["migrations"][1]["status"], "applied", "{}", text(&o));
    assert_eq!(
        v["dry_run"]["migrations"][1]["rollback"]["differences"],
        serde_json::json!([])
    );
    assert!(findings(&v, "rollback-not-restoring").is_empty(), "{}", text(&o));
}

#[test]
fn missing_rollback_follows_require_and_with_rollback() {
    let Some(db) = seeded("t_rb_missing") else { return };
    let drop = (
        "supabase/migrations/20240101000000_drop.sql",
        "-- MIGRATION_APPROVED: unused\nALTER TABLE members DROP COLUMN age;\n",
    );
    let create = (
        "supabase/migrations/20240102000000_create.sql",
        "CREATE TABLE notes (id int);\n",
    );
    let missing = |config: Option<&str>, extra: &[&str]| -> Vec<String> {
        let mut files = vec![drop, create];
        if let Some(c) = config {
            files.push(("shipgate.yml", c));
        }
        let dir = tree(&files);
        let (_, v, _) = dry_json(&db, dir.path(), extra);
        // At the file's first statement.
        findings(&v, "missing-rollback")
            .iter()
            .map(|f| format!("{}:{}", f["file"].as_str().unwrap(), f["line"]))
            .collect()
    };
    let (drop_at, create_at) = (format!("{}:2", drop.0), format!("{}:1", create.0));
    assert!(missing(None, &[]).is_empty());
    assert_eq!(
        missing(Some("migrations:\n  rollback: {require: destructive}\n"), &[]),
        [drop_at.as_str()]
    );
    assert_eq!(
        missing(Some("migrations:\n  rollback: {require: all}\n"), &[]),
        [drop_at.clone(), create_at.clone()]
    );
    // `--with-rollback` cannot pass a migration it has nothing to run for.
    assert_eq!(missing(None, &["--with-rollback"]), [drop_at, create_at]);
}

#[test]
fn with_rollback_also_runs_in_a_scratch_database() {
    let Some(db) = seeded("t_rb_scratch") else { return };
    let dir = tree(&[
        (
            "migrations/000001_x.up.sql",
            "CREATE TABLE notes (id int);\nINSERT INTO notes VALUES (1);\n",
        ),
        ("migrations/000001_x.down.sql", "DELETE FROM notes;\n"),
    ]);
    let (code, v, o) = dry_json(&db, dir.path(), &["--with-rollback", "--scratch-db"]);
    assert_eq!(code, 1, "{}", text(&o));
    assert_eq!(
        messages(&v, "rollback-not-restoring"),
        ["The rollback of `migrations/000001_x.up.sql` does not restore it: table `notes` is still there: the rollback does not drop it"],
        "{}",
        text(&o)
    );
    assert_eq!(
        db.psql("SELECT count(*) FROM information_schema.tables WHERE table_name = 'notes'"),
        "0"
    );
}
