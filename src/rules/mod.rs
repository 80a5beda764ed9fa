//! Rules: pure functions from parsed models to findings, one per file.

pub mod contract;
pub mod dryrun;
pub mod flags;
pub mod migration;
pub mod rollout;
pub mod signoff;

use crate::finding::Finding;
use crate::rule::RuleMeta;

/// How a domain's table runs one of its rules; `F` is the domain's check
/// function type (`fn(&RolloutCx, &mut Vec<Finding>)`, ...).
pub enum Check<F> {
    /// The domain's `check` calls it with the domain's context.
    Cx(F),
    /// Reported by the code named here, not by the domain's `check`: a
    /// reader that finds its input unreadable, or a check across inputs.
    Elsewhere(&'static str),
}

/// A domain's table from its rule modules, one name a rule: `m` gives the
/// row `(&m::RULE, Check::Cx(m::check))`, in order; after an optional `;`,
/// the rules reported elsewhere, `(meta, "where")`.
macro_rules! table {
    ($($rule:ident),* $(,)? $(; $(($meta:expr, $where:literal)),* $(,)?)?) => {
        &[
            $((&$rule::RULE, $crate::rules::Check::Cx($rule::check)),)*
            $($(($meta, $crate::rules::Check::Elsewhere($where)),)*)?
        ]
    };
}
use table;

/// A domain's table: every rule of the domain, once, with how it runs.
pub type Table<F> = [(&'static RuleMeta, Check<F>)];

/// Runs every rule of `table` that takes the domain's context, in order.
pub fn run<C: ?Sized, F: Fn(&C, &mut Vec<Finding>)>(table: &Table<F>, cx: &C) -> Vec<Finding> {
    let mut out = Vec::new();
    for (_, check) in table {
        if let Check::Cx(f) = check {
            f(cx, &mut out);
        }
    }
    out
}

/// The metadata of a table, in its order.
pub fn metas<F>(table: &Table<F>) -> impl Iterator<Item = &'static RuleMeta> + '_ {
    table.iter().map(|(m, _)| *m)
}

/// Every rule's metadata, for `shipgate rules`, `explain` and configuration.
pub static ALL_META: std::sync::LazyLock<Vec<&'static RuleMeta>> = std::sync::LazyLock::new(|| {
    let mut v: Vec<&'static RuleMeta> = metas(migration::RULES).collect();
    v.extend(metas(rollout::RULES));
    v.extend(metas(flags::RULES));
    v.extend(metas(dryrun::RULES));
    v.extend(metas(signoff::RULES));
    v.extend(metas(contract::RULES));
    v
});

#[cfg(test)]
mod tests {
    /// Every rule id is in exactly one domain table, exactly once.
    #[test]
    fn every_rule_is_registered_exactly_once() {
        let mut count = std::collections::BTreeMap::new();
        for m in super::ALL_META.iter() {
            *count.entry(m.id).or_insert(0) += 1;
        }
        let twice: Vec<_> = count.iter().filter(|(_, n)| **n > 1).map(|(id, _)| *id).collect();
        assert!(twice.is_empty(), "registered more than once: {twice:?}");
        let missing: Vec<_> = crate::rule::IDS.iter().filter(|id| !count.contains_key(*id)).collect();
        assert!(missing.is_empty(), "declared but in no table: {missing:?}");
    }

    /// `rule::IDS` (read from the sources by `build.rs`) is exactly the table's ids.
    #[test]
    fn the_bottom_id_list_is_the_table() {
        let mut table: Vec<&str> = super::ALL_META.iter().map(|m| m.id).collect();
        table.sort_unstable();
        assert_eq!(crate::rule::IDS, table.as_slice());
    }
}
