//! Renaming a column.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::Action;

crate::declare_rule! {
    /// ## What it does
    /// Flags `ALTER TABLE ... RENAME COLUMN` (and `ALTER VIEW ... RENAME COLUMN`)
    /// of a column that existed before this change.
    ///
    /// ## Why it blocks a release
    /// The running release reads and writes the old column name and fails.
    ///
    /// ## How to ship it safely
    /// Add the new column, write to both, backfill, switch readers, and drop the
    /// old column in a later release.
    pub RULE = { id: "ban-rename-column", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        if let Action::RenameColumn { table, from, to } = a {
            if cx.catalog.column_is_new(table, from) {
                continue;
            }
            out.push(
                Finding::new(
                    &RULE,
                    format!("Renaming column `{table}.{from}` to `{to}` breaks instances still using `{from}`"),
                )
                .help("add the new column, backfill and switch readers, then drop the old column in a later release"),
            );
        }
    }
}
