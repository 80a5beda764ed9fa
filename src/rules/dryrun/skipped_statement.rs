//! A statement the dry run did not execute.
use super::DryRunCx;
use crate::dryrun::model::{SkipKind, StatementStatus};
use crate::finding::Finding;

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
    pub RULE = { id: "dry-run-skipped-statement", domain: Migration, default: Note, class: Other };
}

pub fn check(cx: &DryRunCx, out: &mut Vec<Finding>) {
    let s = cx.statement;
    if s.status != StatementStatus::Skipped {
        return;
    }
    let Some(skip) = &s.skip else {
        return;
    };
    let help = match skip.kind {
        SkipKind::NonTransactional => {
            "run with `--scratch-db` to execute it for real in a throwaway copy of the database"
        }
        SkipKind::TransactionControl => "the dry run's own transaction stands in for it",
        _ => "check this statement by hand",
    };
    out.push(
        Finding::new(
            &RULE,
            format!("{}, so the dry run did not execute it", capitalise(&skip.message)),
        )
        .help(help),
    );
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
