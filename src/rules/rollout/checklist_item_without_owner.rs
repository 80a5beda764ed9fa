//! A checklist item nobody owns.
use super::RolloutCx;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Flags a `checklist` item without an `owner`, or with a blank one.
    ///
    /// ## Why it blocks a release
    /// An item nobody owns is an item nobody does: the go/no-go meeting finds
    /// it open, or worse, ticked by someone who assumed it was done.
    ///
    /// ## How to ship it safely
    /// ```yaml
    /// checklist:
    ///   - { item: "Backup stored and verified", owner: "@dba", done: false }
    /// ```
    pub RULE = { id: "checklist-item-without-owner", domain: Rollout, default: Error, class: Other };
}

pub fn check(cx: &RolloutCx, out: &mut Vec<Finding>) {
    let m = cx.manifest;
    for item in &m.checklist {
        let owned = item
            .owner
            .as_ref()
            .and_then(|o| o.value.as_deref())
            .is_some_and(|o| !o.trim().is_empty());
        if owned {
            continue;
        }
        let at = match (&item.owner, &item.item) {
            (Some(o), _) => &o.ptr,
            (None, Some(i)) => &i.ptr,
            (None, None) => &item.ptr,
        };
        out.push(m.finding(
            &RULE,
            at,
            format!(
                "Checklist item `{}` has no owner, so nobody is accountable for getting it done",
                item.label()
            ),
            "add `owner: \"@team-or-person\"` to the item",
        ));
    }
}
