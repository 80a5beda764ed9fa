//! Dry-run rules, one per file: each judges what a dry run observed for one
//! statement (plain data, no database) and sets it against the static
//! verdict on the same statement. `check` runs the table on every statement
//! of a migration, locates the findings and applies the approval comments.

mod access_exclusive_lock;
pub mod dry_run_check_changed;
mod found_destructive;
mod harmless_static_finding;
mod rollback_not_restoring;
mod row_loss;
mod skipped_statement;
pub mod statement_failed;

use super::Table;
use crate::dryrun::model::{Change, MigrationRun, RollbackRun, StatementRun, StatementStatus};
use crate::finding::Finding;
use crate::migration::MigrationFile;
use crate::rule::Class;

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub large_table_rows: i64,
}

/// What a dry-run rule sees: one statement's run, in its file, with the
/// static findings on that statement.
pub struct DryRunCx<'a> {
    pub file: &'a MigrationFile,
    pub statement: &'a StatementRun,
    /// The static gate's findings on this statement.
    pub statics: &'a [&'a Finding],
    pub opts: Options,
}

impl DryRunCx<'_> {
    /// The statement ran (neither failed nor skipped).
    pub fn ran(&self) -> bool {
        self.statement.status == StatementStatus::Ran
    }

    /// The catalog changes that break the previous release and were not
    /// replaced within the migration.
    pub fn breaking(&self) -> Vec<&Change> {
        self.statement
            .changes
            .iter()
            .filter(|c| c.breaking && !c.replaced)
            .collect()
    }

    /// The static contract-class findings on this statement.
    pub fn static_contract(&self) -> Vec<&Finding> {
        self.statics
            .iter()
            .copied()
            .filter(|f| f.meta.class == Class::Contract)
            .collect()
    }
}

pub type RuleFn = fn(&DryRunCx, &mut Vec<Finding>);

/// Every dry-run rule, once, in report order.
pub static RULES: &Table<RuleFn> = super::table![
    statement_failed,
    skipped_statement,
    found_destructive,
    row_loss,
    access_exclusive_lock,
    harmless_static_finding,
    ;
    (&dry_run_check_changed::RULE, "gates/dryrun.rs, on the configured dry_run.checks"),
    (&rollback_not_restoring::RULE, "check_rollback, with `dry-run --with-rollback`"),
];

/// Findings for one migration's dry run, located at its statements, with the
/// file's approval comments applied.
pub fn check(file: &MigrationFile, run: &MigrationRun, static_findings: &[Finding], opts: Options) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in &run.statements {
        let Some(stmt) = file.statements.get(s.index) else {
            continue;
        };
        let statics: Vec<&Finding> = static_findings
            .iter()
            .filter(|f| f.statement == Some(s.index) && f.file.as_deref() == Some(file.path.as_str()))
            .collect();
        let cx = DryRunCx {
            file,
            statement: s,
            statics: &statics,
            opts,
        };
        out.extend(super::run(RULES, &cx).into_iter().map(|f| {
            let mut f = f.at(&file.path, stmt.span.clone(), file.location(&stmt.span));
            f.statement = Some(s.index);
            f
        }));
    }
    apply_approvals(file, &mut out);
    out
}

/// Findings for a migration's rollback run (`--with-rollback`), located in
/// the rollback file: its failed and skipped statements, then each
/// difference from the state before the migration, at the rollback's
/// statement on the same table (else its first statement).
pub fn check_rollback(migration: &str, rollback: &MigrationFile, run: &RollbackRun, opts: Options) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in &run.statements {
        let Some(stmt) = rollback.statements.get(s.index) else {
            continue;
        };
        let cx = DryRunCx {
            file: rollback,
            statement: s,
            statics: &[],
            opts,
        };
        let mut found = Vec::new();
        statement_failed::check(&cx, &mut found);
        skipped_statement::check(&cx, &mut found);
        out.extend(found.into_iter().map(|f| {
            let mut f = f.at(&rollback.path, stmt.span.clone(), rollback.location(&stmt.span));
            f.statement = Some(s.index);
            f
        }));
    }
    for (mut f, table) in rollback_not_restoring::check(migration, run) {
        // At the rollback statement on the difference's table, else its first.
        let on_table = |s: &&crate::migration::statement::Statement| {
            s.actions
                .iter()
                .any(|a| a.table().is_some_and(|t| Some(t.to_string().as_str()) == table))
        };
        let at = rollback
            .statements
            .iter()
            .find(on_table)
            .or(rollback.statements.first());
        match at {
            Some(s) => {
                f = f.at(&rollback.path, s.span.clone(), rollback.location(&s.span));
                f.statement = rollback.statements.iter().position(|x| std::ptr::eq(x, s));
            }
            None => f.file = Some(rollback.path.clone()),
        }
        out.push(f);
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
            rollback: None,
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
