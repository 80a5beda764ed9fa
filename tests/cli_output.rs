//! What users read, under review: the exit code, stdout and stderr of
//! representative commands, snapshotted together with `insta_cmd`
//! (`tests/snapshots/cli_output__*.snap`). A change to any of them shows up
//! as a snapshot diff. Temp paths, the version and commit ids are redacted,
//! so the snapshots hold on every machine. The PR comment of `shipgate ci`
//! is snapshotted in `tests/ci.rs` (with its exit code, stdout and stderr),
//! beside the fake GitHub it needs.

mod common;
use common::{git, write};

use std::path::{Path, PathBuf};
use std::process::Command;

use insta_cmd::assert_cmd_snapshot;

/// The repository's root: `fixtures/demo` is found from here.
fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The day the flag rules take as today (`Remove by` dates), fixed so that
/// the snapshots do not age.
const TODAY: &str = "2026-12-01";

/// `shipgate` in `dir`, without colour or backtraces, on a fixed day,
/// whatever the caller's environment says.
fn shipgate(dir: &Path) -> Command {
    let mut c = Command::new(insta_cmd::get_cargo_bin("shipgate"));
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SHIPGATE_TODAY", TODAY)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("SHIPGATE_SKIP");
    c
}

/// Runs `f` with the filters every snapshot needs: `dir` (a temp directory)
/// as `[TMP]`, the crate version as `[VERSION]`, commit ids as `[SHA]` (an
/// abbreviated one only in parentheses: a date is hex digits too).
fn redacted(dir: Option<&Path>, f: impl FnOnce()) {
    let mut settings = insta::Settings::clone_current();
    if let Some(d) = dir {
        // Both spellings: macOS's /var is /private/var once canonicalised.
        let real = d.canonicalize().unwrap_or_else(|_| d.to_path_buf());
        for p in [real, d.to_path_buf()] {
            settings.add_filter(&common::regex_escape(&p.display().to_string()), "[TMP]");
        }
    }
    settings.add_filter(&common::regex_escape(env!("CARGO_PKG_VERSION")), "[VERSION]");
    settings.add_filter(r"\b[0-9a-f]{40}\b", "[SHA]");
    settings.add_filter(r"\([0-9a-f]{7,12}\)", "([SHORT-SHA])");
    settings.bind(f);
}

#[test]
fn check_the_demo_in_every_format() {
    for format in ["human", "json", "sarif", "github", "markdown"] {
        let name = format!("check_demo_{format}");
        redacted(None, || {
            assert_cmd_snapshot!(
                name,
                shipgate(manifest_dir()).args(["check", "fixtures/demo", "--format", format])
            );
        });
    }
}

#[test]
fn lint_from_stdin() {
    let d = tempfile::tempdir().unwrap();
    redacted(Some(d.path()), || {
        assert_cmd_snapshot!(shipgate(d.path())
            .args(["lint", "-", "--stdin-filename", "migrations/3_contract.sql"])
            .pass_stdin(
                "SET lock_timeout = '5s';\nALTER TABLE members DROP COLUMN old_field;\nCREATE INDEX members_email ON members (email);\n"
            ));
    });
}

#[test]
fn explain_a_rule() {
    redacted(None, || {
        assert_cmd_snapshot!(shipgate(manifest_dir()).args(["explain", "ban-drop-column"]));
    });
}

#[test]
fn list_the_rules() {
    redacted(None, || {
        assert_cmd_snapshot!(shipgate(manifest_dir()).arg("rules"));
    });
}

#[test]
fn a_configuration_error() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "shipgate.yml",
        "version: 1\nrules:\n  ban-drop-colum: error\n",
    );
    redacted(Some(d.path()), || {
        assert_cmd_snapshot!(shipgate(d.path()).args(["check", "."]));
    });
}

#[test]
fn init_in_an_empty_repository() {
    let d = tempfile::tempdir().unwrap();
    git(d.path(), &["init", "-q"]);
    redacted(Some(d.path()), || {
        assert_cmd_snapshot!(shipgate(d.path()).args(["init", "."]));
    });
}

/// A repository with `main` pushed to a bare remote and a branch `contract`
/// that drops a column (commit ids vary with the clock: they are redacted).
fn pushed_repo(tmp: &Path) -> (PathBuf, String) {
    let work = tmp.join("work");
    let remote = tmp.join("remote.git");
    std::fs::create_dir_all(&work).unwrap();
    git(tmp, &["init", "-q", "--bare", &remote.display().to_string()]);
    git(&work, &["init", "-q"]);
    write(
        &work,
        "supabase/migrations/20250101000000_create_members.sql",
        "CREATE TABLE members (id bigint PRIMARY KEY, old_field text);\n",
    );
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-qm", "create members"]);
    git(&work, &["remote", "add", "origin", &remote.display().to_string()]);
    git(&work, &["push", "-q", "origin", "main"]);
    git(&work, &["switch", "-q", "-c", "contract"]);
    write(
        &work,
        "supabase/migrations/20250301000000_drop_old_field.sql",
        "ALTER TABLE members DROP COLUMN old_field;\n",
    );
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-qm", "drop old_field"]);
    let head = git(&work, &["rev-parse", "HEAD"]);
    (work, head)
}

#[test]
fn the_pre_push_hook_refuses_a_push() {
    let d = tempfile::tempdir().unwrap();
    let (work, head) = pushed_repo(d.path());
    // What git writes on the hook's standard input for `git push origin contract`.
    let zero = "0".repeat(head.len());
    let input = format!("refs/heads/contract {head} refs/heads/contract {zero}\n");
    redacted(Some(d.path()), || {
        assert_cmd_snapshot!(shipgate(&work)
            .args(["hook", "run", "pre-push", "origin", "../remote.git"])
            .pass_stdin(input));
    });
}

/// A five-action `ALTER TABLE`: each finding points at its own clause (the
/// `DROP COLUMN`, the `SET NOT NULL`), not at the whole statement.
#[test]
fn a_five_action_alter_table_points_at_the_clause() {
    let d = tempfile::tempdir().unwrap();
    redacted(Some(d.path()), || {
        assert_cmd_snapshot!(shipgate(d.path())
            .args(["lint", "-", "--stdin-filename", "migrations/4_members.sql"])
            .pass_stdin(
                "SET lock_timeout = '5s';\nALTER TABLE members\n    ADD COLUMN nickname text,\n    ALTER COLUMN name SET DEFAULT '',\n    DROP COLUMN email,\n    ADD COLUMN bio text,\n    ALTER COLUMN id SET NOT NULL;\n"
            ));
    });
}

/// A finding whose severity a `rules:` line raised carries a second label on
/// that line of `shipgate.yml`, in the human output and in SARIF.
#[test]
fn a_raised_severity_points_at_its_rules_line() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "shipgate.yml",
        "version: 1\nrules:\n  require-lock-timeout: warning\n  unused-approval: error\n",
    );
    write(
        d.path(),
        "migrations/0001_members.sql",
        "CREATE TABLE members (id bigint PRIMARY KEY); -- MIGRATION_APPROVED: a new table\n",
    );
    for format in ["human", "sarif"] {
        let name = format!("raised_severity_{format}");
        redacted(Some(d.path()), || {
            assert_cmd_snapshot!(name, shipgate(d.path()).args(["check", ".", "--format", format]));
        });
    }
    // `relatedLocations` is valid SARIF 2.1.0.
    let out = shipgate(d.path())
        .args(["check", ".", "--format", "sarif"])
        .output()
        .unwrap();
    common::assert_valid_sarif(&serde_json::from_slice(&out.stdout).unwrap());
}

/// An undocumented flag whose spelling differs from a registry row only in
/// `-`/`_` points at that row as well.
#[test]
fn an_undocumented_flag_points_at_its_near_match() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "docs/flags.md",
        "# Flags\n\n| Flag | Owner | Default | Type | Status | Remove by | Replaced by |\n|---|---|---|---|---|---|---|\n| `new-checkout` | @payments | off | release | rollout | 2028-01-01 | |\n",
    );
    write(d.path(), "src/app.ts", "const on = useFlag(\"new_checkout\", false);\n");
    redacted(Some(d.path()), || {
        assert_cmd_snapshot!(shipgate(d.path()).args(["check", "."]));
    });
}
