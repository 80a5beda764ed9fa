//! Two phases with the same name.
use std::collections::HashMap;

use super::RolloutCx;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Flags a phase whose `name` was already used by an earlier phase of the
    /// same manifest.
    ///
    /// ## Why it blocks a release
    /// `current_phase` names a phase: with two phases of one name it is
    /// ambiguous where the rollout is, which approvers the next advance needs,
    /// and whether an advance skips a phase.
    ///
    /// ## How to ship it safely
    /// Give every phase its own name (`canary`, `beta-10`, `beta-50`, `ga`).
    pub RULE = { id: "duplicate-phase-name", domain: Rollout, default: Error, class: Other };
}

pub fn check(cx: &RolloutCx, out: &mut Vec<Finding>) {
    let m = cx.manifest;
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for phase in &m.phases {
        let Some(name) = &phase.name else { continue };
        match seen.get(name.value.as_str()) {
            Some(first) => out.push(m.finding(
                &RULE,
                &name.ptr,
                format!(
                    "Phase name `{}` is already used at line {}, so `current_phase: {}` cannot say which of the two phases is current",
                    name.value,
                    m.line_of(first),
                    name.value
                ),
                "give every phase its own name",
            )),
            None => {
                seen.insert(&name.value, &name.ptr);
            }
        }
    }
}
