//! Two manifests for one feature.
use std::collections::HashMap;

use crate::finding::Finding;
use crate::manifest::model::Manifest;

crate::declare_rule! {
    /// ## What it does
    /// Flags a manifest whose `feature` id is already declared by another
    /// manifest of the repository (the first in path order keeps it).
    ///
    /// ## Why it blocks a release
    /// Two plans for one feature disagree sooner or later: one advances, the
    /// other still says canary, and approvals, dashboards and the PR summary
    /// follow whichever they find first.
    ///
    /// ## How to ship it safely
    /// Keep one manifest per feature; give a genuinely different feature its
    /// own id.
    pub RULE = { id: "duplicate-feature-id", domain: Rollout, default: Error, class: Other };
}

/// `manifests` in path order, each with whether it is being checked.
pub fn check_all(manifests: &[(&Manifest, bool)]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut first: HashMap<&str, &Manifest> = HashMap::new();
    for (m, checked) in manifests {
        let Some(feature) = &m.feature else { continue };
        match first.get(feature.value.as_str()) {
            Some(other) if *checked => out.push(m.finding(
                &RULE,
                &feature.ptr,
                format!(
                    "Feature `{}` is also declared by `{}`, so two manifests claim one rollout and will disagree about its phase",
                    feature.value, other.path
                ),
                "keep one manifest per feature, or give this feature its own id",
            )),
            Some(_) => {}
            None => {
                first.insert(&feature.value, m);
            }
        }
    }
    out
}
