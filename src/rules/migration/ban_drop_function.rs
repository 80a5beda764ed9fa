//! Dropping a function or procedure.
use super::{Cx, Hit};
use crate::migration::action::ObjectKind;

crate::declare_rule! {
    /// ## What it does
    /// Flags `DROP FUNCTION`, `DROP PROCEDURE` and `DROP ROUTINE` of a routine
    /// that existed before this change and is not re-created later in the file.
    ///
    /// ## Why it blocks a release
    /// Callers in the running release, triggers, defaults and policies that use
    /// the function fail.
    ///
    /// ## How to ship it safely
    /// Use `CREATE OR REPLACE FUNCTION` when the signature stays the same, or
    /// drop and re-create it in one migration. Remove it only after nothing calls
    /// it, with `-- MIGRATION_APPROVED: <reason>`.
    pub RULE = { id: "ban-drop-function", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &Cx, out: &mut Vec<Hit>) {
    super::drops(
        cx,
        out,
        &RULE,
        &[ObjectKind::Function, ObjectKind::Procedure],
        "use `CREATE OR REPLACE FUNCTION`, or remove callers before dropping it",
    );
}
