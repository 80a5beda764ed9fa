//! The contract rules (issue #13) as users meet them: real git repositories
//! with dated commits, `shipgate check --base main --format json` run in
//! them. A base branch `main` holds the schema (`members` with `old_field`,
//! `status` and `email`; `orders` with `status`) and the code; the change
//! (branch `feature`) adds a migration that drops or renames.
//!
//! `STILL_REFERENCED` is the table of code that still uses `members.old_field`:
//! a new kind of reference (an ORM schema file) is one more row.
//! `fixtures/contract/<rule-id>/{fail_*,pass_*}/` are repositories described
//! as numbered, dated trees (see `fixture_repo`).

mod common;
use common::{git, git_at, write};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const SCHEMA: &str = "CREATE TABLE members (id int PRIMARY KEY, old_field text, status text, email text);\n\
                      CREATE TABLE orders (id int PRIMARY KEY, status text);\n";
const DROP: &str = "ALTER TABLE members DROP COLUMN old_field; -- MIGRATION_APPROVED: data copied to new_field\n";

/// A commit of every change in `dir`, dated `date` (`YYYY-MM-DD`).
fn commit(dir: &Path, date: &str, message: &str) {
    git(dir, &["add", "-A"]);
    let when = format!("{date}T12:00:00Z");
    git_at(dir, &when, &["commit", "-q", "--allow-empty", "-m", message]);
}

/// A repository whose `main` has the schema and `code` (path, text) at
/// 2026-01-01; HEAD is on a new branch `feature`.
fn repo(code: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    git(d.path(), &["init", "-q"]);
    write(d.path(), "migrations/001_init.sql", SCHEMA);
    for (path, text) in code {
        write(d.path(), path, text);
    }
    commit(d.path(), "2026-01-01", "init");
    git(d.path(), &["checkout", "-q", "-b", "feature"]);
    d
}

fn shipgate(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipgate"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// `check --base main --format json`: the exit code and the contract findings.
fn check(dir: &Path) -> (Option<i32>, Vec<Value>) {
    let o = shipgate(dir, &["check", ".", "--base", "main", "--format", "json"]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    let report: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout}\n{}", String::from_utf8_lossy(&o.stderr)));
    let findings = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().is_some_and(|r| r.starts_with("contract-")) || f["rule"] == "unused-approval")
        .cloned()
        .collect();
    (o.status.code(), findings)
}

/// Exit 0 and no contract finding.
fn assert_none((code, findings): (Option<i32>, Vec<Value>)) {
    assert_eq!((code, findings.len()), (Some(0), 0), "{findings:#?}");
}

/// `main` holds `code`; the change adds `migrations/002_change.sql` (`sql`)
/// on 2026-03-01.
fn change(code: &[(&str, &str)], sql: &str) -> (Option<i32>, Vec<Value>) {
    let d = repo(code);
    write(d.path(), "migrations/002_change.sql", sql);
    commit(d.path(), "2026-03-01", "the change");
    check(d.path())
}

/// The change drops `members.old_field` (with a plain approval) while
/// `path` on main holds `text`.
fn still_referenced_by(path: &str, text: &str) -> (Option<i32>, Vec<Value>) {
    change(&[(path, text)], DROP)
}

/// Code that still uses `members.old_field`, and the line of the reference:
/// SQL strings, a distinctive identifier, and each ORM's schema file.
const STILL_REFERENCED: &[(&str, &str, u64)] = &[
    (
        "src/members.ts",
        "import { db } from './db';\nexport const list = () => db.query(`SELECT id, old_field\n  FROM members WHERE id = ${id}`);\n",
        2,
    ),
    (
        "app/members.py",
        "def names(cur):\n    cur.execute(\"\"\"\n        SELECT m.id, m.old_field\n        FROM members m\n    \"\"\")\n",
        3,
    ),
    (
        "internal/members.go",
        "package members\n\nconst q = `UPDATE members SET old_field = $1`\n",
        3,
    ),
    (
        "src/members.rs",
        "pub const Q: &str = r#\"INSERT INTO members (id, old_field) VALUES ($1, $2)\"#;\n",
        1,
    ),
    // ORM schema files, resolved to table and column.
    (
        "prisma/schema.prisma",
        "model Member {\n  id       Int     @id\n  oldField String? @map(\"old_field\")\n\n  @@map(\"members\")\n}\n",
        3,
    ),
    (
        "src/schema.rs",
        "// @generated automatically by Diesel CLI.\n\ndiesel::table! {\n    members (id) {\n        id -> Int4,\n        old_field -> Nullable<Text>,\n    }\n}\n",
        6,
    ),
    (
        "src/db/schema.ts",
        "import { pgTable, integer, text } from \"drizzle-orm/pg-core\";\n\nexport const members = pgTable(\"members\", {\n  id: integer(\"id\").primaryKey(),\n  oldField: text(\"old_field\"),\n});\n",
        5,
    ),
    (
        "app/models.py",
        "from sqlalchemy import Column, Integer, Text\nfrom sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n\n\nclass Member(Base):\n    __tablename__ = \"members\"\n    id = Column(Integer, primary_key=True)\n    old_field = Column(Text)\n",
        10,
    ),
    (
        "crm/models.py",
        "from django.db import models\n\n\nclass Member(models.Model):\n    old_field = models.TextField(null=True)\n\n    class Meta:\n        db_table = \"members\"\n",
        5,
    ),
];

#[test]
fn still_referenced_by_sql_strings_and_distinctive_identifiers() {
    for (path, text, line) in STILL_REFERENCED {
        let (code, findings) = still_referenced_by(path, text);
        assert_eq!(code, Some(1), "{path}: {findings:#?}");
        let f = findings
            .iter()
            .find(|f| f["rule"] == "contract-still-referenced")
            .unwrap_or_else(|| panic!("{path}: {findings:#?}"));
        assert_eq!(f["approved"], false, "a plain approval does not silence it");
        assert_eq!(f["file"], "migrations/002_change.sql");
        assert_eq!(f["line"], 1);
        let msg = f["message"].as_str().unwrap();
        assert!(msg.contains(&format!("{path}:{line}")), "{msg}");
        assert_eq!(f["related"][0]["file"], *path);
        assert_eq!(f["related"][0]["line"], *line);
    }
}

#[test]
fn found_by_name_only_it_warns_and_does_not_block() {
    let tsx = "export const Name = (m: Member) => <b>{m.oldField}</b>;\n";
    let (code, findings) = still_referenced_by("web/member.tsx", tsx);
    assert_eq!(code, Some(0), "{findings:#?}");
    let f = &findings[0];
    assert_eq!(
        (f["rule"].as_str(), f["severity"].as_str()),
        (Some("contract-still-referenced"), Some("warning"))
    );
    assert!(f["message"].as_str().unwrap().contains("by name only"), "{f:#?}");
    assert_eq!(f["related"][0]["file"], "web/member.tsx");
    // With SQL beside it, the name counts too and it blocks.
    let sql = "export const q = 'SELECT old_field FROM members';\n";
    let (code, findings) = change(&[("web/member.tsx", tsx), ("src/q.ts", sql)], DROP);
    assert_eq!(code, Some(1), "{findings:#?}");
    assert_eq!(findings[0]["severity"], "error");
    assert_eq!(findings[0]["related"].as_array().unwrap().len(), 2);
}

#[test]
fn the_json_has_every_reference_and_the_message_the_first_three() {
    let text: String = (0..5)
        .map(|i| format!("export const q{i} = 'SELECT old_field FROM members';\n"))
        .collect();
    let (_, findings) = still_referenced_by("src/q.ts", &text);
    let f = &findings[0];
    assert_eq!(f["rule"], "contract-still-referenced");
    let related = f["related"].as_array().unwrap();
    assert_eq!(related.len(), 5);
    assert!(related.iter().all(|r| r["label"] == "still uses `members.old_field`"));
    let msg = f["message"].as_str().unwrap();
    assert!(msg.ends_with("src/q.ts:1, src/q.ts:2, src/q.ts:3 and 2 more"), "{msg}");
}

/// main: the schema and code using `old_field` (2026-01-01), the code
/// stops using it on `removed`; the change drops it on `dropped`.
fn removed_then_dropped(removed: &str, dropped: &str, drop_sql: &str) -> (Option<i32>, Vec<Value>) {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    git(p, &["init", "-q"]);
    write(p, "migrations/001_init.sql", SCHEMA);
    write(
        p,
        "src/members.ts",
        "export const q = 'SELECT old_field FROM members';\n",
    );
    commit(p, "2026-01-01", "init");
    write(
        p,
        "src/members.ts",
        "export const q = 'SELECT new_field FROM members';\n",
    );
    commit(p, removed, "stop reading old_field");
    git(p, &["checkout", "-q", "-b", "feature"]);
    write(p, "migrations/002_drop.sql", drop_sql);
    commit(p, dropped, "drop old_field");
    check(p)
}

#[test]
fn removed_three_days_ago_is_too_soon() {
    let (code, findings) = removed_then_dropped("2026-01-10", "2026-01-13", DROP);
    assert_eq!(code, Some(1));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f["rule"], "contract-too-soon");
    assert_eq!(f["approved"], false);
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains("3 days before the head commit"), "{msg}");
    assert!(msg.contains("src/members.ts:1"), "{msg}");
    assert_eq!(f["related"][0]["file"], "src/members.ts");
}

#[test]
fn removed_thirty_days_ago_passes() {
    let (code, findings) = removed_then_dropped("2026-01-10", "2026-02-09", DROP);
    assert_eq!((code, findings.len()), (Some(0), 0), "{findings:#?}");
}

#[test]
fn a_zero_min_age_turns_the_age_rule_off() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    git(p, &["init", "-q"]);
    write(p, "shipgate.yml", "migrations:\n  contract_min_age: 0\n");
    write(p, "migrations/001_init.sql", SCHEMA);
    write(
        p,
        "src/members.ts",
        "export const q = 'SELECT old_field FROM members';\n",
    );
    commit(p, "2026-01-01", "init");
    git(p, &["checkout", "-q", "-b", "feature"]);
    write(p, "src/members.ts", "export const q = 1;\n");
    write(p, "migrations/002_drop.sql", DROP);
    commit(p, "2026-01-02", "drop");
    let (code, findings) = check(p);
    assert_eq!((code, findings.len()), (Some(0), 0), "{findings:#?}");
}

#[test]
fn an_approval_naming_the_rule_silences_it_and_is_not_unused() {
    let named = "ALTER TABLE members DROP COLUMN old_field; -- MIGRATION_APPROVED(ban-drop-column, contract-too-soon): hotfix; no instance runs 4.1 any more\n";
    let (code, findings) = removed_then_dropped("2026-01-10", "2026-01-13", named);
    assert_eq!(code, Some(0), "{findings:#?}");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["rule"], "contract-too-soon");
    assert_eq!(findings[0]["approved"], true);
    // Only the contract rule named: the approval is used, not reported unused.
    let only = "-- MIGRATION_APPROVED: data copied\n-- MIGRATION_APPROVED(contract-too-soon): hotfix\nALTER TABLE members DROP COLUMN old_field;\n";
    let (code, findings) = removed_then_dropped("2026-01-10", "2026-01-13", only);
    assert_eq!(code, Some(0), "{findings:#?}");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["approved"], true);

    let (code, findings) = change(
        &[("src/q.ts", "const q = 'SELECT old_field FROM members';\n")],
        "-- MIGRATION_APPROVED: data copied\n-- MIGRATION_APPROVED(contract-still-referenced): that query is dead code, removed with 4.2\nALTER TABLE members DROP COLUMN old_field;\n",
    );
    assert_eq!(code, Some(0), "{findings:#?}");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["rule"], "contract-still-referenced");
    assert_eq!(findings[0]["approved"], true);
}

/// The rules of the findings that `shipgate <args> --format json` reports in `dir`, and its exit code.
fn rules_of(dir: &Path, args: &[&str]) -> (Option<i32>, Vec<String>) {
    let o = shipgate(dir, &[args, &["--format", "json"]].concat());
    let report: Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    let rules = report["findings"].as_array().unwrap().iter();
    (
        o.status.code(),
        rules.map(|f| f["rule"].as_str().unwrap().to_string()).collect(),
    )
}

#[test]
fn an_approval_naming_a_contract_rule_is_not_unused_when_the_contract_gate_did_not_run() {
    let sql = "-- MIGRATION_APPROVED: data copied\n-- MIGRATION_APPROVED(contract-too-soon): hotfix\nALTER TABLE members DROP COLUMN old_field;\n";
    let d = repo(&[]);
    write(d.path(), "migrations/002_change.sql", sql);
    commit(d.path(), "2026-03-01", "the change");
    let unused = |(_, rules): &(Option<i32>, Vec<String>)| rules.iter().any(|r| r == "unused-approval");
    // The contract gate ran and nothing read the column: the approval is unused.
    let all = rules_of(d.path(), &["check", ".", "--base", "main"]);
    assert!(unused(&all), "{all:?}");
    // `--only migrations`: the contract rules were not evaluated, so it cannot be judged.
    let only = rules_of(d.path(), &["check", ".", "--base", "main", "--only", "migrations"]);
    assert!(!unused(&only) && only.0 == Some(0), "{only:?}");
    // `lint` outside a repository: no contract gate either.
    let bare = tempfile::tempdir().unwrap();
    write(bare.path(), "002_change.sql", sql);
    let lint = rules_of(bare.path(), &["lint", "002_change.sql"]);
    assert!(!unused(&lint), "{lint:?}");
}

#[test]
fn the_change_that_removes_the_last_use_and_drops_is_too_soon() {
    let d = repo(&[("src/members.ts", "export const q = 'SELECT old_field FROM members';\n")]);
    write(
        d.path(),
        "src/members.ts",
        "export const q = 'SELECT id FROM members';\n",
    );
    write(d.path(), "migrations/002_drop.sql", DROP);
    commit(d.path(), "2026-03-01", "stop reading and drop old_field");
    let (code, findings) = check(d.path());
    assert_eq!(code, Some(1));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["rule"], "contract-too-soon");
    let msg = findings[0]["message"].as_str().unwrap();
    assert!(msg.contains("this change removes its last use"), "{msg}");

    // The same, not committed yet: the work tree removes the use.
    let d = repo(&[("src/members.ts", "export const q = 'SELECT old_field FROM members';\n")]);
    write(
        d.path(),
        "src/members.ts",
        "export const q = 'SELECT id FROM members';\n",
    );
    write(d.path(), "migrations/002_drop.sql", DROP);
    let (_, findings) = check(d.path());
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["rule"], "contract-too-soon");
}

#[test]
fn a_rename_whose_old_name_is_still_read() {
    let code = "const a = 'SELECT old_field FROM members';\nconst b = 'SELECT new_field FROM members';\n";
    let (code, findings) = change(
        &[("src/members.ts", code)],
        "ALTER TABLE members RENAME COLUMN old_field TO new_field; -- MIGRATION_APPROVED: renamed\n",
    );
    assert_eq!(code, Some(1));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let msg = findings[0]["message"].as_str().unwrap();
    assert!(
        msg.starts_with("Renaming column `members.old_field` breaks the code that still uses the old name"),
        "{msg}"
    );
    assert_eq!(
        findings[0]["related"].as_array().unwrap().len(),
        1,
        "the new name is expected"
    );
}

#[test]
fn the_same_column_name_on_another_table_is_not_a_reference() {
    let code =
        "const q = 'SELECT id, status FROM orders';\nexport const paid = (order: Order) => order.status === 'paid';\n";
    let (code, findings) = change(
        &[("src/orders.ts", code)],
        "ALTER TABLE members DROP COLUMN status; -- MIGRATION_APPROVED: unused\n",
    );
    assert_eq!((code, findings.len()), (Some(0), 0), "{findings:#?}");
}

#[test]
fn a_single_word_column_counts_in_sql_but_not_as_a_bare_word() {
    // `email` is on no other table, but it is an everyday word: the
    // variable does not count, the SQL that reads `members.email` does.
    let drop = "ALTER TABLE members DROP COLUMN email; -- MIGRATION_APPROVED: moved to contacts\n";
    let word = "export const send = (email: string) => mailer.send({ to: email });\n";
    assert_none(change(&[("src/mail.ts", word)], drop));
    let sql = "const q = 'SELECT id, email FROM members';\n";
    let (code, findings) = change(&[("src/mail.ts", word), ("src/q.ts", sql)], drop);
    assert_eq!(code, Some(1), "{findings:#?}");
    let related = findings[0]["related"].as_array().unwrap();
    assert_eq!(related.len(), 1, "{related:#?}");
    assert_eq!(related[0]["file"], "src/q.ts");
}

#[test]
fn a_column_dropped_and_added_back_is_no_contraction() {
    // Prisma's way of changing a type: the column is still there afterwards,
    // so the code that reads it is expected (the data loss is ban-drop-column's).
    let sql = "ALTER TABLE members DROP COLUMN old_field, ADD COLUMN old_field int; -- MIGRATION_APPROVED: retyped\n";
    let code = "const q = 'SELECT id, old_field FROM members';\n";
    assert_none(change(&[("src/q.ts", code)], sql));
    // Re-created under another name only: the old name is gone.
    let sql = "ALTER TABLE members DROP COLUMN old_field, ADD COLUMN new_field int; -- MIGRATION_APPROVED: retyped\n";
    let (code, findings) = change(&[("src/q.ts", "const q = 'SELECT id, old_field FROM members';\n")], sql);
    assert_eq!((code, findings.len()), (Some(1), 1), "{findings:#?}");
}

#[test]
fn a_view_that_a_flyway_after_migrate_callback_recreates_is_no_contraction() {
    const DIR: &str = "src/main/resources/db/migration";
    let run = |callback: bool| {
        let d = tempfile::tempdir().unwrap();
        git(d.path(), &["init", "-q"]);
        let init = "CREATE TABLE members (id int PRIMARY KEY, name text);\n\
                    CREATE VIEW member_names AS SELECT id, name FROM members;\n";
        write(d.path(), &format!("{DIR}/V1__init.sql"), init);
        if callback {
            let view = "CREATE OR REPLACE VIEW member_names AS SELECT id, name FROM members;\n";
            write(d.path(), &format!("{DIR}/afterMigrate__views.sql"), view);
        }
        write(
            d.path(),
            "src/main/java/Members.java",
            "class Members { @Query(\"select id, name from member_names\") List<Row> all(); }\n",
        );
        commit(d.path(), "2026-01-01", "init");
        git(d.path(), &["checkout", "-q", "-b", "feature"]);
        let drop = "DROP VIEW member_names; -- MIGRATION_APPROVED: rebuilt with the new columns\n";
        write(d.path(), &format!("{DIR}/V2__rebuild_views.sql"), drop);
        commit(d.path(), "2026-03-01", "the change");
        check(d.path())
    };
    // Flyway re-creates the view after every migrate: the code's query keeps working.
    let (code, findings) = run(true);
    assert_eq!((code, findings.len()), (Some(0), 0), "{findings:#?}");
    let (code, findings) = run(false);
    assert_eq!(code, Some(1), "{findings:#?}");
    assert_eq!(findings[0]["rule"], "contract-still-referenced", "{findings:#?}");
}

#[test]
fn a_name_only_in_docs_changelogs_and_old_migrations_is_not_a_reference() {
    let (code, findings) = change(
        &[
            ("docs/schema.md", "`members.old_field` holds the legacy value.\n"),
            ("CHANGELOG.md", "- 4.1: stop reading old_field\n"),
            ("README.rst", "old_field\n"),
            ("migrations/001b_fill.sql", "UPDATE members SET old_field = 'x';\n"),
            ("vendor/lib/q.js", "q('SELECT old_field FROM members')\n"),
            (
                "src/members.ts",
                "// old_field was read here until 4.1\nexport const x = 1;\n",
            ),
        ],
        DROP,
    );
    assert_eq!((code, findings.len()), (Some(0), 0), "{findings:#?}");
}

#[test]
fn a_shallow_clone_is_not_evaluated_and_says_to_fetch_history() {
    let (_, findings) = removed_then_dropped("2026-01-10", "2026-02-09", DROP);
    assert!(findings.is_empty());
    let d = repo(&[("src/members.ts", "export const x = 1;\n")]);
    write(d.path(), "migrations/002_drop.sql", DROP);
    commit(d.path(), "2026-03-01", "drop");
    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", d.path().display());
    git(
        clones.path(),
        &["clone", "-q", "--depth", "1", "--branch", "feature", &url, "c"],
    );
    let o = shipgate(&clones.path().join("c"), &["check", "."]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("fetch-depth: 0") && err.contains("contract-too-soon"),
        "{err}"
    );
}

// ---- fixtures/contract/<rule-id>/{fail_*,pass_*}/ ----

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/contract")
}

/// A fixture is a repository as numbered, dated trees: `1-2026-01-01/`,
/// `2-2026-01-10/`, ... Each tree's files are written over the previous
/// commit (a file whose text is `DELETE` is removed) and committed on that
/// date; every tree but the last is on `main`, the last is the change.
fn fixture_repo(fixture: &Path) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    git(d.path(), &["init", "-q"]);
    let mut steps: Vec<PathBuf> = std::fs::read_dir(fixture).unwrap().map(|e| e.unwrap().path()).collect();
    steps.sort();
    for (i, step) in steps.iter().enumerate() {
        if i + 1 == steps.len() {
            git(d.path(), &["checkout", "-q", "-b", "feature"]);
        }
        let name = step.file_name().unwrap().to_string_lossy().into_owned();
        let date = name.split_once('-').map(|(_, d)| d.to_string()).unwrap();
        for file in walk(step) {
            let rel = file.strip_prefix(step).unwrap().to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&file).unwrap();
            if text.trim() == "DELETE" {
                std::fs::remove_file(d.path().join(&rel)).unwrap();
            } else {
                write(d.path(), &rel, text);
            }
        }
        commit(d.path(), &date, &name);
    }
    d
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn every_contract_rule_has_fixtures_that_fail_and_pass() {
    let mut seen = Vec::new();
    for rule in std::fs::read_dir(fixtures()).unwrap() {
        let rule = rule.unwrap();
        let id = rule.file_name().to_string_lossy().into_owned();
        let mut kinds = (0, 0);
        for case in std::fs::read_dir(rule.path()).unwrap() {
            let case = case.unwrap();
            let name = case.file_name().to_string_lossy().into_owned();
            let repo = fixture_repo(&case.path());
            let (_, findings) = check(repo.path());
            let hits: Vec<&Value> = findings.iter().filter(|f| f["rule"] == id.as_str()).collect();
            if name.starts_with("fail_") {
                kinds.0 += 1;
                assert!(!hits.is_empty(), "{id}/{name}: expected a finding, got {findings:#?}");
                let shown: Vec<Value> = hits
                    .iter()
                    .map(|f| {
                        serde_json::json!({
                            "message": f["message"], "file": f["file"], "line": f["line"],
                            "approved": f["approved"], "related": f["related"],
                        })
                    })
                    .collect();
                insta::assert_json_snapshot!(format!("{id}__{name}"), shown);
            } else {
                kinds.1 += 1;
                assert!(hits.is_empty(), "{id}/{name}: expected no finding, got {hits:#?}");
            }
        }
        assert!(kinds.0 > 0 && kinds.1 > 0, "{id} needs fail_ and pass_ fixtures");
        seen.push(id);
    }
    seen.sort();
    let want: Vec<&str> = shipgate::registry::all()
        .into_iter()
        .filter(|m| m.domain == shipgate::registry::Domain::Contract)
        .map(|m| m.id)
        .collect();
    assert_eq!(seen, want);
}

#[test]
fn the_markdown_summary_lists_the_references() {
    let d = repo(&[("src/q.ts", "const q = 'SELECT old_field FROM members';\n")]);
    write(d.path(), "migrations/002_drop.sql", DROP);
    commit(d.path(), "2026-03-01", "drop");
    let o = shipgate(d.path(), &["check", ".", "--base", "main", "--format", "markdown"]);
    let md = String::from_utf8_lossy(&o.stdout);
    assert!(
        md.contains("(still uses \\`members.old&#95;field\\`: src/q.ts:1)"),
        "{md}"
    );
}

#[test]
fn an_orm_field_counts_even_when_its_name_is_not_distinctive() {
    // `orders.status` exists too: only the ORM resolves `status` to `members`.
    let django = "from django.db import models\n\n\nclass Member(models.Model):\n    status = models.TextField()\n\n    class Meta:\n        db_table = \"members\"\n";
    let (code, findings) = change(
        &[("crm/models.py", django), ("src/orders.ts", "order.status;\n")],
        "ALTER TABLE members DROP COLUMN status; -- MIGRATION_APPROVED: unused\n",
    );
    assert_eq!(code, Some(1), "{findings:#?}");
    let related = findings[0]["related"].as_array().unwrap();
    assert_eq!(related.len(), 1, "{findings:#?}");
    assert_eq!(
        (&related[0]["file"], &related[0]["line"]),
        (&"crm/models.py".into(), &5.into())
    );
}
