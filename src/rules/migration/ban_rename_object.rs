//! Renaming any other object.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::{Action, Name, ObjectKind};

crate::declare_rule! {
    /// ## What it does
    /// Flags `ALTER <kind> ... RENAME TO` of views, functions, types, sequences,
    /// schemas, constraints, triggers, policies and every other object
    /// that existed before this change (tables have `ban-rename-table`).
    ///
    /// Renaming an index is not flagged: queries never name an index, and the
    /// planner finds it under any name. An index that carries a primary key or
    /// unique constraint is the exception: renaming it renames the constraint,
    /// which `INSERT ... ON CONFLICT ON CONSTRAINT <name>` and error handling
    /// that matches constraint names refer to.
    ///
    /// Renaming an enum away is not flagged when a later statement of the
    /// change gives its name to an enum with every one of its labels (tools
    /// rebuild an enum that way to drop a label): what refers to the name
    /// finds an enum that accepts every value it used.
    ///
    /// ## Why it blocks a release
    /// Whatever refers to the object by name in the running release (queries,
    /// `nextval('...')`, `ON CONFLICT ON CONSTRAINT ...`, tooling) stops working.
    ///
    /// ## How to ship it safely
    /// Create the object under the new name beside the old one, move users over,
    /// then drop the old name later; or approve with `-- MIGRATION_APPROVED: <reason>`
    /// when nothing refers to it by name.
    pub RULE = { id: "ban-rename-object", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        if let Action::Rename { kind, from, to, .. } = a {
            if *kind == ObjectKind::Table || cx.catalog.is_new(*kind, from) {
                continue;
            }
            if *kind == ObjectKind::Index && !carries_constraint(cx, from) {
                continue;
            }
            if *kind == ObjectKind::Type && cx.enum_name_taken_later(from).is_some_and(|r| r.is_empty()) {
                continue;
            }
            out.push(
                Finding::new(
                    &RULE,
                    format!(
                        "Renaming {} `{from}` to `{to}` breaks what still refers to `{from}`",
                        kind.label()
                    ),
                )
                .help("create it under the new name beside the old one, move users over, then drop the old name"),
            );
        }
    }
}

/// True when the index `from` may carry a key constraint of the same name:
/// the model saw that constraint, or does not know the index and its name is
/// one PostgreSQL gives a constraint's index (`_pkey`, `_key`, `_excl`).
fn carries_constraint(cx: &MigrationCx, from: &Name) -> bool {
    if let Some((table, _)) = cx.catalog.unique_index(&from.name) {
        return cx.catalog.constraint(table, &from.name).is_some();
    }
    if cx.catalog.was_created(ObjectKind::Index, from) {
        return false;
    }
    ["_pkey", "_key", "_excl"].iter().any(|s| from.name.ends_with(s))
}
