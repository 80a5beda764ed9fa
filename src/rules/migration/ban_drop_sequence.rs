//! Dropping a sequence.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::{Action, Name, ObjectKind};
use crate::migration::schema_model::pg_object_name;

crate::declare_rule! {
    /// ## What it does
    /// Flags `DROP SEQUENCE` of a sequence that existed before this change,
    /// unless it is the sequence PostgreSQL made for a `serial` column
    /// (`<table>_<column>_seq`) and only that column's default could miss it:
    /// an earlier statement of the file dropped the default (whether that
    /// breaks writers is `ban-drop-default`'s to judge), or the column is
    /// nullable, so that the default a `CASCADE` drop takes is one no writer
    /// needs (they store NULL, which the column allows).
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

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    let drops_a_sequence = cx.actions.iter().any(|a| {
        matches!(
            a,
            Action::Drop {
                kind: ObjectKind::Sequence,
                ..
            }
        )
    });
    if !drops_a_sequence {
        // The released sequences are read from every column of the schema:
        // only worth it for the few statements that drop one.
        return;
    }
    let released = released_sequences(cx);
    let kept: Vec<Action> = cx
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::Drop {
                kind: ObjectKind::Sequence,
                names,
                ..
            } if !names.is_empty() => {
                let names: Vec<Name> = names.iter().filter(|n| !released.contains(n)).cloned().collect();
                let mut a = a.clone();
                if let Action::Drop { names: kept, .. } = &mut a {
                    *kept = names;
                }
                matches!(&a, Action::Drop { names, .. } if !names.is_empty()).then_some(a)
            }
            a => Some(a.clone()),
        })
        .collect();
    // A sequence re-created later starts again from its first value.
    super::drops(
        &MigrationCx { actions: &kept, ..*cx },
        out,
        &RULE,
        &[ObjectKind::Sequence],
        "remove the defaults and callers that use the sequence first",
    );
}

/// The sequences whose loss only takes a default no writer needs, named as
/// PostgreSQL names a `serial` column's sequence: the columns whose default
/// an earlier statement of the file dropped, and the columns the model knows
/// to be nullable (a `CASCADE` drop takes their default; writers that omit
/// them store NULL, which the column allows).
fn released_sequences(cx: &MigrationCx) -> Vec<Name> {
    let seq =
        |table: &Name, column: &str| Name::new(table.schema.clone(), pg_object_name(&table.name, Some(column), "seq"));
    let mut out: Vec<Name> = cx
        .catalog
        .tables
        .iter()
        .flat_map(|(t, tab)| tab.columns.keys().map(move |c| (t, c)))
        .filter(|(t, c)| !cx.catalog.column_is_not_null(t, c))
        .map(|(t, c)| seq(t, c))
        .collect();
    if let Some(at) = cx.file.statements.iter().position(|s| std::ptr::eq(s, cx.stmt)) {
        out.extend(
            cx.file.statements[..at]
                .iter()
                .flat_map(|s| &s.actions)
                .filter_map(|a| match a {
                    Action::DropDefault { table, column } => Some(seq(table, column)),
                    _ => None,
                }),
        );
    }
    out
}
