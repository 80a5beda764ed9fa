//! `docs/contract.md`, "Migration approvals" and "JSON report": every example
//! gives its documented verdict through the binary, as a user runs it
//! (`shipgate lint --format json FILE`). The approval example is read from
//! the page itself, so the page and the test cannot drift apart.

use std::process::Command;

use serde_json::Value;

/// The first ```sql block of `docs/contract.md`'s "Migration approvals" section.
fn approved_example() -> String {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/contract.md"))
        .expect("docs/contract.md is readable");
    let section = page
        .split("\n## Migration approvals\n")
        .nth(1)
        .expect("docs/contract.md has a \"Migration approvals\" section");
    let block = section
        .split("```sql\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the section has a ```sql example");
    block.to_string()
}

#[test]
fn the_approval_example_of_the_contract_holds_these_statements() {
    let example = approved_example();
    for s in UNAPPROVED_STATEMENTS {
        assert!(example.contains(s), "`{s}` is in the example:\n{example}");
    }
    assert_eq!(example.matches("MIGRATION_APPROVED").count(), 3, "{example}");
}

/// The same statements without their comments.
const UNAPPROVED_STATEMENTS: [&str; 3] = [
    "ALTER TABLE members DROP COLUMN old_field;",
    "DROP TABLE members_archive;",
    "ALTER TABLE members DROP COLUMN legacy_flags;",
];

struct Run {
    code: i32,
    json: Value,
}

impl Run {
    fn findings(&self) -> &[Value] {
        self.json["findings"].as_array().expect("findings is an array")
    }

    /// Findings of `rule`, in file order.
    fn of(&self, rule: &str) -> Vec<&Value> {
        self.findings().iter().filter(|f| f["rule"] == rule).collect()
    }

    /// The one finding of `rule` on `line`.
    fn at(&self, rule: &str, line: u64) -> &Value {
        let found: Vec<_> = self.of(rule).into_iter().filter(|f| f["line"] == line).collect();
        assert_eq!(found.len(), 1, "one `{rule}` finding on line {line}:\n{:#}", self.json);
        found[0]
    }

    fn verdict(&self) -> &str {
        self.json["verdict"].as_str().expect("verdict is a string")
    }
}

/// `shipgate lint --format json m.sql` on `sql`, in a directory of its own.
fn lint(sql: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.sql"), sql).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_shipgate"))
        .args(["lint", "--format", "json", "m.sql"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is one JSON document ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    Run {
        code: out.status.code().expect("exit code"),
        json,
    }
}

fn assert_blocked(run: &Run) {
    assert_eq!(run.code, 1, "{:#}", run.json);
    assert_eq!(run.verdict(), "blocked");
}

fn assert_passes(run: &Run) {
    assert_eq!(run.code, 0, "{:#}", run.json);
    assert_eq!(run.verdict(), "pass");
}

fn assert_approved(f: &Value, reason: &str) {
    assert_eq!(f["approved"], true, "{f:#}");
    assert_eq!(f["approval_reason"], reason, "{f:#}");
}

fn assert_not_approved(f: &Value) {
    assert_eq!(f["approved"], false, "{f:#}");
    assert_eq!(f["approval_reason"], Value::Null, "{f:#}");
}

#[test]
fn the_three_approved_statements_pass() {
    let run = lint(&approved_example());
    assert_passes(&run);
    assert_approved(run.at("ban-drop-column", 1), "data migrated to new_field in 20250101");
    assert_approved(
        run.at("ban-drop-table", 4),
        "archive copied to cold storage, see runbook 42",
    );
    assert_approved(run.at("ban-drop-column", 7), "column unused since 4.2");
    assert_eq!(run.json["summary"]["approved"], 3);
    assert_eq!(run.json["summary"]["errors"], 0);
    assert!(run.of("invalid-approval").is_empty() && run.of("unused-approval").is_empty());
}

#[test]
fn the_same_statements_without_comments_are_blocked() {
    let run = lint(&UNAPPROVED_STATEMENTS.join("\n\n"));
    assert_blocked(&run);
    assert_eq!(run.json["summary"]["errors"], 3, "{:#}", run.json);
    for f in run.of("ban-drop-column").into_iter().chain(run.of("ban-drop-table")) {
        assert_not_approved(f);
    }
    for sql in UNAPPROVED_STATEMENTS {
        assert_blocked(&lint(sql));
    }
}

#[test]
fn a_blank_or_missing_reason_is_an_error_and_approves_nothing() {
    for approval in [
        "-- MIGRATION_APPROVED:",
        "-- MIGRATION_APPROVED:    ",
        "/* MIGRATION_APPROVED: */",
        "/* MIGRATION_APPROVED:\n   */",
        "-- MIGRATION_APPROVED(ban-drop-table):",
        "-- MIGRATION_APPROVED",
        "-- MIGRATION_APPROVED archive copied",
    ] {
        let run = lint(&format!("{approval}\nDROP TABLE members_archive;\n"));
        assert_blocked(&run);
        let invalid = run.of("invalid-approval");
        assert_eq!(invalid.len(), 1, "{approval:?}: {:#}", run.json);
        assert_eq!(invalid[0]["severity"], "error");
        let drop_line = approval.lines().count() as u64 + 1;
        assert_not_approved(run.at("ban-drop-table", drop_line));
    }
}

#[test]
fn text_in_strings_identifiers_and_dollar_bodies_is_not_a_comment() {
    for (what, sql) in [
        ("string literal", "SELECT '-- MIGRATION_APPROVED: looks like one';\nDROP TABLE members_archive;\n"),
        ("string literal", "SELECT 'x'';\n-- MIGRATION_APPROVED: still inside the string';\nDROP TABLE members_archive;\n"),
        ("escape string", "SELECT E'it\\'s -- MIGRATION_APPROVED: inside';\nDROP TABLE members_archive;\n"),
        ("quoted identifier", "SELECT 1 AS \"/* MIGRATION_APPROVED: inside */\";\nDROP TABLE members_archive;\n"),
        ("dollar-quoted body", "DO $$\nBEGIN\n  -- MIGRATION_APPROVED: inside the body\n  PERFORM 1;\nEND\n$$;\nDROP TABLE members_archive;\n"),
        ("tagged dollar body", "SELECT $tag$\n/* MIGRATION_APPROVED: inside */\n$tag$;\nDROP TABLE members_archive;\n"),
    ] {
        let run = lint(sql);
        assert_blocked(&run);
        let drops = run.of("ban-drop-table");
        assert_eq!(drops.len(), 1, "{what}: {:#}", run.json);
        assert_not_approved(drops[0]);
        assert!(run.of("invalid-approval").is_empty() && run.of("unused-approval").is_empty(), "{what}: {:#}", run.json);
    }
}

#[test]
fn a_comment_after_the_semicolon_on_the_same_line_belongs_to_that_statement() {
    let run = lint("DROP TABLE a; -- MIGRATION_APPROVED: a is archived\nDROP TABLE b;\n");
    assert_blocked(&run);
    assert_approved(run.at("ban-drop-table", 1), "a is archived");
    assert_not_approved(run.at("ban-drop-table", 2));

    let run = lint("DROP TABLE a; /* MIGRATION_APPROVED: a is archived */ DROP TABLE b;\n");
    assert_blocked(&run);
    let drops = run.of("ban-drop-table");
    assert_eq!(drops.len(), 2);
    assert_approved(drops[0], "a is archived");
    assert_not_approved(drops[1]);
}

#[test]
fn any_other_approval_comment_belongs_to_the_next_statement() {
    for sql in [
        "DROP TABLE a;\n-- MIGRATION_APPROVED: b is archived\nDROP TABLE b;\n",
        "DROP TABLE a;\n\n/* MIGRATION_APPROVED: b is archived */\n\n-- an unrelated note\nDROP TABLE b;\n",
        "DROP TABLE a;\n/* MIGRATION_APPROVED: b is archived */ DROP TABLE b;\n",
    ] {
        let run = lint(sql);
        assert_blocked(&run);
        let drops = run.of("ban-drop-table");
        assert_eq!(drops.len(), 2, "{sql:?}");
        assert_not_approved(drops[0]);
        assert_approved(drops[1], "b is archived");
    }
    let run = lint("/* MIGRATION_APPROVED: archived */ DROP TABLE a;\n");
    assert_passes(&run);
    assert_approved(run.at("ban-drop-table", 1), "archived");
}

#[test]
fn a_rule_list_approves_only_those_rules() {
    let sql = "/* MIGRATION_APPROVED(ban-drop-column): column unused since 4.2 */\n\
               ALTER TABLE members DROP COLUMN legacy_flags, ALTER COLUMN score TYPE bigint;\n";
    let run = lint(sql);
    assert_blocked(&run);
    assert_approved(run.at("ban-drop-column", 2), "column unused since 4.2");
    assert_not_approved(run.at("ban-alter-column-type", 2));

    let run = lint(&sql.replace("ban-drop-column", "ban-drop-column, ban-alter-column-type"));
    assert_passes(&run);
    assert_approved(run.at("ban-alter-column-type", 2), "column unused since 4.2");

    // Lock findings are approved only by naming them.
    let index = "CREATE INDEX members_email_idx ON members (email);\n";
    let run = lint(&format!("-- MIGRATION_APPROVED: small table\n{index}"));
    assert_not_approved(run.at("require-concurrent-index-creation", 2));
    let run = lint(&format!(
        "-- MIGRATION_APPROVED(require-concurrent-index-creation): small table\n{index}"
    ));
    assert_approved(run.at("require-concurrent-index-creation", 2), "small table");
    assert!(run.of("unused-approval").is_empty());
}

#[test]
fn an_approval_that_approves_nothing_is_a_warning() {
    for sql in [
        "-- MIGRATION_APPROVED: nothing to approve here\nALTER TABLE members ADD COLUMN nickname text;\n",
        "-- MIGRATION_APPROVED(ban-drop-table): wrong rule\nCREATE TABLE t (id int);\n",
        "CREATE TABLE t (id int); -- MIGRATION_APPROVED: nothing destructive\n",
    ] {
        let run = lint(sql);
        assert_passes(&run);
        let unused = run.of("unused-approval");
        assert_eq!(unused.len(), 1, "{sql:?}: {:#}", run.json);
        assert_eq!(unused[0]["severity"], "warning");
        assert_eq!(unused[0]["line"], 1);
    }
    // The statement it was meant for stays blocked.
    let run =
        lint("-- MIGRATION_APPROVED(ban-drop-table): wrong rule\nALTER TABLE members DROP COLUMN legacy_flags;\n");
    assert_blocked(&run);
    assert_eq!(run.of("unused-approval").len(), 1);
    assert_not_approved(run.at("ban-drop-column", 2));
}

#[test]
fn the_json_report_has_the_documented_fields_and_types() {
    let run = lint(&format!(
        "{}DROP TABLE sessions;\n-- MIGRATION_APPROVED: nothing\nSELECT 1;\n",
        approved_example()
    ));
    assert_blocked(&run);
    let j = &run.json;
    assert_eq!(j["version"], 1);
    assert!(["pass", "blocked", "error"].contains(&run.verdict()));
    for key in ["errors", "warnings", "notes", "approved"] {
        assert!(j["summary"][key].is_u64(), "summary.{key}: {j:#}");
    }
    for key in [
        "migration_files",
        "statements",
        "unparsed_statements",
        "recognised_statements",
        "manifests",
        "flags",
    ] {
        assert!(j["stats"][key].is_u64(), "stats.{key}: {j:#}");
    }
    assert!(j["changes"].is_array(), "changes: {j:#}");
    assert_eq!(j["stats"]["migration_files"], 1);
    assert_eq!(j["stats"]["statements"], 5);
    assert_eq!(j["stats"]["unparsed_statements"], 0);
    assert_eq!(j["summary"]["approved"], 3);
    assert_eq!(j["summary"]["errors"], 1);

    assert!(run.findings().len() >= 5, "{j:#}");
    for f in run.findings() {
        assert!(f["rule"].is_string(), "{f:#}");
        assert!(
            ["error", "warning", "note"].contains(&f["severity"].as_str().unwrap()),
            "{f:#}"
        );
        assert!(f["message"].as_str().is_some_and(|m| !m.is_empty()), "{f:#}");
        assert!(f["help"].is_string() || f["help"].is_null(), "{f:#}");
        assert_eq!(f["file"], "m.sql", "{f:#}");
        for key in ["line", "column", "end_line", "end_column"] {
            assert!(f[key].as_u64().is_some_and(|n| n >= 1), "{key}: {f:#}");
        }
        assert!(f["end_line"].as_u64() >= f["line"].as_u64(), "{f:#}");
        assert!(f["approved"].is_boolean(), "{f:#}");
        match f["approved"].as_bool().unwrap() {
            true => assert!(f["approval_reason"].is_string(), "{f:#}"),
            false => assert!(f["approval_reason"].is_null(), "{f:#}"),
        }
    }
    // `line` and `column` point at the statement the finding is about.
    let drop = run.at("ban-drop-table", 8);
    assert_eq!(drop["column"], 1);
    assert_not_approved(drop);
    assert_eq!(run.at("unused-approval", 9)["column"], 1);
}
