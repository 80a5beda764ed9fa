//! A documented flag without an owner.
use super::FlagCx;
use crate::finding::Finding;
use crate::flags::registry::is_blank;
use crate::flags::Column;

crate::declare_rule! {
    /// ## What it does
    /// Reports a documented flag without an owner.
    ///
    /// The `Owner` cell is empty or a placeholder (`-`, `TBD`, `?`, `unknown`, `none`).
    ///
    /// ## Why it blocks a release
    /// A flag without an owner has nobody to decide when to turn it on, to watch
    /// the rollout, to flip it back during an incident, or to remove it after GA.
    /// Unowned flags are the ones that linger.
    ///
    /// ## How to ship it safely
    /// Name the team or person accountable for the flag:
    ///
    /// ```markdown
    /// | `new_checkout` | @payments | off | release | rollout | 2026-03-01 | |
    /// ```
    pub RULE = { id: "flag-without-owner", domain: Flags, default: Error, class: Other };
}

pub fn check(m: &FlagCx<'_>, out: &mut Vec<Finding>) {
    for e in &m.registry.entries {
        let Some(cell) = e.cells.get(&Column::Owner) else {
            // The table has no Owner column: `invalid-flag-registry` says so once.
            continue;
        };
        let placeholder = matches!(
            cell.text.trim().to_ascii_lowercase().as_str(),
            "?" | "tbd" | "todo" | "unknown" | "unowned" | "nobody"
        );
        if !is_blank(&cell.text) && !placeholder {
            continue;
        }
        let f = Finding::new(
            &RULE,
            format!(
                "Flag `{}` has no owner, so nobody is accountable for rolling it out and removing it",
                e.name
            ),
        )
        .help("write the owning team or person in the `Owner` cell, e.g. `@payments`");
        out.push(m.at_row(f, e, Column::Owner));
    }
}
