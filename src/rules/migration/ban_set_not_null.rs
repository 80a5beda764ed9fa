//! SET NOT NULL without a validated CHECK.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::Action;

crate::declare_rule! {
    /// ## What it does
    /// Flags `ALTER COLUMN ... SET NOT NULL` on an existing column, unless a
    /// validated `CHECK (column IS NOT NULL)` constraint exists on it, or the
    /// migrations already made the column NOT NULL (earlier files, or earlier
    /// in this one), which makes the statement a no-op.
    ///
    /// ## Why it blocks a release
    /// The statement scans the whole table under an ACCESS EXCLUSIVE lock, fails
    /// if any row is NULL, and breaks instances of the running release that still
    /// insert rows without the column.
    ///
    /// ## How to ship it safely
    /// Make every writer set the column, then:
    ///
    /// ```sql
    /// ALTER TABLE t ADD CONSTRAINT t_c_not_null CHECK (c IS NOT NULL) NOT VALID;
    /// ALTER TABLE t VALIDATE CONSTRAINT t_c_not_null;
    /// ALTER TABLE t ALTER COLUMN c SET NOT NULL;  -- uses the check, no scan
    /// ALTER TABLE t DROP CONSTRAINT t_c_not_null;
    /// ```
    pub RULE = { id: "ban-set-not-null", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        if let Action::SetNotNull { table, column } = a {
            // On a column already NOT NULL it changes nothing.
            if cx.column_added(table, column)
                || cx.catalog.has_validated_not_null_check(table, column)
                || cx.catalog.column_is_not_null(table, column)
            {
                continue;
            }
            out.push(Finding::new(&RULE, format!("Setting `{table}.{column}` NOT NULL scans the table under an exclusive lock and breaks writers that omit it")).help("add `CHECK (col IS NOT NULL) NOT VALID`, validate it, then SET NOT NULL").pointing_at(cx.column_clause(column, &["alter", "not", "null"])));
        }
    }
}
