//! Rollout manifest rules, one per file. A rule reads one parsed manifest
//! (and the flag registry, the options, the base version's phase) and pushes
//! findings at the YAML node they are about; it does no I/O.

use super::Table;
use crate::finding::Finding;
use crate::flags::FlagRegistry;
use crate::manifest::history::PhaseEntry;
use crate::manifest::model::{Manifest, Node, Phase};
use crate::manifest::RolloutsConfig;

mod allowlist_denylist_overlap;
mod bake_shorter_than_metric_window;
mod checklist_incomplete_at_final_phase;
mod checklist_item_without_owner;
mod duplicate_feature_id;
mod duplicate_phase_name;
mod exit_threshold_loosened;
mod exposed_phase_without_bake;
mod exposed_phase_without_exit_gates;
mod exposed_phase_without_rollback_triggers;
mod final_phase_below_full_traffic;
mod missing_kill_switch;
mod missing_rollback_plan;
mod mixed_metric_units;
mod percentage_out_of_range;
mod phase_advanced_before_bake;
mod phase_skipped;
mod rollback_trigger_inside_exit_band;
mod traffic_decrease;
mod traffic_step_too_large;
mod unknown_current_phase;
mod unregistered_rollout_flag;

pub use crate::manifest::input::{INVALID_ROLLOUT_MANIFEST, ROLLOUT_SCHEMA_VIOLATION};
pub use crate::manifest::model::fmt_num;
pub use duplicate_feature_id::check_all as check_across_manifests;

/// What a rollout rule sees: one manifest and what it is judged against.
pub struct RolloutCx<'a> {
    pub manifest: &'a Manifest,
    pub options: &'a RolloutsConfig,
    /// The flag registry, when the repository has one.
    pub registry: Option<&'a FlagRegistry>,
    /// Where the registry is (or would be), relative to the repository root.
    pub registry_path: &'a str,
    /// The manifest at the merge base (`--base`), when it existed there.
    pub base: Option<&'a Manifest>,
    /// With `--base`, when `current_phase` moves forward from a phase with a
    /// `bake`: the commit that entered that phase.
    pub entered: Option<&'a PhaseEntry>,
}

impl RolloutCx<'_> {
    /// `current_phase` at the merge base (`--base`), when the manifest existed there.
    pub fn base_phase(&self) -> Option<&str> {
        Some(self.base?.current_phase.as_ref()?.value.as_str())
    }
}

/// A per-manifest rule's check.
pub type RuleFn = fn(&RolloutCx, &mut Vec<Finding>);

/// Every rollout rule, once, in report order: the manifest rules run on
/// each manifest by `check`.
pub static RULES: &Table<RuleFn> = super::table![
    percentage_out_of_range,
    traffic_decrease,
    traffic_step_too_large,
    final_phase_below_full_traffic,
    exposed_phase_without_exit_gates,
    exposed_phase_without_rollback_triggers,
    exposed_phase_without_bake,
    rollback_trigger_inside_exit_band,
    exit_threshold_loosened,
    mixed_metric_units,
    bake_shorter_than_metric_window,
    allowlist_denylist_overlap,
    duplicate_phase_name,
    unknown_current_phase,
    phase_skipped,
    phase_advanced_before_bake,
    checklist_item_without_owner,
    checklist_incomplete_at_final_phase,
    missing_rollback_plan,
    unregistered_rollout_flag,
    missing_kill_switch,
    ;
    (&INVALID_ROLLOUT_MANIFEST, "manifest/input.rs, reading a manifest"),
    (&ROLLOUT_SCHEMA_VIOLATION, "manifest/input.rs, against the JSON Schema"),
    (&duplicate_feature_id::RULE, "check_across_manifests"),
];

/// Runs every per-manifest rule.
pub fn check(cx: &RolloutCx) -> Vec<Finding> {
    super::run(RULES, cx)
}

/// One point of the traffic ramp: a phase's step or its final percentage.
pub struct Exposure<'a> {
    pub percent: f64,
    /// Where the value is written (or, for a phase without a percentage, its audience).
    pub ptr: &'a str,
    pub phase: &'a Phase,
    /// An intermediate `steps` value rather than the phase's own percentage.
    pub step: bool,
}

/// The ramp in order: each phase's `steps`, then its percentage (0 when it has
/// none). Values outside 0–100 are left out (`percentage-out-of-range` reports them).
pub fn exposures(m: &Manifest) -> Vec<Exposure<'_>> {
    let in_range = |v: f64| (0.0..=100.0).contains(&v);
    let mut out = Vec::new();
    for phase in &m.phases {
        for s in &phase.steps {
            if in_range(s.value) {
                out.push(Exposure {
                    percent: s.value,
                    ptr: &s.ptr,
                    phase,
                    step: true,
                });
            }
        }
        match &phase.percentage {
            Some(Node { value, .. }) if !in_range(*value) => {}
            _ => out.push(Exposure {
                percent: phase.exposure(),
                ptr: phase.exposure_anchor(),
                phase,
                step: false,
            }),
        }
    }
    out
}

/// `12.5` → `12.5%`, `10` → `10%`.
pub fn pct(v: f64) -> String {
    format!("{}%", fmt_num(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_without_noise() {
        assert_eq!(pct(10.0), "10%");
        assert_eq!(pct(12.5), "12.5%");
        assert_eq!(fmt_num(0.05), "0.05");
    }
}
