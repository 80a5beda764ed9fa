//! Dropping a type or domain.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::{Name, ObjectKind};

crate::declare_rule! {
    /// ## What it does
    /// Flags `DROP TYPE` and `DROP DOMAIN` of a type that existed before this change.
    ///
    /// PostgreSQL cannot drop a label from an enum, so tools rebuild it:
    /// `ALTER TYPE status RENAME TO status_old; CREATE TYPE status AS ENUM
    /// (...)`, move the columns with `ALTER COLUMN ... TYPE status USING
    /// (...)`, then `DROP TYPE status_old` (or create `status_new`, move the
    /// columns, drop `status` and rename `status_new` to `status`). When the migrations show the old
    /// enum's labels and the new enum has every one of them, no column uses
    /// the old enum any more, and the drop is not flagged: every stored value
    /// and every value the running release writes still exists. When labels
    /// are missing, the finding names them. With `CASCADE` the drop stays
    /// flagged: it also drops whatever else uses the old enum.
    ///
    /// ## Why it blocks a release
    /// Columns, functions and casts in the running release depend on the type;
    /// with `CASCADE` the columns that use it are dropped too.
    ///
    /// ## How to ship it safely
    /// Move every column off the type first, release, then drop it with
    /// `-- MIGRATION_APPROVED: <reason>`.
    pub RULE = { id: "ban-drop-type", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    super::drops_judged(
        cx,
        out,
        &RULE,
        &[ObjectKind::Type, ObjectKind::Domain],
        "move every column off the type, release, then drop it",
        rebuilt_enum,
    );
}

/// The old enum of a rebuild, once no column uses it: safe when the enum that
/// took its name has every label, else flagged with the labels removed.
fn rebuilt_enum(cx: &MigrationCx, ty: &Name) -> Option<Result<(), String>> {
    if cx.catalog.type_in_use(ty) {
        return None;
    }
    // Dropped first, its name given to the new enum later; or renamed away
    // first, its name given to the new enum since.
    let (orig, removed) = match cx.enum_name_taken_later(ty) {
        Some(removed) => (ty, removed),
        None => cx.catalog.enum_rebuilt(ty)?,
    };
    if removed.is_empty() {
        return Some(Ok(()));
    }
    Some(Err(format!(
        "Dropping enum `{ty}`, replaced by an enum `{orig}` that lacks {}, removes values: writers of the running release that use a removed label fail",
        super::labels(&removed)
    )))
}
