//! UPDATE without WHERE.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::Action;

crate::declare_rule! {
    /// ## What it does
    /// Flags `UPDATE t SET ...` with no `WHERE` clause on a table that existed
    /// before this change, unless every column it sets was added by this
    /// change.
    ///
    /// `ALTER TABLE t ADD COLUMN c ...; UPDATE t SET c = ...;` is a
    /// backfill: it fills a column the running release does not know, and
    /// nothing it overwrites held data (batch it on a large table all the same).
    ///
    /// ## Why it blocks a release
    /// It overwrites every row in one transaction: the previous values are lost,
    /// the whole table is locked row by row, and its size doubles until vacuum.
    /// One existing column among the columns it sets is enough.
    ///
    /// ## How to ship it safely
    /// Add the `WHERE` clause you meant; backfill large tables in batches
    /// (`WHERE id BETWEEN ...`); approve with `-- MIGRATION_APPROVED: <reason>`
    /// when a full rewrite is intended.
    pub RULE = { id: "ban-update-without-where", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        if let Action::Update {
            table,
            has_where: false,
            columns,
        } = a
        {
            let backfill = !columns.is_empty() && columns.iter().all(|c| cx.catalog.column_is_new(table, c));
            if cx.catalog.table_is_new(table) || backfill {
                continue;
            }
            let existing: Vec<&String> = columns.iter().filter(|c| !cx.catalog.column_is_new(table, c)).collect();
            let what = match existing.as_slice() {
                [] => format!("Updating `{table}` without WHERE overwrites every row"),
                cols => format!(
                    "Updating `{table}` without WHERE overwrites `{}` in every row",
                    cols.iter().map(|c| c.as_str()).collect::<Vec<_>>().join("`, `")
                ),
            };
            out.push(
                Finding::new(&RULE, format!("{what} and loses the previous values"))
                    .help("add the WHERE clause you meant, and backfill large tables in batches"),
            );
        }
    }
}
