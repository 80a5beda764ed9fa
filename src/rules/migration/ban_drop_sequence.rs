//! Dropping a sequence.
use super::{Cx, Hit};
use crate::migration::action::ObjectKind;

crate::declare_rule! {
    /// ## What it does
    /// Flags `DROP SEQUENCE` of a sequence that existed before this change.
    ///
    /// ## Why it blocks a release
    /// Column defaults (`nextval(...)`) and code of the running release that use
    /// the sequence fail, and its position is lost.
    ///
    /// ## How to ship it safely
    /// Remove the defaults and callers first, then drop it with
    /// `-- MIGRATION_APPROVED: <reason>`.
    pub RULE = { id: "ban-drop-sequence", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &Cx, out: &mut Vec<Hit>) {
    // A sequence re-created later starts again from its first value.
    super::drops(
        cx,
        out,
        &RULE,
        &[ObjectKind::Sequence],
        "remove the defaults and callers that use the sequence first",
    );
}
