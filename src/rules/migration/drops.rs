//! Shared by the drop rules: what dropping an object means, once.

use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::{Action, Name, ObjectKind};
use crate::rule::RuleMeta;

/// Shared by the drop rules: flags dropping an object of one of `kinds` that
/// existed before the change and is not re-created later in the file.
pub fn drops(cx: &MigrationCx, out: &mut Vec<Finding>, meta: &'static RuleMeta, kinds: &[ObjectKind], help: &str) {
    drops_judged(cx, out, meta, kinds, help, |_, _| None);
}

/// [`drops`], with a rule's own judgement of a named object dropped without
/// `CASCADE` (which takes dependents the rule cannot see) first:
/// `Some(Ok(()))` clears the drop, `Some(Err(message))` flags it with that
/// message, `None` leaves it to the shared judgement.
pub fn drops_judged(
    cx: &MigrationCx,
    out: &mut Vec<Finding>,
    meta: &'static RuleMeta,
    kinds: &[ObjectKind],
    help: &str,
    judge: impl Fn(&MigrationCx, &Name) -> Option<Result<(), String>>,
) {
    for a in cx.actions {
        let Action::Drop {
            kind,
            names,
            on,
            cascade,
            if_exists,
            ..
        } = a
        else {
            continue;
        };
        if !kinds.contains(kind) {
            continue;
        }
        let relation = matches!(
            kind,
            ObjectKind::Table | ObjectKind::View | ObjectKind::MaterializedView
        );
        if names.is_empty() {
            // Dynamic SQL such as `EXECUTE 'DROP TABLE ' || t`: the name is not known.
            out.push(
                Finding::new(
                    meta,
                    format!(
                        "Dropping {} {} whose name is computed at run time cannot be shown to be safe",
                        article(kind.label()),
                        kind.label()
                    ),
                )
                .help(help),
            );
        }
        for n in names {
            // `DROP ... IF EXISTS` of a relation the migrations never showed: a no-op.
            if cx.drop_is_replacement(*kind, n, *cascade) || *if_exists && relation && cx.catalog.relation_never_seen(n)
            {
                continue;
            }
            match judge(cx, n).filter(|_| !*cascade) {
                Some(Ok(())) => continue,
                Some(Err(message)) => {
                    out.push(Finding::new(meta, message).help(help));
                    continue;
                }
                None => {}
            }
            let target = match on {
                Some(t) => format!("{} `{n}` on `{t}`", kind.label()),
                None => format!("{} `{n}`", kind.label()),
            };
            out.push(
                Finding::new(
                    meta,
                    format!("Dropping {target} breaks instances still running the previous release that use it"),
                )
                .help(help),
            );
        }
    }
}

/// `label `a`` or `labels `a`, `b``, for the labels of an enum.
pub fn labels(labels: &[String]) -> String {
    let list = labels.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(", ");
    format!("label{} {list}", if labels.len() == 1 { "" } else { "s" })
}

/// `a` or `an`, for a label.
fn article(label: &str) -> &'static str {
    if label.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}
