//! Dropping a sequence.
use super::{Cx, Hit};
use crate::migration::action::{Action, Name, ObjectKind};

crate::declare_rule! {
    /// ## What it does
    /// Flags `DROP SEQUENCE` of a sequence that existed before this change,
    /// unless it is the sequence PostgreSQL made for a `serial` column
    /// (`<table>_<column>_seq`) and an earlier statement of the file dropped
    /// that column's default: the default was its user, and dropping the
    /// default is `ban-drop-default`'s to judge.
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
        &Cx { actions: &kept, ..*cx },
        out,
        &RULE,
        &[ObjectKind::Sequence],
        "remove the defaults and callers that use the sequence first",
    );
}

/// The sequences of the columns whose default the statements before this one
/// in the file dropped, as PostgreSQL names a `serial` column's sequence.
fn released_sequences(cx: &Cx) -> Vec<Name> {
    let Some(at) = cx.file.statements.iter().position(|s| std::ptr::eq(s, cx.stmt)) else {
        return Vec::new();
    };
    cx.file.statements[..at]
        .iter()
        .flat_map(|s| &s.actions)
        .filter_map(|a| match a {
            Action::DropDefault { table, column } => {
                let seq = format!("{}_{column}_seq", table.name);
                (seq.len() <= 63).then(|| Name::new(table.schema.clone(), seq))
            }
            _ => None,
        })
        .collect()
}
