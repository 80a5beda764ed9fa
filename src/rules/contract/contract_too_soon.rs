//! A DROP or RENAME too soon after the code stopped using the old name.

use super::{age, at, what, ContractCx};
use crate::finding::{Finding, Location, Related};

crate::declare_rule! {
    /// ## What it does
    /// Flags a migration that the change adds when it drops or renames a
    /// column, table, view, function, type or enum value whose last
    /// reference in the code (see `contract-still-referenced` for what
    /// counts) was removed less than `migrations.contract_min_age` (default
    /// `14d`) before the head commit. That includes a change that removes the
    /// last use and drops the column together (0 days).
    ///
    /// The history comes from git: a reference at the change's merge base
    /// (or in `HEAD`, for work-tree changes) means the change itself removes
    /// it; otherwise the newest commit within the minimum age whose diff
    /// touches one of the names (`git log -G`, limited by `--since`) and whose
    /// parent still had a reference removed it. In a shallow clone the
    /// history is cut: the run is not evaluated (exit 3) and says to fetch
    /// full history (`fetch-depth: 0`), never a silent pass.
    /// `migrations.contract_min_age: 0` turns the rule off.
    ///
    /// ## Why it blocks a release
    /// Expand, migrate and contract ship in separate releases so that
    /// instances of the previous release never meet a schema without what
    /// they read. Until every instance runs code without the reference, and
    /// no rollback can bring the old code back, the old name is still in
    /// use. A plain `-- MIGRATION_APPROVED: …` approves the data loss, not
    /// the timing, so it does not silence this rule.
    ///
    /// ## How to ship it safely
    /// Release the code that stopped using it, wait the minimum age, then
    /// contract in a later change (`docs/expand-contract.md`). When no
    /// instance can run the old code any more, approve by name:
    /// `-- MIGRATION_APPROVED(contract-too-soon): hotfix; no instance runs 4.1 any more`.
    pub RULE = { id: "contract-too-soon", domain: Contract, default: Error, class: Lock };
}

pub fn check(cx: &ContractCx, out: &mut Vec<Finding>) {
    if cx.min_age <= 0 {
        return;
    }
    for ((c, refs), removal) in cx.contractions.iter().zip(cx.references).zip(cx.removals) {
        let Some(r) = removal.as_ref().filter(|_| refs.is_empty()) else {
            continue;
        };
        let since = cx.head_time - r.time;
        if since >= cx.min_age {
            continue;
        }
        let when = match &r.commit {
            None => format!("this change removes its last use ({}:{})", r.path, r.line),
            Some(commit) => format!(
                "the code stopped using it {} before the head commit (in {commit}, {}:{})",
                age(since),
                r.path,
                r.line
            ),
        };
        let label = match &r.commit {
            None => "last used here, before this change".to_string(),
            Some(commit) => format!("last used here, before {commit}"),
        };
        let f = Finding::new(
            &RULE,
            format!(
                "{} too soon: {when}, less than `migrations.contract_min_age` ({}); instances still running the previous release use it",
                what(c),
                cx.min_age_text
            ),
        )
        .help("release the code without it first, and contract in a later change once the minimum age has passed")
        .related(Related {
            file: Some(r.path.clone()),
            location: Location {
                line: r.line,
                column: 1,
                end_line: r.line,
                end_column: 1,
            },
            span: None,
            label,
        });
        out.push(at(c, f));
    }
}
