//! UPDATE without WHERE.
use super::{Cx, Hit};
use crate::migration::action::Action;

crate::declare_rule! {
    /// ## What it does
    /// Flags `UPDATE t SET ...` with no `WHERE` clause on a table that existed
    /// before this change.
    ///
    /// ## Why it blocks a release
    /// It overwrites every row in one transaction: the previous values are lost,
    /// the whole table is locked row by row, and its size doubles until vacuum.
    ///
    /// ## How to ship it safely
    /// Add the `WHERE` clause you meant; backfill large tables in batches
    /// (`WHERE id BETWEEN ...`); approve with `-- MIGRATION_APPROVED: <reason>`
    /// when a full rewrite is intended.
    pub RULE = { id: "ban-update-without-where", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &Cx, out: &mut Vec<Hit>) {
    for a in cx.actions {
        if let Action::Update {
            table,
            has_where: false,
        } = a
        {
            if cx.catalog.table_is_new(table) {
                continue;
            }
            out.push(Hit::new(
                &RULE,
                format!("Updating `{table}` without WHERE overwrites every row and loses the previous values"),
                "add the WHERE clause you meant, and backfill large tables in batches",
            ));
        }
    }
}
