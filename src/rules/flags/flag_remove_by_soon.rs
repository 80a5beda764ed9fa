//! A referenced flag whose removal date is near.
use super::{places, FlagCx};
use crate::finding::Finding;
use crate::flags::Column;

crate::declare_rule! {
    /// ## What it does
    /// Warns about a referenced flag whose `Remove by` date is near.
    ///
    /// Near is today or within `flags.warn_days` days (default 14).
    /// "Today" is the system date, or `SHIPGATE_TODAY=YYYY-MM-DD` when set.
    ///
    /// ## Why it blocks a release
    /// It does not block yet: it warns while there is time. The day after the date,
    /// `flag-past-remove-by` blocks every release until the flag is gone.
    ///
    /// ## How to ship it safely
    /// Plan the removal now: keep the launched code path, delete the checks, the
    /// manifest and the registry row. If it cannot be done in time, agree a later
    /// date with the owner and change `Remove by`.
    pub RULE = { id: "flag-remove-by-soon", domain: Flags, default: Warning, class: Other };
}

pub fn check(m: &FlagCx<'_>, out: &mut Vec<Finding>) {
    for e in &m.registry.entries {
        let Some(date) = e.remove_by else { continue };
        let days = (date - m.today).num_days();
        if days < 0 || days > m.warn_days {
            continue;
        }
        let uses = m.uses(&e.name);
        if uses.is_empty() {
            continue;
        }
        let when = match days {
            0 => "today".to_string(),
            1 => "tomorrow".to_string(),
            n => format!("in {n} days"),
        };
        let f = Finding::new(
            &RULE,
            format!(
                "Flag `{}` is due for removal by {date} ({when}) and is still referenced at {}, so the gate blocks from the day after",
                e.name,
                places(&uses)
            ),
        )
        .help("remove the flag's references and its row before the date, or agree a later `Remove by` date with its owner");
        out.push(m.at_row(f, e, Column::RemoveBy));
    }
}
