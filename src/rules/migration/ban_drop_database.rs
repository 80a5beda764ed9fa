//! Dropping a database.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::ObjectKind;

crate::declare_rule! {
    /// ## What it does
    /// Flags `DROP DATABASE`.
    ///
    /// ## Why it blocks a release
    /// Everything in the database is lost; a migration is never the place for it.
    ///
    /// ## How to ship it safely
    /// Drop databases by hand, under a runbook, after a verified backup. If a
    /// migration really must, approve it with `-- MIGRATION_APPROVED: <reason>`.
    pub RULE = { id: "ban-drop-database", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    // A database re-created later is empty.
    super::drops(
        cx,
        out,
        &RULE,
        &[ObjectKind::Database],
        "drop databases by hand under a runbook, not in a migration",
    );
}
