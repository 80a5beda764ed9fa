//! UNIQUE or PRIMARY KEY added without USING INDEX.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::{Action, ConstraintKind};

crate::declare_rule! {
    /// ## What it does
    /// Flags `ADD CONSTRAINT ... UNIQUE` and `ADD CONSTRAINT ... PRIMARY KEY`
    /// that build their own index, and `ADD COLUMN ... UNIQUE` or
    /// `... PRIMARY KEY`, on a table that existed before this change.
    ///
    /// ## Why it blocks a release
    /// The index is built while an ACCESS EXCLUSIVE lock is held: the table is
    /// unavailable for reads and writes for the whole build.
    ///
    /// ## How to ship it safely
    /// `CREATE UNIQUE INDEX CONCURRENTLY idx ON t (...)`, then
    /// `ALTER TABLE t ADD CONSTRAINT c UNIQUE USING INDEX idx` (instant). For a
    /// new column, add it without the constraint first.
    pub RULE = { id: "require-unique-using-index", domain: Migration, default: Warning, class: Lock };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        if let Action::AddColumn { table, column } = a {
            let kind = match (column.primary_key, column.unique) {
                (true, _) => "PRIMARY KEY",
                (false, true) => "UNIQUE",
                _ => continue,
            };
            if cx.catalog.table_is_new(table) {
                continue;
            }
            out.push(Finding::new(&RULE, format!(
                    "Adding column `{}` as {kind} to `{table}` builds its index under an exclusive lock",
                    column.name
                )).help("add the column without the constraint, build the index with `CREATE UNIQUE INDEX CONCURRENTLY`, then add the constraint `USING INDEX`"));
        }
        if let Action::AddConstraint { table, constraint } = a {
            let kind = match constraint.kind {
                ConstraintKind::Unique => "a UNIQUE constraint",
                ConstraintKind::PrimaryKey => "a PRIMARY KEY",
                _ => continue,
            };
            if constraint.using_index || cx.catalog.table_is_new(table) {
                continue;
            }
            out.push(
                Finding::new(
                    &RULE,
                    format!("Adding {kind} to `{table}` builds its index under an exclusive lock"),
                )
                .help("build the index with `CREATE UNIQUE INDEX CONCURRENTLY`, then add the constraint `USING INDEX`"),
            );
        }
    }
}
