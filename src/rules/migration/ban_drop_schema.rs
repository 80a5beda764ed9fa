//! Dropping a schema.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::ObjectKind;

crate::declare_rule! {
    /// ## What it does
    /// Flags `DROP SCHEMA` of a schema that existed before this change.
    ///
    /// ## Why it blocks a release
    /// Every object in the schema goes with it (with `CASCADE`) or the statement
    /// fails (without); either way the running release loses what it uses.
    ///
    /// ## How to ship it safely
    /// Empty the schema in earlier releases, then drop it with
    /// `-- MIGRATION_APPROVED: <reason>`.
    pub RULE = { id: "ban-drop-schema", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    // A schema re-created later is empty: what the drop took with it is gone.
    super::drops(
        cx,
        out,
        &RULE,
        &[ObjectKind::Schema],
        "empty the schema in earlier releases, then drop it with an approval",
    );
}
