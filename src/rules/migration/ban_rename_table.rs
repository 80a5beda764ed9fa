//! Renaming a table.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::{Action, ObjectKind};

crate::declare_rule! {
    /// ## What it does
    /// Flags `ALTER TABLE ... RENAME TO` of a table that existed before this change.
    ///
    /// ## Why it blocks a release
    /// The running release still queries the old name and fails at once.
    ///
    /// ## How to ship it safely
    /// Expand and contract: create the new table (or a view with the new name),
    /// write to both, backfill, move readers, then drop the old one in a later
    /// release.
    pub RULE = { id: "ban-rename-table", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        if let Action::Rename {
            kind: ObjectKind::Table,
            from,
            to,
            ..
        } = a
        {
            if cx.catalog.table_is_new(from) {
                continue;
            }
            out.push(
                Finding::new(
                    &RULE,
                    format!("Renaming table `{from}` to `{to}` breaks instances still querying `{from}`"),
                )
                .help("add the new table or a view under the new name, move readers, then drop the old name later"),
            );
        }
    }
}
