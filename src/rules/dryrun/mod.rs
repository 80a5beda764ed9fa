//! Dry-run rules: judge what a dry run observed (plain data, no database)
//! and set it against the static verdict on the same statements.

use crate::dryrun::model::{Change, ChangeKind, MigrationRun, SkipKind, StatementRun, StatementStatus};
use crate::finding::Finding;
use crate::migration::MigrationFile;
use crate::rule::{Class, RuleMeta};

pub mod dry_run_check_changed;

crate::declare_rule! {
    /// ## What it does
    /// Flags a statement that, when the dry run executed it, dropped, renamed
    /// or retyped something that existed before the change, made a column
    /// NOT NULL, dropped a default or added a NOT NULL column without one,
    /// while no static rule flagged the statement.
    ///
    /// ## Why it blocks a release
    /// The static gate reads SQL text. Dynamic SQL (`EXECUTE` of a string
    /// built at run time), functions the migration calls, triggers and
    /// `CASCADE` do things the text does not show. A destructive change that
    /// the static gate missed ships without the review and the approval that
    /// destructive changes need, and breaks instances still running the
    /// previous release.
    ///
    /// ## How to ship it safely
    /// Read the statement's catalog changes in the dry-run report. If the
    /// change is intended, follow the expand/contract steps of the matching
    /// static rule (`shipgate explain ban-drop-table`, ...) and approve the
    /// statement with `-- MIGRATION_APPROVED: <reason>`. Consider rewriting the
    /// migration so that the destructive statement is written out, where the
    /// static gate can see it.
    pub DRY_RUN_FOUND_DESTRUCTIVE = { id: "dry-run-found-destructive", domain: Migration, default: Error, class: Contract };
}

crate::declare_rule! {
    /// ## What it does
    /// Flags a statement after which a table that existed before the change
    /// has fewer rows than before it, including a table dropped with its
    /// rows: row-count parity, measured on a real database.
    ///
    /// ## Why it blocks a release
    /// Release runbooks demand zero data loss: row counts per table must
    /// match after the migration. A `DELETE` whose `WHERE` matches more than
    /// intended, a `TRUNCATE`, a cascade or a function that deletes rows looks
    /// harmless in review and removes data for good; a rollback of the code
    /// cannot bring it back. Counts above `--exact-count-limit` rows are
    /// estimates from `pg_class.reltuples` corrected by the transaction's own
    /// insert and delete counters.
    ///
    /// ## How to ship it safely
    /// Fix the statement so that it keeps the rows, or, when removing them is
    /// the point (purging expired data, a backfill that moves rows), say so
    /// with `-- MIGRATION_APPROVED: <reason>` on the statement, after taking a
    /// backup.
    pub DRY_RUN_ROW_LOSS = { id: "dry-run-row-loss", domain: Migration, default: Error, class: Contract };
}

crate::declare_rule! {
    /// ## What it does
    /// Warns when a statement took an `ACCESS EXCLUSIVE` lock on a table with
    /// more rows than `--large-table-rows` (default 100000), as observed in
    /// `pg_locks`, and says when the table was rewritten too.
    ///
    /// ## Why it blocks a release
    /// It does not block. While the lock is held every read and write of the
    /// table waits, and in a migration that runs in a transaction it is held
    /// until the commit. On a large table, and above all with a rewrite, that
    /// is an outage.
    ///
    /// ## How to ship it safely
    /// Use the forms that take weaker locks: `CREATE INDEX CONCURRENTLY`,
    /// `ADD CONSTRAINT ... NOT VALID` then `VALIDATE CONSTRAINT`, a new column
    /// and a backfill instead of `ALTER COLUMN ... TYPE`. Set `lock_timeout`.
    /// If the lock is acceptable (a maintenance window), approve it by name:
    /// `-- MIGRATION_APPROVED(dry-run-access-exclusive-lock): <reason>`.
    pub DRY_RUN_ACCESS_EXCLUSIVE_LOCK = { id: "dry-run-access-exclusive-lock", domain: Migration, default: Warning, class: Lock };
}

crate::declare_rule! {
    /// ## What it does
    /// Flags a statement that PostgreSQL rejected during the dry run, with
    /// PostgreSQL's message, SQLSTATE, and the line and column it points at.
    ///
    /// ## Why it blocks a release
    /// The migration would fail at this statement in production too, and the
    /// deployment with it. The statements after it and the migrations after
    /// it were not run.
    ///
    /// ## How to ship it safely
    /// Fix the statement, or the migration that should have prepared what it
    /// needs, and run the dry run again. A `lock_timeout` or
    /// `statement_timeout` failure means the statement waited or ran longer
    /// than `--lock-timeout` / `--statement-timeout` allow.
    pub DRY_RUN_STATEMENT_FAILED = { id: "dry-run-statement-failed", domain: Migration, default: Error, class: Other };
}

crate::declare_rule! {
    /// ## What it does
    /// Notes a statement the dry run did not execute: transaction control
    /// (`BEGIN`, `COMMIT`, `ROLLBACK`, ...), which would end the dry run's
    /// transaction; statements PostgreSQL refuses inside a transaction block
    /// (`CREATE INDEX CONCURRENTLY`, `VACUUM`, ...); and statements whose
    /// effects a rollback cannot undo (`COPY ... TO` a file, `CHECKPOINT`).
    ///
    /// ## Why it blocks a release
    /// It does not block. What was not executed was not proven: its locks,
    /// rewrites and catalog changes are missing from the report.
    ///
    /// ## How to ship it safely
    /// Run with `--scratch-db`: the dry run then copies the database with
    /// `CREATE DATABASE ... TEMPLATE`, runs such statements there for real,
    /// and drops the copy afterwards.
    pub DRY_RUN_SKIPPED_STATEMENT = { id: "dry-run-skipped-statement", domain: Migration, default: Note, class: Other };
}

crate::declare_rule! {
    /// ## What it does
    /// Notes a static finding of a destructive or breaking change on a
    /// statement that, when the dry run executed it, removed no rows, updated
    /// none, and dropped, renamed or retyped nothing: for example a
    /// `DELETE` without `WHERE` on an empty table, or `DROP ... IF EXISTS` of
    /// something that does not exist.
    ///
    /// ## Why it blocks a release
    /// It does not block, and the static finding still stands: the database
    /// the dry run used may hold less than production. The note exists so
    /// that static rules that are stricter than needed can be improved.
    ///
    /// ## How to ship it safely
    /// Nothing to do for this release. If the static finding is wrong for
    /// every database, report it with the statement.
    pub DRY_RUN_HARMLESS_STATIC_FINDING = { id: "dry-run-harmless-static-finding", domain: Migration, default: Note, class: Other };
}

/// Every dry-run rule.
pub static META: &[&RuleMeta] = &[
    &DRY_RUN_FOUND_DESTRUCTIVE,
    &DRY_RUN_ROW_LOSS,
    &DRY_RUN_ACCESS_EXCLUSIVE_LOCK,
    &DRY_RUN_STATEMENT_FAILED,
    &DRY_RUN_SKIPPED_STATEMENT,
    &DRY_RUN_HARMLESS_STATIC_FINDING,
    &dry_run_check_changed::RULE,
];

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub large_table_rows: i64,
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn object_label(object: &str) -> String {
    object.replace('_', " ")
}

/// `drop table `t``, `rename column `t.a` to `b``, ... for a message.
fn describe(c: &Change) -> String {
    let obj = object_label(c.object);
    let target = c.detail.as_deref().and_then(|d| d.strip_prefix("→ ")).unwrap_or("");
    match c.change {
        ChangeKind::Removed => format!("drop {obj} `{}`", c.name),
        ChangeKind::Renamed => format!("rename {obj} `{}` to `{target}`", c.name),
        ChangeKind::Added => format!(
            "add {obj} `{}`{}",
            c.name,
            if c.object == "column" {
                " as NOT NULL without a default"
            } else {
                ""
            }
        ),
        ChangeKind::Changed => match c.detail.as_deref() {
            Some(d) => format!("change {obj} `{}` ({d})", c.name),
            None => format!("change {obj} `{}`", c.name),
        },
    }
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [a, b] => format!("{a} and {b}"),
        [a, b, c] => format!("{a}, {b} and {c}"),
        [a, b, rest @ ..] => format!("{a}, {b} and {} more", rest.len()),
    }
}

/// Findings for one migration's dry run, located at its statements, with the
/// file's approval comments applied.
pub fn check(file: &MigrationFile, run: &MigrationRun, static_findings: &[Finding], opts: Options) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in &run.statements {
        let Some(stmt) = file.statements.get(s.index) else {
            continue;
        };
        let at = |f: Finding| {
            let mut f = f.at(&file.path, stmt.span.clone(), file.location(&stmt.span));
            f.statement = Some(s.index);
            f
        };
        let statics: Vec<&Finding> = static_findings
            .iter()
            .filter(|f| f.statement == Some(s.index) && f.file.as_deref() == Some(file.path.as_str()))
            .collect();
        match s.status {
            StatementStatus::Failed => out.push(at(failed(s))),
            StatementStatus::Skipped => {
                if let Some(skip) = &s.skip {
                    let help = match skip.kind {
                        SkipKind::NonTransactional => {
                            "run with `--scratch-db` to execute it for real in a throwaway copy of the database"
                        }
                        SkipKind::TransactionControl => "the dry run's own transaction stands in for it",
                        _ => "check this statement by hand",
                    };
                    out.push(at(Finding::new(
                        &DRY_RUN_SKIPPED_STATEMENT,
                        format!("{}, so the dry run did not execute it", capitalise(&skip.message)),
                    )
                    .help(help)));
                }
            }
            StatementStatus::Ran => {
                out.extend(ran(file, s, &statics, opts).into_iter().map(at));
            }
            StatementStatus::NotRun => {}
        }
    }
    apply_approvals(file, &mut out);
    out
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn failed(s: &StatementRun) -> Finding {
    let Some(e) = &s.error else {
        return Finding::new(
            &DRY_RUN_STATEMENT_FAILED,
            "PostgreSQL rejected this statement, so the migration would fail here",
        );
    };
    let code = if e.code.is_empty() {
        String::new()
    } else {
        format!(" ({})", e.code)
    };
    let position = match (e.line, e.column) {
        (Some(l), Some(c)) => format!(" at line {l}, column {c}"),
        _ => String::new(),
    };
    let inner = match (&e.internal_query, e.internal_position) {
        (Some(q), Some(p)) => format!(" in `{}` at character {p}", q.trim()),
        (Some(q), None) => format!(" in `{}`", q.trim()),
        _ => String::new(),
    };
    let timeout = matches!(e.code.as_str(), "55P03" | "57014");
    let mut f = Finding::new(
        &DRY_RUN_STATEMENT_FAILED,
        format!(
            "PostgreSQL rejected this statement{position}{inner}: {}{code}, so the migration would fail here and nothing after it ran",
            e.message
        ),
    );
    f.help = Some(match (&e.hint, timeout) {
        (_, true) => "the statement waited or ran longer than `--lock-timeout`/`--statement-timeout` allow; find what holds the lock or make the statement cheaper".to_string(),
        (Some(h), _) => h.clone(),
        (None, _) => "fix the statement, or the migration that should have prepared what it needs".to_string(),
    });
    f
}

/// What the statement did that the static gate has to answer for.
fn ran(file: &MigrationFile, s: &StatementRun, statics: &[&Finding], opts: Options) -> Vec<Finding> {
    let mut out = Vec::new();
    let static_contract: Vec<&&Finding> = statics.iter().filter(|f| f.meta.class == Class::Contract).collect();
    let breaking: Vec<&Change> = s.changes.iter().filter(|c| c.breaking && !c.replaced).collect();
    if !breaking.is_empty() && static_contract.is_empty() {
        let what: Vec<String> = breaking.iter().map(|c| describe(c)).collect();
        out.push(
            Finding::new(
                &DRY_RUN_FOUND_DESTRUCTIVE,
                format!(
                    "The dry run saw this statement {}, which no static rule flagged, so the change would ship unreviewed",
                    list(&what)
                ),
            )
            .help("write the destructive statement out where the static gate can see it, or approve it with `-- MIGRATION_APPROVED: <reason>`"),
        );
    }
    for r in s.rows.iter().filter(|r| r.preexisting && r.lost() > 0) {
        let about = if r.exact { "" } else { "about " };
        let message = match (r.before, r.after) {
            (Some(b), None) => format!(
                "This statement dropped table `{}` with its {about}{}, so the migration loses data",
                r.table,
                plural(b, "row", "rows")
            ),
            (Some(b), Some(a)) => format!(
                "This statement removed {about}{} of {b} from `{}` ({b} → {a}), so the migration loses data",
                plural(b - a, "row", "rows"),
                r.table
            ),
            _ => continue,
        };
        out.push(
            Finding::new(&DRY_RUN_ROW_LOSS, message).help(
                "keep the rows, or approve the loss with `-- MIGRATION_APPROVED: <reason>` after taking a backup",
            ),
        );
    }
    // A rewrite needs ACCESS EXCLUSIVE: when the run already held it, the rewrite still tells.
    let held_and_rewritten = s.held_locks.iter().filter(|l| {
        s.rewrites.iter().any(|r| r.relation == l.relation && r.kind == "table")
            && !s.locks.iter().any(|n| n.relation == l.relation && n.mode == l.mode)
    });
    let mut warned: Vec<&str> = Vec::new();
    for l in s
        .locks
        .iter()
        .chain(held_and_rewritten)
        .filter(|l| l.mode == "AccessExclusiveLock" && l.large && l.preexisting && l.kind == "table")
    {
        if warned.contains(&l.relation.as_str()) {
            continue;
        }
        warned.push(&l.relation);
        let rewritten = s.rewrites.iter().any(|r| r.relation == l.relation);
        let rows = l.rows.unwrap_or(0);
        let hold = if file.wrapped {
            "until the migration commits"
        } else {
            "while it runs"
        };
        out.push(
            Finding::new(
                &DRY_RUN_ACCESS_EXCLUSIVE_LOCK,
                format!(
                    "This statement {}takes an ACCESS EXCLUSIVE lock on `{}` ({} rows, more than {}) and holds it {hold}, so every read and write of the table waits",
                    if rewritten { "rewrites the table and " } else { "" },
                    l.relation,
                    rows,
                    opts.large_table_rows
                ),
            )
            .help("use a form that takes a weaker lock (CONCURRENTLY, NOT VALID then VALIDATE), set `lock_timeout`, or run it in a maintenance window"),
        );
    }
    let rows_changed = s
        .rows
        .iter()
        .any(|r| r.preexisting && (r.lost() > 0 || r.updated > 0 || r.deleted > 0));
    if !static_contract.is_empty()
        && breaking.is_empty()
        && !rows_changed
        && s.changes.iter().all(|c| c.replaced || c.change == ChangeKind::Added)
    {
        let mut seen = Vec::new();
        for f in static_contract {
            if seen.contains(&f.rule) {
                continue;
            }
            seen.push(f.rule);
            out.push(
                Finding::new(
                    &DRY_RUN_HARMLESS_STATIC_FINDING,
                    format!(
                        "Static rule `{}` flagged this statement, but on this database it removed no rows and dropped, renamed or retyped nothing, so the rule may be stricter than needed here",
                        f.rule
                    ),
                )
                .help("the static finding still stands; production may hold what this database does not"),
            );
        }
    }
    out
}

/// Marks findings approved by the file's approval comments, as the static
/// engine does: a plain approval covers contract-class findings, a listed
/// rule covers that rule. (Unused approvals are the static engine's to report.)
fn apply_approvals(file: &MigrationFile, findings: &mut [Finding]) {
    for ap in &file.approvals {
        if let Ok(reason) = &ap.reason {
            crate::rules::migration::approve(ap, reason, findings);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SqlDialect;
    use crate::dryrun::model::*;

    fn file(sql: &str) -> MigrationFile {
        MigrationFile::parse("m.sql", sql.to_string(), SqlDialect::Postgres, true)
    }

    fn stmt(index: usize) -> StatementRun {
        let loc = crate::finding::Location {
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
        };
        StatementRun::new(index, &loc, String::new(), StatementStatus::Ran)
    }

    fn run(statements: Vec<StatementRun>) -> MigrationRun {
        MigrationRun {
            file: "m.sql".into(),
            status: MigrationStatus::Applied,
            reason: None,
            duration_ms: 0.0,
            catalog_diff: Vec::new(),
            row_counts: Vec::new(),
            statements,
        }
    }

    fn drop_table(name: &str) -> Change {
        Change {
            object: "table",
            change: ChangeKind::Removed,
            name: name.into(),
            detail: None,
            breaking: true,
            replaced: false,
        }
    }

    fn rows(before: i64, after: Option<i64>) -> RowCount {
        RowCount {
            table: "members".into(),
            before: Some(before),
            after,
            exact: true,
            inserted: 0,
            updated: 0,
            deleted: before - after.unwrap_or(0),
            preexisting: true,
        }
    }

    const OPTS: Options = Options { large_table_rows: 100 };

    fn static_findings(f: &MigrationFile) -> Vec<Finding> {
        let mut catalog = crate::migration::schema_model::Catalog::default();
        crate::rules::migration::check_file(f, &mut catalog, crate::rules::migration::EngineOptions::default())
    }

    #[test]
    fn a_drop_the_static_gate_missed_is_an_error() {
        let f = file("SELECT purge_legacy();\n");
        let mut s = stmt(0);
        s.changes.push(drop_table("legacy"));
        let got = check(&f, &run(vec![s]), &static_findings(&f), OPTS);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].rule, "dry-run-found-destructive");
        assert!(got[0].message.contains("drop table `legacy`"), "{}", got[0].message);
        assert_eq!(got[0].location.map(|l| l.line), Some(1));
    }

    #[test]
    fn a_drop_the_static_gate_flagged_is_not_reported_again() {
        let f = file("DROP TABLE legacy;\n");
        let mut s = stmt(0);
        s.changes.push(drop_table("legacy"));
        let got = check(&f, &run(vec![s]), &static_findings(&f), OPTS);
        assert!(got.iter().all(|g| g.rule != "dry-run-found-destructive"), "{got:?}");
    }

    #[test]
    fn every_decrease_is_row_loss_and_approvals_apply() {
        let f = file("DELETE FROM members WHERE id > 0;\n");
        let mut s = stmt(0);
        s.rows.push(rows(50, Some(0)));
        let got = check(&f, &run(vec![s.clone()]), &static_findings(&f), OPTS);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].rule, "dry-run-row-loss");
        assert!(got[0].message.contains("50 rows of 50"), "{}", got[0].message);
        assert!(!got[0].approved);

        let f = file("DELETE FROM members WHERE id > 0; -- MIGRATION_APPROVED: expired test data\n");
        let got = check(&f, &run(vec![s]), &static_findings(&f), OPTS);
        assert!(got[0].approved, "{got:?}");
        assert_eq!(got[0].approval_reason.as_deref(), Some("expired test data"));
    }

    #[test]
    fn a_delete_that_removed_nothing_notes_the_static_rule() {
        let f = file("DELETE FROM members;\n");
        let mut s = stmt(0);
        s.rows.push(rows(0, Some(0)));
        let got = check(&f, &run(vec![s]), &static_findings(&f), OPTS);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].rule, "dry-run-harmless-static-finding");
        assert!(got[0].message.contains("`ban-delete-without-where`"));
    }

    #[test]
    fn access_exclusive_on_a_large_table_warns_with_the_rewrite() {
        let f = file("ALTER TABLE members ALTER COLUMN id TYPE bigint;\n");
        let mut s = stmt(0);
        s.locks.push(Lock {
            relation: "members".into(),
            kind: "table".into(),
            mode: "AccessExclusiveLock".into(),
            rows: Some(1000),
            large: true,
            preexisting: true,
        });
        s.rewrites.push(Rewrite {
            relation: "members".into(),
            kind: "table".into(),
            rows: Some(1000),
            bytes: Some(8192),
        });
        let got = check(&f, &run(vec![s]), &[], OPTS);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].rule, "dry-run-access-exclusive-lock");
        assert!(got[0].message.contains("rewrites the table"), "{}", got[0].message);
    }

    #[test]
    fn failures_carry_the_position_and_skips_are_notes() {
        let f = file("COMMIT;\nSELECT nope;\n");
        let mut skipped = stmt(0);
        skipped.status = StatementStatus::Skipped;
        skipped.skip = Some(Skip {
            kind: SkipKind::TransactionControl,
            message: "`COMMIT` would end the dry run's transaction".into(),
        });
        let mut failed = stmt(1);
        failed.status = StatementStatus::Failed;
        failed.error = Some(SqlError {
            code: "42703".into(),
            message: "column \"nope\" does not exist".into(),
            detail: None,
            hint: None,
            line: Some(2),
            column: Some(8),
            position: Some(8),
            internal_query: None,
            internal_position: None,
            context: None,
        });
        let got = check(&f, &run(vec![skipped, failed]), &[], OPTS);
        assert_eq!(got[0].rule, "dry-run-skipped-statement");
        assert!(got[0].message.starts_with("`COMMIT` would end"), "{}", got[0].message);
        assert_eq!(got[1].rule, "dry-run-statement-failed");
        assert!(got[1].message.contains("at line 2, column 8"), "{}", got[1].message);
        assert!(got[1].message.contains("(42703)"));
    }
}
