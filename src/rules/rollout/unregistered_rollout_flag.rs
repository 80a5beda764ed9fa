//! A manifest's flag or kill switch that the flag registry does not list.
use super::RolloutCx;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Flags a `flag` or `kill_switch` of a rollout manifest that is not a row
    /// of the flag registry (`docs/flags.md` by default). When the repository
    /// has no registry at all, the manifest's `flag` line says so, once.
    ///
    /// ## Why it blocks a release
    /// The registry is where a flag gets its owner, its default and its removal
    /// date. A rollout on an undocumented flag cannot be found by whoever is
    /// on call, and a misspelt flag name means the manifest describes a flag
    /// that the code never reads.
    ///
    /// ## How to ship it safely
    /// Add the flag to the registry, or fix its name in the manifest:
    ///
    /// ```markdown
    /// | Flag | Owner | Default | Type |
    /// |------|-------|---------|------|
    /// | `ingestion_v2_enabled` | @data-platform | off | release |
    /// ```
    pub RULE = { id: "unregistered-rollout-flag", domain: Rollout, default: Error, class: Other };
}

pub fn check(cx: &RolloutCx, out: &mut Vec<Finding>) {
    let m = cx.manifest;
    let Some(registry) = cx.registry else {
        if let Some(flag) = &m.flag {
            out.push(m.finding(
                &RULE,
                &flag.ptr,
                format!(
                    "No flag registry found at `{}`, so flag `{}` cannot be checked against it",
                    cx.registry_path, flag.value
                ),
                format!(
                    "create `{}` with a `| Flag | Owner | Default |` table that lists `{}`",
                    cx.registry_path, flag.value
                ),
            ));
        }
        return;
    };
    for (node, what) in [(&m.flag, "Flag"), (&m.kill_switch, "Kill switch")] {
        let Some(node) = node else { continue };
        if registry.get(&node.value).is_none() {
            out.push(m.finding(
                &RULE,
                &node.ptr,
                format!(
                    "{what} `{}` is not in the flag registry `{}`, so it has no documented owner, default or removal date",
                    node.value, registry.path
                ),
                format!("add a row for `{}` to `{}`, or fix the name", node.value, registry.path),
            ));
        }
    }
}
