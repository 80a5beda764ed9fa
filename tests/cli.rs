//! The binary as a user runs it: exit codes, stdout, stderr, for every exit code.

mod common;
use common::{git, write};

use std::path::Path;
use std::process::{Command, Output};

fn shipgate(args: &[&str], dir: &Path) -> Output {
    shipgate_with(args, dir, &[])
}

/// With environment variables set (`RUST_BACKTRACE` unset unless given).
fn shipgate_with(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipgate"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn exit_0_on_a_safe_migration() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "m.sql", "CREATE TABLE t (id int);\nCREATE INDEX ON t (id);\n");
    let o = shipgate(&["lint", "m.sql"], d.path());
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("shipgate: pass"));
}

#[test]
fn fail_on_warning_blocks_on_an_unapproved_warning() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "m.sql", "VACUUM FULL members;\n");
    let o = shipgate(&["lint", "m.sql"], d.path());
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("ban-vacuum-full"));
    let o = shipgate(&["lint", "--fail-on", "warning", "--format", "json", "m.sql"], d.path());
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("\"verdict\": \"blocked\""), "{}", stdout(&o));
    // Approved, it no longer blocks.
    write(d.path(), "m.sql", "SET lock_timeout = '5s';\n-- MIGRATION_APPROVED(ban-vacuum-full): maintenance window 42\nVACUUM FULL members;\n");
    let o = shipgate(&["lint", "--fail-on", "warning", "m.sql"], d.path());
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let o = shipgate(&["lint", "--fail-on", "note", "m.sql"], d.path());
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn exit_1_with_the_finding_on_a_destructive_migration() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "m.sql", "SELECT 1;\nALTER TABLE members DROP COLUMN email;\n");
    let o = shipgate(&["lint", "m.sql"], d.path());
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("ban-drop-column") && out.contains("m.sql:2:1"), "{out}");
    assert!(out.contains("help:"), "{out}");
}

#[test]
fn json_goes_to_stdout_alone() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "m.sql", "DROP TABLE x;\n");
    let o = shipgate(&["lint", "--format", "json", "m.sql"], d.path());
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is one JSON document");
    assert_eq!(v["verdict"], "blocked");
    assert_eq!(v["findings"][0]["rule"], "ban-drop-table");
    assert_eq!(v["findings"][0]["line"], 1);
}

/// `shipgate lint - --stdin-filename <name> --format json` in `dir`, reading `sql`.
fn lint_stdin(dir: &Path, name: &str, sql: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shipgate"))
        .args(["lint", "-", "--stdin-filename", name, "--format", "json"])
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(sql.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn stdin_is_not_asked_for_a_rollback() {
    // Documented on the rule's page: stdin has no neighbouring down file.
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write(p, "shipgate.yml", "migrations:\n  rollback:\n    require: all\n");
    let name = "migrations/000001_b.up.sql";
    let sql = "CREATE TABLE b (id int);\n";
    write(p, name, sql);
    let rules = |o: &Output| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let found = v["findings"].as_array().unwrap().iter();
        found.map(|f| f["rule"].as_str().unwrap().to_string()).collect()
    };
    let from_disk = shipgate(&["lint", name, "--format", "json"], p);
    assert_eq!(rules(&from_disk), ["missing-rollback"], "{}", stdout(&from_disk));
    assert_eq!(rules(&lint_stdin(p, name, sql)), Vec::<String>::new());
}

#[test]
fn stdin_with_a_filename() {
    let d = tempfile::tempdir().unwrap();
    let o = lint_stdin(
        d.path(),
        "supabase/migrations/1_x.sql",
        "CREATE INDEX CONCURRENTLY i ON t (a);\n",
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // Supabase wraps each file in a transaction, where CONCURRENTLY fails.
    assert_eq!(v["findings"][0]["rule"], "ban-concurrently-in-transaction");
    assert_eq!(v["findings"][0]["file"], "supabase/migrations/1_x.sql");
}

#[test]
fn exit_2_on_a_bad_flag() {
    let d = tempfile::tempdir().unwrap();
    let o = shipgate(&["lint", "--frobnicate", "x.sql"], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--frobnicate"));
}

#[test]
fn exit_2_on_a_missing_path() {
    let d = tempfile::tempdir().unwrap();
    let o = shipgate(&["lint", "nope.sql"], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nope.sql"));
}

#[test]
fn exit_2_on_invalid_config_pointing_at_the_line() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "shipgate.yml",
        "version: 1\nmigrations:\n  dialekt: postgres\n",
    );
    let o = shipgate(&["check", "."], d.path());
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("unknown field `dialekt`") && err.contains("shipgate.yml:3:3"),
        "{err}"
    );
}

#[test]
fn a_misspelt_rule_in_config_gets_a_suggestion_printed_once() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "shipgate.yml",
        "version: 1\nrules:\n  ban-drop-colum: warning\n",
    );
    let o = shipgate(&["check", "."], d.path());
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("did you mean `ban-drop-column`?"), "{err}");
    assert!(err.contains("shipgate.yml:3:3"), "{err}");
    assert_eq!(err.matches("unknown rule `ban-drop-colum`").count(), 1, "{err}");
    assert!(!err.lines().any(|l| l.starts_with("error:")), "{err}");
    // A configuration file that does not exist: once, naming it.
    let o = shipgate(&["check", ".", "--config", "nope.yml"], d.path());
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.matches("no such configuration file").count(), 1, "{err}");
    assert!(err.contains("nope.yml"), "{err}");
}

#[test]
fn exit_2_on_an_unknown_rule() {
    let d = tempfile::tempdir().unwrap();
    let o = shipgate(&["explain", "ban-drop-colum"], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown rule"));
}

#[test]
fn exit_2_on_an_unknown_base() {
    let d = tempfile::tempdir().unwrap();
    let o = shipgate(&["check", ".", "--base", "no-such-rev"], d.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn exit_3_when_a_file_cannot_be_read() {
    // Reading /proc/self/mem fails with EIO: an I/O failure, never a pass.
    let d = tempfile::tempdir().unwrap();
    let o = shipgate(&["lint", "/proc/self/mem"], d.path());
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot read"));
}

#[test]
fn exit_3_when_git_cannot_run() {
    let d = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_shipgate"))
        .args(["check", ".", "--base", "main"])
        .current_dir(d.path())
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
}

/// Issue #17: a migration that starts with a byte-order mark panicked (exit 101).
#[test]
fn a_migration_starting_with_a_bom_is_linted_at_line_1_column_1() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "m.sql", b"\xef\xbb\xbfALTER TABLE members DROP COLUMN x;\n");
    let o = shipgate(&["lint", "--format", "json", "m.sql"], d.path());
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(
        (&f["rule"], &f["line"], &f["column"]),
        (&"ban-drop-column".into(), &1.into(), &1.into())
    );
    // The smallest file of the issue: an empty literal, then an em dash.
    write(d.path(), "m.sql", "''—");
    let o = shipgate(&["lint", "m.sql"], d.path());
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

/// A crash (always a bug) is one line on stderr that names the file, and
/// exit 3, never 101 or a pass: in the main thread, in a migration parsing
/// thread and in a flag search thread. `SHIPGATE_TEST_PANIC` is test-only.
#[test]
fn a_crash_is_one_line_naming_the_file_and_exit_3() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "supabase/migrations/20250101000000_a.sql",
        "CREATE TABLE t (id int);\n",
    );
    write(
        d.path(),
        "docs/flags.md",
        "| Flag | Owner | Default |\n|---|---|---|\n| `x` | @a | off |\n",
    );
    write(d.path(), "src/app.ts", "useFlag(\"x\");\n");
    for (args, file) in [
        (
            &["lint", "supabase/migrations/20250101000000_a.sql"][..],
            "supabase/migrations/20250101000000_a.sql",
        ),
        (&["check"][..], "docs/flags.md"),
        (&["check"][..], "src/app.ts"),
        (&["check"][..], "supabase/migrations/20250101000000_a.sql"),
    ] {
        let o = shipgate_with(args, d.path(), &[("SHIPGATE_TEST_PANIC", file)]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(3), "{args:?} {file}: {}{err}", stdout(&o));
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("error: shipgate crashed while reading `"), "{err}");
        assert!(
            err.contains(&format!("{file}`")) && err.contains("this is a bug, please report it"),
            "{err}"
        );
        assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    }
    // The backtrace only when asked for.
    let o = shipgate_with(
        &["lint", "supabase"],
        d.path(),
        &[("SHIPGATE_TEST_PANIC", "1"), ("RUST_BACKTRACE", "1")],
    );
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).lines().count() > 1, "{}", stderr(&o));
}

#[test]
fn non_utf8_and_binary_migrations_are_input_errors_not_passes() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("latin1.sql"), b"DROP TABLE caf\xe9;\n").unwrap();
    std::fs::write(d.path().join("bin.sql"), b"\x00\x01\x02DROP").unwrap();
    let o = shipgate(&["lint", "--format", "json", "latin1.sql", "bin.sql"], d.path());
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rules: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(rules, ["invalid-migration-file", "invalid-migration-file"]);
    assert_eq!(v["verdict"], "error");
}

#[test]
fn rules_lists_every_rule_and_explain_prints_its_page() {
    let d = tempfile::tempdir().unwrap();
    let o = shipgate(&["rules"], d.path());
    assert_eq!(o.status.code(), Some(0));
    for meta in shipgate::registry::all() {
        assert!(stdout(&o).contains(meta.id), "{} missing from `rules`", meta.id);
    }
    let o = shipgate(&["explain", "ban-drop-column"], d.path());
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("## How to ship it safely"));
}

#[test]
fn severity_overrides_come_from_config() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "shipgate.yml", "rules:\n  ban-drop-table: warning\n");
    // With a lock_timeout, `ban-drop-table` is the statement's only finding.
    write(d.path(), "m.sql", "SET lock_timeout = '5s';\nDROP TABLE x;\n");
    let o = shipgate(&["lint", "m.sql"], d.path());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    write(d.path(), "shipgate.yml", "rules:\n  ban-drop-table: off\n");
    let o = shipgate(&["lint", "--format", "json", "m.sql"], d.path());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn init_writes_files_and_never_overwrites() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "shipgate.yml", "# mine\n");
    let o = shipgate(&["init"], d.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(d.path().join("shipgate.yml")).unwrap(),
        "# mine\n"
    );
    let e = tempfile::tempdir().unwrap();
    let o = shipgate(&["init"], e.path());
    assert_eq!(o.status.code(), Some(0));
    let cfg = std::fs::read_to_string(e.path().join("shipgate.yml")).unwrap();
    shipgate::config::parse(&cfg).unwrap();
    // What init writes passes the gate it configures.
    let o = shipgate(&["check", "."], e.path());
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn init_grandfathers_the_history_and_a_new_drop_column_is_still_blocked() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    // Years of shipped history, drops included.
    write(
        p,
        "supabase/migrations/20210101000000_init.sql",
        "CREATE TABLE members (id int, email text, legacy text);\n",
    );
    write(
        p,
        "supabase/migrations/20220301120000_cleanup.sql",
        "ALTER TABLE members DROP COLUMN legacy;\nDROP TABLE IF EXISTS old_members;\n",
    );
    let before = shipgate(&["check", "."], p);
    assert_eq!(before.status.code(), Some(1), "the history alone blocks without since");
    let o = shipgate(&["init"], p);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("migrations.since = \"20220301120001\""), "{err}");
    for step in [
        "shipgate hook install",
        "shipgate init --workflow",
        "open a pull request",
    ] {
        assert!(err.contains(step), "{step}: {err}");
    }
    let cfg = std::fs::read_to_string(p.join("shipgate.yml")).unwrap();
    assert!(cfg.contains("\n  since: \"20220301120001\"\n"), "{cfg}");
    assert!(
        cfg.contains("20220301120000_cleanup.sql"),
        "the comment says why: {cfg}"
    );
    assert_eq!(
        shipgate::config::parse(&cfg).unwrap().migrations.since.as_deref(),
        Some("20220301120001")
    );
    let o = shipgate(&["check", "."], p);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    write(
        p,
        "supabase/migrations/20260101000000_drop_email.sql",
        "SET lock_timeout = '5s';\nALTER TABLE members DROP COLUMN email;\n",
    );
    let o = shipgate(&["check", "."], p);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("ban-drop-column"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("20220301120000_cleanup"), "{}", stdout(&o));
}

#[test]
fn init_workflow_writes_the_pinned_workflow_and_never_overwrites_it() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let o = shipgate(&["init", "--workflow"], p);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let wf = std::fs::read_to_string(p.join(".github/workflows/shipgate.yml")).unwrap();
    let pin = format!("/shipgate@v{}\n", env!("CARGO_PKG_VERSION"));
    assert!(wf.contains(&pin), "{wf}");
    assert!(wf.contains("pull-requests: write"), "{wf}");
    // The README's pull-request workflow, the action's pin aside.
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let block = readme
        .split("```yaml\n# .github/workflows/shipgate.yml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .unwrap();
    let strip = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.trim_start().starts_with("- uses: OWNER/") && !l.trim_start().starts_with('#'))
            .filter(|l| !l.contains("/shipgate@v"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(strip(&wf), strip(block));
    // Again: identical, kept, exit 0. Changed by hand: kept, exit 2.
    let o = shipgate(&["init", "--workflow"], p);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    write(p, ".github/workflows/shipgate.yml", "# mine\n");
    let o = shipgate(&["init", "--workflow"], p);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not overwritten"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(p.join(".github/workflows/shipgate.yml")).unwrap(),
        "# mine\n"
    );
}

/// A repository whose `main` holds `files`, checked out on a new branch `feature`.
fn on_a_feature_branch(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    git(p, &["init", "-q"]);
    for (rel, text) in files {
        write(p, rel, text);
    }
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "base"]);
    git(p, &["checkout", "-qb", "feature"]);
    d
}

#[test]
fn base_lints_only_added_migrations_and_flags_edited_ones() {
    let d = on_a_feature_branch(&[(
        "supabase/migrations/1_old.sql",
        "CREATE TABLE a (id int, x text);\nDROP TABLE legacy;\n",
    )]);
    let p = d.path();
    write(
        p,
        "supabase/migrations/2_new.sql",
        "CREATE INDEX CONCURRENTLY i ON a (id);\n",
    );
    let o = shipgate(&["check", ".", "--base", "main", "--format", "json"], p);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rules: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    // The old DROP TABLE is not linted again; the new file is.
    assert_eq!(rules, ["ban-concurrently-in-transaction"], "{v}");
    assert_eq!(v["stats"]["migration_files"], 1);
    write(
        p,
        "supabase/migrations/1_old.sql",
        "CREATE TABLE a (id int, x text, y int);\nDROP TABLE legacy;\n",
    );
    let o = shipgate(&["check", ".", "--base", "main", "--format", "json"], p);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "modified-applied-migration"),
        "{v}"
    );
    assert_eq!(o.status.code(), Some(1));
    // Renamed without an edit: not linted as new (no `ban-drop-table`), but an error of its own.
    git(p, &["checkout", "--", "supabase/migrations/1_old.sql"]);
    git(
        p,
        &["mv", "supabase/migrations/1_old.sql", "supabase/migrations/3_old.sql"],
    );
    let o = shipgate(&["check", ".", "--base", "main", "--format", "json"], p);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let renamed: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] != "ban-concurrently-in-transaction")
        .collect();
    assert_eq!(renamed.len(), 1, "{v}");
    assert_eq!(renamed[0]["rule"], "modified-applied-migration");
    assert_eq!(renamed[0]["file"], "supabase/migrations/3_old.sql");
    assert!(
        renamed[0]["message"]
            .as_str()
            .unwrap()
            .contains("as `supabase/migrations/1_old.sql` and was renamed"),
        "{v}"
    );
}

#[test]
fn a_function_from_an_applied_migration_is_opened_where_a_new_one_calls_it() {
    let d = on_a_feature_branch(&[(
        "supabase/migrations/1_old.sql",
        "CREATE TABLE sessions (id int);\nCREATE FUNCTION purge_sessions() RETURNS void LANGUAGE sql AS $$ DELETE FROM sessions $$;\n",
    )]);
    let p = d.path();
    write(p, "supabase/migrations/2_new.sql", "SELECT purge_sessions();\n");
    let o = shipgate(&["check", ".", "--base", "main", "--format", "json"], p);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "ban-delete-without-where", "{v}");
    assert_eq!(f["file"], "supabase/migrations/2_new.sql", "{v}");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("inside `purge_sessions`, called here"),
        "{v}"
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn the_demo_repository_is_blocked_with_readable_findings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = shipgate(&["check", "fixtures/demo"], root);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Dropping column `members.old_field`"), "{out}");
    assert!(out.contains("approved: unused since release 4.2"), "{out}");
}

/// Issue #17: a byte-order mark at the start of every file of the demo
/// (migrations, `shipgate.yml`, `docs/flags.md`, the rollout manifest, the
/// code) changes nothing in the report: every gate reads the text after it.
#[test]
fn a_bom_at_the_start_of_every_file_changes_no_finding() {
    fn copy(from: &Path, to: &Path, bom: bool) {
        for e in std::fs::read_dir(from).unwrap() {
            let p = e.unwrap().path();
            let dest = to.join(p.file_name().unwrap());
            if p.is_dir() {
                copy(&p, &dest, bom);
            } else {
                let prefix: &[u8] = if bom { b"\xef\xbb\xbf" } else { b"" };
                write(
                    to,
                    dest.file_name().unwrap().to_str().unwrap(),
                    [prefix, &std::fs::read(&p).unwrap()].concat(),
                );
            }
        }
    }
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    let [plain, with_bom] = [false, true].map(|bom| {
        let d = tempfile::tempdir().unwrap();
        copy(&demo, d.path(), bom);
        // A reference on the first line, where a BOM would shift columns.
        let prefix = if bom { "\u{feff}" } else { "" };
        write(
            d.path(),
            "src/first.ts",
            format!("{prefix}useFlag(\"bulk_invites\");\n"),
        );
        let o = shipgate(&["check"], d.path());
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        stdout(&o)
    });
    assert_eq!(plain, with_bom);
}

#[test]
fn every_format_renders() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "m.sql", "DROP TABLE x;\n");
    for f in ["human", "json", "sarif", "github", "markdown"] {
        let o = shipgate(&["lint", "--format", f, "m.sql"], d.path());
        assert_eq!(o.status.code(), Some(1), "{f}");
        assert!(stdout(&o).contains("ban-drop-table"), "{f}: {}", stdout(&o));
    }
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let d = tempfile::tempdir().unwrap();
    // Approved and unapproved findings, a warning, a file-less finding (invalid approval).
    write(
        d.path(),
        "m.sql",
        "-- MIGRATION_APPROVED: moved to contacts\nALTER TABLE members DROP COLUMN email;\nDROP TABLE x;\nCREATE INDEX ON members (id);\n-- MIGRATION_APPROVED:\nDROP TABLE y;\n",
    );
    let o = shipgate(&["lint", "--format", "sarif", "m.sql"], d.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    common::assert_valid_sarif(&sarif);
    assert!(sarif["runs"][0]["results"].as_array().unwrap().len() >= 4, "{sarif:#}");
}

#[test]
#[should_panic(expected = "SARIF is not valid 2.1.0")]
fn the_sarif_check_rejects_what_the_schema_rejects() {
    common::assert_valid_sarif(&serde_json::json!({"version": "2.0", "runs": [{"results": []}]}));
}

#[test]
fn quiet_counts_what_it_does_not_show() {
    // `check -q` printed "0 approved" where the JSON report said 1: the
    // summary counted only the findings quiet mode shows.
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "m.sql",
        "SET lock_timeout = '5s';\n-- MIGRATION_APPROVED: column unused since 4.2\nALTER TABLE members DROP COLUMN legacy;\nALTER TABLE members DROP COLUMN email;\nVACUUM FULL members;\n",
    );
    let o = shipgate(&["lint", "-q", "m.sql"], d.path());
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("1 error, 1 warning, 0 notes, 1 approved"), "{out}");
    assert!(
        out.contains("`members.email`") && !out.contains("ban-vacuum-full"),
        "{out}"
    );
    // Quiet with `--fail-on warning`: the warning blocks, so it is shown.
    write(d.path(), "m.sql", "SET lock_timeout = '5s';\nVACUUM FULL members;\n");
    let o = shipgate(&["lint", "-q", "--fail-on", "warning", "m.sql"], d.path());
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("ban-vacuum-full"), "{}", stdout(&o));
    let o = shipgate(&["lint", "-q", "m.sql"], d.path());
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o), "");
}

#[test]
fn missing_rollback_points_at_the_first_statement_or_line_1() {
    let d = on_a_feature_branch(&[("shipgate.yml", "migrations:\n  rollback:\n    require: all\n")]);
    let p = d.path();
    write(
        p,
        "migrations/000002_b.up.sql",
        "-- the b table\n\nCREATE TABLE b (id int);\n",
    );
    write(p, "migrations/000003_c.up.sql", "-- nothing yet\n");
    let o = shipgate(&["check", ".", "--base", "main", "--format", "json"], p);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let lines: Vec<(String, serde_json::Value)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "missing-rollback")
        .map(|f| (f["file"].as_str().unwrap().to_string(), f["line"].clone()))
        .collect();
    assert_eq!(
        lines,
        [
            ("migrations/000002_b.up.sql".to_string(), serde_json::json!(3)),
            ("migrations/000003_c.up.sql".to_string(), serde_json::json!(1)),
        ],
        "{v}"
    );
}

#[test]
fn with_base_missing_rollback_asks_only_the_migrations_the_change_adds() {
    let d = on_a_feature_branch(&[
        ("shipgate.yml", "migrations:\n  rollback:\n    require: all\n"),
        ("migrations/000001_old.up.sql", "CREATE TABLE a (id int);\n"),
    ]);
    let p = d.path();
    write(p, "migrations/000002_new.up.sql", "CREATE TABLE b (id int);\n");
    let missing = |p: &Path| -> Vec<String> {
        let o = shipgate(&["check", ".", "--base", "main", "--format", "json"], p);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "missing-rollback")
            .map(|f| f["file"].as_str().unwrap().to_string())
            .collect()
    };
    // The old migration has no rollback either; only the new one is asked.
    assert_eq!(missing(p), ["migrations/000002_new.up.sql"]);
    write(p, "migrations/000002_new.down.sql", "DROP TABLE b;\n");
    assert!(missing(p).is_empty());
}
