//! A change removes a kill switch from the registry.
use super::FlagCx;
use crate::finding::{Finding, Location};
use crate::flags::{Column, FlagType, RefKind};

crate::declare_rule! {
    /// ## What it does
    /// With `--base` (in the pre-push hook and in `shipgate ci`), reports a
    /// change that removes a flag whose `Type` is `kill-switch` from the
    /// registry (`docs/flags.md`): the row was there at the merge base and is
    /// gone now. It also reports a rollout manifest that had a `kill_switch` at
    /// the merge base and has none now, and a change that removes the last
    /// code reference (found by the `flags.references` patterns) of a kill
    /// switch: a flag whose `Type` is `kill-switch`, or that a manifest names as
    /// its `kill_switch`. The flag is still documented, but nothing reads it.
    ///
    /// ## Why it blocks a release
    /// Release runbooks ask that the kill switch remains available, never
    /// removed: it is how the on-call engineer turns a misbehaving feature off
    /// without a deploy. A kill switch removed in a clean-up is found missing
    /// during the incident that needed it.
    ///
    /// ## How to ship it safely
    /// Keep the row, and the code that reads the flag. When the feature itself
    /// is gone and its kill switch with it, the removal is approved in
    /// `shipgate ci` by the sign-off of the class `kill-switch-change`
    /// (default: `system-owner`, the label `signoff:system-owner`). There is
    /// no approval comment in Markdown: the sign-off is the way to approve.
    pub RULE = { id: "kill-switch-removed", domain: Flags, default: Error, class: Other };
}

pub fn check(m: &FlagCx<'_>, out: &mut Vec<Finding>) {
    let at: String = m.base_commit.chars().take(7).collect();
    for e in m.removed_kill_switches {
        out.push(
            Finding::new(
                &RULE,
                format!(
                    "This change removes the kill switch `{}` from `{}` (its row was line {} at the merge base {at}), so the feature can no longer be turned off without a deploy",
                    e.name, m.registry.path, e.line
                ),
            )
            .help("keep the kill switch's row; if the feature is gone with it, get the `kill-switch-change` sign-off (default `system-owner`) in `shipgate ci`"),
        );
    }
    for r in m.removed_last_refs {
        let row = m.registry.get(&r.flag);
        if !(row.is_some_and(|e| e.kind == Some(FlagType::KillSwitch)) || m.manifest_kill_switches.contains(&r.flag)) {
            continue;
        }
        let f = Finding::new(
            &RULE,
            format!(
                "This change removes the last code reference to the kill switch `{}` (`{}` line {} at the merge base {at}), so turning the flag off no longer turns the feature off",
                r.flag, r.file, r.line
            ),
        )
        .help("keep the code that reads the kill switch; if the feature is gone with it, get the `kill-switch-change` sign-off (default `system-owner`) in `shipgate ci`");
        let manifest = m.refs_to(&r.flag).iter().find(|x| x.kind == RefKind::Manifest).copied();
        out.push(match (row, manifest) {
            (Some(e), _) => m.at_row(f, e, Column::Flag),
            (None, Some(x)) => m.at_ref(f, x),
            (None, None) => f,
        });
    }
}

/// A rollout manifest at `path` that had `kill_switch: <flag>` at the merge
/// base and has none now (the rollout gate, which reads both, calls this).
pub fn from_manifest(path: &str, flag: &str) -> Finding {
    let mut f = Finding::new(
        &RULE,
        format!(
            "This change removes `kill_switch: {flag}` from the rollout manifest, so the feature can no longer be turned off without a deploy"
        ),
    )
    .help("keep the manifest's `kill_switch`; if the feature is gone with it, get the `kill-switch-change` sign-off (default `system-owner`) in `shipgate ci`");
    f.file = Some(path.to_string());
    f.location = Some(Location {
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 1,
    });
    f
}
