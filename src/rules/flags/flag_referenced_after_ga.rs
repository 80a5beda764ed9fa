//! A flag at GA that code still references.
use super::{places, FlagCx};
use crate::finding::Finding;
use crate::flags::{Column, RefKind};

crate::declare_rule! {
    /// ## What it does
    /// Warns about a flag at GA that code still references.
    ///
    /// GA is a `Status` of `ga`, `launched`, `released` or `shipped`. Kill switches, ops
    /// and permission flags are exempt: they stay by design.
    ///
    /// ## Why it blocks a release
    /// It does not block: it reminds. Release plans say flags must be removed
    /// after GA. Until then both code paths stay alive, the old one untested, and
    /// flipping the flag off in an incident runs code nobody has run for months.
    ///
    /// ## How to ship it safely
    /// Remove the flag after GA: keep the launched code path, delete the checks,
    /// then the registry row. A `beta_*` flag is replaced by a documented `ga_*`
    /// flag (see `beta-flag-without-ga-replacement`).
    pub RULE = { id: "flag-referenced-after-ga", domain: Flags, default: Warning, class: Other };
}

pub fn check(m: &FlagCx<'_>, out: &mut Vec<Finding>) {
    for e in &m.registry.entries {
        if !e.is_ga() || e.kind.is_some_and(|k| k.is_permanent()) {
            continue;
        }
        let code: Vec<_> = m
            .refs_to(&e.name)
            .iter()
            .copied()
            .filter(|r| r.kind == RefKind::Code)
            .collect();
        if code.is_empty() {
            continue;
        }
        let status = e.text(Column::Status).unwrap_or("ga");
        let f = Finding::new(
            &RULE,
            format!(
                "Flag `{}` is `{status}` but code still references it at {}, so both code paths stay alive after launch",
                e.name,
                places(&code)
            ),
        )
        .help("remove the flag after GA: keep the launched path, delete the checks, then the registry row");
        out.push(m.at_row(f, e, Column::Status));
    }
}
