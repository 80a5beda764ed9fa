//! A flag past its removal date that is still referenced.
use super::{places, FlagCx};
use crate::finding::Finding;
use crate::flags::Column;

crate::declare_rule! {
    /// ## What it does
    /// Reports a flag past its `Remove by` date that code or a rollout manifest still references.
    ///
    /// "Today" is the system date, or
    /// `SHIPGATE_TODAY=YYYY-MM-DD` when set. The finding is at the `Remove by` cell
    /// and names where the flag is still used.
    ///
    /// ## Why it blocks a release
    /// Release plans say flags must be removed after GA, and the date is the
    /// owner's promise to do it. Every release past it ships two code paths, one of
    /// them dead, behind a switch that can still flip: stale flags are how a
    /// forgotten path gets turned back on in production.
    ///
    /// ## How to ship it safely
    /// Remove the flag: keep the launched code path, delete the checks, the
    /// manifest and the registry row. If the removal truly has to wait, agree a new
    /// date with the owner and change `Remove by` in the same pull request, where
    /// reviewers see it.
    pub RULE = { id: "flag-past-remove-by", domain: Flags, default: Error, class: Other };
}

pub fn check(m: &FlagCx<'_>, out: &mut Vec<Finding>) {
    for e in &m.registry.entries {
        let Some(date) = e.remove_by else { continue };
        if date >= m.today {
            continue;
        }
        let uses = m.uses(&e.name);
        if uses.is_empty() {
            continue;
        }
        let f = Finding::new(
            &RULE,
            format!(
                "Flag `{}` was due for removal by {date} but is still referenced at {}, so a stale flag ships again",
                e.name,
                places(&uses)
            ),
        )
        .help(match e.text(Column::Owner) {
            Some(o) => format!("remove the flag's references and its row, or agree a later `Remove by` date with {o}"),
            None => "remove the flag's references and its row, or agree a later `Remove by` date with its owner".into(),
        });
        out.push(m.at_row(f, e, Column::RemoveBy));
    }
}
