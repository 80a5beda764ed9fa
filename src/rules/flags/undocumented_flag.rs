//! A flag referenced but not in the registry.
use super::FlagCx;
use crate::finding::{Finding, Location, Related};
use crate::flags::RefKind;

crate::declare_rule! {
    /// ## What it does
    /// Reports a reference to a flag that the registry (`docs/flags.md`) does not document.
    ///
    /// A reference is a call in code found by `flags.references` (such as
    /// `isEnabled("new_checkout")` or `process.env.FEATURE_NEW_CHECKOUT`) or a
    /// migration inserting the flag into `flags.table`. The finding is at the
    /// reference. A rollout manifest's `flag` and `kill_switch` are checked by
    /// `unregistered-rollout-flag`. A flag whose row a later migration deletes
    /// is retired: its earlier inserts are history, and need no registry row.
    ///
    /// ## Why it blocks a release
    /// An undocumented flag has no owner, no agreed production default and no
    /// removal date. Release plans require every flag to be documented before it
    /// ships; a flag nobody wrote down is the one left on, or left behind, for years.
    ///
    /// ## How to ship it safely
    /// Add a row for the flag to the registry, with its owner and a default of
    /// `off`:
    ///
    /// ```markdown
    /// | `new_checkout` | @payments | off | release | rollout | 2026-03-01 | |
    /// ```
    ///
    /// If the name is a typo, fix the reference instead. An environment variable
    /// `FEATURE_NEW_CHECKOUT` refers to the flag `new_checkout` (or
    /// `feature_new_checkout`).
    pub RULE = { id: "undocumented-flag", domain: Flags, default: Error, class: Other };
}

pub fn check(m: &FlagCx<'_>, out: &mut Vec<Finding>) {
    let reg = m.registry;
    for r in m.refs {
        // Manifests are the rollout gate's (`unregistered-rollout-flag`); deleting
        // an undocumented flag's row is the clean-up, not a use.
        if matches!(r.kind, RefKind::Manifest | RefKind::MigrationDelete) || reg.get(&r.flag).is_some() {
            continue;
        }
        // A flag whose row a later migration deletes is retired: its earlier
        // inserts and updates are history, not references.
        if r.kind.is_migration() && m.retired(&r.flag) {
            continue;
        }
        let path = &reg.path;
        let message = match (r.kind, &r.env_var) {
            (RefKind::Code, Some(var)) => format!(
                "Environment variable `{var}` refers to flag `{}`, which `{path}` does not document, so it has no owner, default or removal date",
                r.flag
            ),
            (RefKind::Code, None) => format!(
                "Flag `{}` is referenced here but not documented in `{path}`, so it has no owner, default or removal date",
                r.flag
            ),
            (RefKind::MigrationUpdate, _) => format!(
                "This migration sets flag `{}` in `{}`, but `{path}` does not document it, so it has no owner or agreed default",
                r.flag,
                m.table.unwrap_or("the flag table")
            ),
            (_, _) => format!(
                "This migration inserts flag `{}` into `{}`, but `{path}` does not document it, so it has no owner or agreed default",
                r.flag,
                m.table.unwrap_or("the flag table")
            ),
        };
        let folded = |s: &str| s.to_ascii_lowercase().replace(['-', '.'], "_");
        let similar = reg.entries.iter().find(|e| folded(&e.name) == folded(&r.flag));
        let help = match similar {
            Some(e) => format!("did you mean `{}`? The registry documents that spelling", e.name),
            None => format!(
                "add a row for `{}` to `{path}` with its owner, an `off` default and a `Remove by` date",
                r.flag
            ),
        };
        let mut f = m.at_ref(Finding::new(&RULE, message).help(help), r);
        if let Some(e) = similar {
            f = f.related(Related {
                file: Some(path.clone()),
                location: Location::in_text(&reg.text, &e.row),
                span: Some(e.row.clone()),
                label: format!("`{}` is documented here", e.name),
            });
        }
        out.push(f);
    }
}
