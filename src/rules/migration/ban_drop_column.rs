//! Dropping a column.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::Action;

crate::declare_rule! {
    /// ## What it does
    /// Flags `ALTER TABLE ... DROP COLUMN` of a column that existed before this change.
    ///
    /// `DROP COLUMN IF EXISTS` of a column the migrations never gave the table
    /// (they created it with every column written out, and no statement since
    /// created, added or renamed a column of that name that is still there)
    /// is a no-op and is not flagged.
    ///
    /// ## Why it blocks a release
    /// Instances still running the previous release read the column: their
    /// queries fail the moment it is gone, and its data cannot be restored by a
    /// rollback.
    ///
    /// ## How to ship it safely
    /// Stop reading the column (ignore it in the ORM), release, then drop it in a
    /// later migration with `-- MIGRATION_APPROVED: <reason>`.
    ///
    /// ```sql
    /// ALTER TABLE members DROP COLUMN old_field; -- MIGRATION_APPROVED: data migrated to new_field in 20250101
    /// ```
    pub RULE = { id: "ban-drop-column", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        if let Action::DropColumn {
            table,
            column,
            if_exists,
        } = a
        {
            if cx.catalog.column_is_new(table, column) || *if_exists && cx.catalog.column_never_there(table, column) {
                continue;
            }
            let message = format!(
                "Dropping column `{table}.{column}` breaks instances still running the previous release and loses its data"
            );
            out.push(
                Finding::new(&RULE, message)
                    .help("stop reading the column, release, then drop it with `-- MIGRATION_APPROVED: <reason>`")
                    .pointing_at(cx.column_clause(column, &["drop"])),
            );
        }
    }
}
