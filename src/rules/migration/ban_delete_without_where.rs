//! DELETE without WHERE.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::Action;

crate::declare_rule! {
    /// ## What it does
    /// Flags `DELETE FROM t` with no `WHERE` clause on a table that existed
    /// before this change.
    ///
    /// ## Why it blocks a release
    /// It deletes every row. In a migration that is almost always a forgotten
    /// condition, and the data is gone.
    ///
    /// ## How to ship it safely
    /// Add the `WHERE` clause you meant, or approve with
    /// `-- MIGRATION_APPROVED: <reason>` if emptying the table is the point.
    pub RULE = { id: "ban-delete-without-where", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        if let Action::Delete {
            table,
            has_where: false,
        } = a
        {
            if cx.catalog.table_is_new(table) {
                continue;
            }
            out.push(
                Finding::new(
                    &RULE,
                    format!("Deleting from `{table}` without WHERE removes every row"),
                )
                .help("add the WHERE clause you meant, or approve it if emptying the table is intended"),
            );
        }
    }
}
