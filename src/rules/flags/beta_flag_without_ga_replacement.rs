//! A beta flag at GA without a documented ga_* replacement.
use super::FlagCx;
use crate::finding::Finding;
use crate::flags::{ga_name, has_prefix, Column};

crate::declare_rule! {
    /// ## What it does
    /// Reports a `beta_*` flag at GA that is not replaced by a documented `ga_*` flag.
    ///
    /// GA is a `Status` of `ga`, `launched`, `released` or `shipped`; the
    /// `Replaced by` cell must name a `ga_*` flag that the registry documents.
    ///
    /// ## Why it blocks a release
    /// Release plans say `beta_*` flags are mapped to `ga_*` flags or removed. A
    /// beta flag that reaches GA unmapped keeps gating the launched feature: beta
    /// audiences, beta defaults and beta kill paths leak into GA, and the beta flag
    /// can never be removed without switching the feature off.
    ///
    /// ## How to ship it safely
    /// Document the GA flag and map the beta flag to it, or remove the beta flag
    /// (code and row) at GA:
    ///
    /// ```markdown
    /// | `beta_workspaces` | @crm | off | release | ga | 2026-01-15 | `ga_workspaces` |
    /// | `ga_workspaces` | @crm | off | release | rollout | 2026-06-01 | |
    /// ```
    pub RULE = { id: "beta-flag-without-ga-replacement", domain: Flags, default: Error, class: Other };
}

pub fn check(m: &FlagCx<'_>, out: &mut Vec<Finding>) {
    for e in &m.registry.entries {
        if !has_prefix(&e.name, "beta") || !e.is_ga() {
            continue;
        }
        let suggested = ga_name(&e.name);
        let (message, help) = match e.text(Column::ReplacedBy) {
            None => (
                format!(
                    "Beta flag `{}` is at GA but `Replaced by` names no `ga_*` flag, so the launched feature still hangs on a beta flag",
                    e.name
                ),
                format!("document `{suggested}` and write it in `Replaced by`, or remove `{}` from code and the registry", e.name),
            ),
            Some(r) if !has_prefix(r, "ga") => (
                format!(
                    "Beta flag `{}` is at GA and replaced by `{r}`, which is not a `ga_*` flag, so the beta-to-GA mapping is broken",
                    e.name
                ),
                format!("replace it with a `ga_*` flag such as `{suggested}`"),
            ),
            Some(r) if m.registry.get(r).is_none() => (
                format!(
                    "Beta flag `{}` is replaced by `{r}`, which the registry does not document, so the GA flag has no owner or default",
                    e.name
                ),
                format!("add a row for `{r}` to the registry"),
            ),
            Some(_) => continue,
        };
        let col = if e.has(Column::ReplacedBy) {
            Column::ReplacedBy
        } else {
            Column::Status
        };
        out.push(m.at_row(Finding::new(&RULE, message).help(help), e, col));
    }
}
