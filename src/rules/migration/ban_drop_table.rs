//! Dropping a table.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::ObjectKind;

crate::declare_rule! {
    /// ## What it does
    /// Flags `DROP TABLE` of a table that existed before this change.
    ///
    /// `DROP TABLE IF EXISTS` of a table that the migrations never created
    /// (or dropped since), in the default schema or one they created, is a
    /// no-op and is not flagged. A table created outside the migrations
    /// (by hand, by a migration in another language) is not seen.
    ///
    /// ## Why it blocks a release
    /// Instances still running the previous release read and write the table,
    /// and its data is gone for good: a rollback of the code cannot bring it back.
    ///
    /// ## How to ship it safely
    /// Stop using the table, release, take a backup (or rename it aside), then
    /// drop it in a later migration with `-- MIGRATION_APPROVED: <reason>`.
    /// Dropping a table created earlier in the same change is not flagged.
    /// Dropping and re-creating it in the same file is: the new table starts
    /// empty, so the rows are lost all the same.
    ///
    /// ```sql
    /// -- MIGRATION_APPROVED: archive copied to cold storage, see runbook 42
    /// DROP TABLE members_archive;
    /// ```
    pub RULE = { id: "ban-drop-table", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    super::drops(
        cx,
        out,
        &RULE,
        &[ObjectKind::Table],
        "stop reading the table, release, then drop it with `-- MIGRATION_APPROVED: <reason>`",
    );
}
