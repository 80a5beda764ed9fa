//! A production environment file turns on a release flag before its rollout exposes anyone.
use super::FlagCx;
use crate::finding::{Finding, Location};
use crate::flags::{switch_state, Column};

crate::declare_rule! {
    /// ## What it does
    /// Reports a change to an environment file of `flags.env_files` (default
    /// `.env.production`, `**/*.production.env`) that turns a `release` flag
    /// on (`FEATURE_X=true`, `1`, `on`, ...) while the flag's rollout manifest
    /// has no phase with users yet: no phase up to `current_phase` has a
    /// percentage, a step or an allowlist.
    ///
    /// ## Why it blocks a release
    /// The environment file is a deployment: the value is live for everyone as
    /// soon as it ships. The rollout manifest says the feature has not reached
    /// anyone yet, so its exit gates, bake time and rollback triggers were
    /// never exercised; turning the flag on skips the whole rollout.
    ///
    /// ## How to ship it safely
    /// Leave the flag off in the environment file and advance the rollout
    /// manifest's `current_phase` to a phase with users first, or turn the
    /// flag on in the same change that advances the manifest.
    pub RULE = { id: "flag-env-default-mismatch", domain: Flags, default: Error, class: Other };
}

pub fn check(m: &FlagCx<'_>, out: &mut Vec<Finding>) {
    for c in m.env_changes {
        let on = |v: &Option<String>| v.as_deref().and_then(switch_state) == Some(true);
        if !on(&c.to) || on(&c.from) || !m.unexposed.contains(&c.flag) {
            continue;
        }
        let release = m
            .registry
            .get(&c.flag)
            .and_then(|e| e.text(Column::Type))
            .is_some_and(|t| t.eq_ignore_ascii_case("release"));
        if !release {
            continue;
        }
        let mut f = Finding::new(
            &RULE,
            format!(
                "`{}={}` turns on the release flag `{}` in production, but its rollout manifest has no phase with users yet",
                c.variable,
                c.to.as_deref().unwrap_or(""),
                c.flag
            ),
        )
        .help("advance the rollout manifest's `current_phase` to a phase with users first, or leave the flag off");
        f.file = Some(c.file.clone());
        f.location = Some(Location {
            line: c.line,
            column: 1,
            end_line: c.line,
            end_column: c.variable.chars().count() + 1,
        });
        out.push(f);
    }
}
