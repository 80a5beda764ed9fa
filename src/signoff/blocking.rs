//! Blocking issues: open issues whose labels (P0, P1, SEV-1, SEV-2 by
//! default) hold a launch, and when the gate asks for them
//! (`ci.blocking_issues`).

use serde::Serialize;

use super::ClassHit;
pub use crate::config::ci::{BlockingIssues, BlockingOn};

/// An open issue (never a pull request) carrying a blocking label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenIssue {
    pub number: u64,
    pub title: String,
    /// Its blocking labels.
    pub labels: Vec<String>,
}

impl BlockingIssues {
    /// Whether a pull request with these classes (and `final_advance`: it
    /// advances a rollout into its final phase) is a launch to check.
    pub fn applies_to_pull_request(&self, hits: &[ClassHit], final_advance: bool) -> bool {
        let advance = hits.iter().any(|h| h.class.starts_with("phase-advance:"));
        !self.labels.is_empty()
            && self.on.iter().any(|on| match on {
                BlockingOn::AnyChange => true,
                BlockingOn::PhaseAdvance => advance,
                BlockingOn::PhaseAdvanceFinal => final_advance,
                BlockingOn::ReleaseBranch => false,
            })
    }

    /// Whether a push to a release branch is checked.
    pub fn applies_to_release(&self) -> bool {
        !self.labels.is_empty() && self.on.contains(&BlockingOn::ReleaseBranch)
    }
}

/// Merges the open issues of each label (`(label, issues)`) into one list,
/// each issue once with every blocking label it has, by number.
pub fn merge(per_label: Vec<(String, Vec<OpenIssue>)>) -> Vec<OpenIssue> {
    let mut out: Vec<OpenIssue> = Vec::new();
    for (label, issues) in per_label {
        for i in issues {
            match out.iter_mut().find(|o| o.number == i.number) {
                Some(o) => o.labels.push(label.clone()),
                None => out.push(OpenIssue {
                    labels: vec![label.clone()],
                    ..i
                }),
            }
        }
    }
    out.sort_by_key(|i| i.number);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn launches_are_the_final_phase_and_release_branches_by_default() {
        let b = BlockingIssues::default();
        assert!(!b.applies_to_pull_request(&[ClassHit::bare("phase-advance:beta")], false));
        assert!(b.applies_to_pull_request(&[ClassHit::bare("phase-advance:ga")], true));
        assert!(b.applies_to_release());
        let every = BlockingIssues {
            on: vec![BlockingOn::AnyChange],
            ..Default::default()
        };
        assert!(every.applies_to_pull_request(&[], false));
        assert!(!every.applies_to_release());
    }

    #[test]
    fn an_issue_with_two_labels_is_listed_once() {
        let i = |n: u64| OpenIssue {
            number: n,
            title: format!("t{n}"),
            labels: vec![],
        };
        let merged = merge(vec![("P0".into(), vec![i(3), i(1)]), ("SEV-1".into(), vec![i(3)])]);
        assert_eq!(merged.iter().map(|i| i.number).collect::<Vec<_>>(), [1, 3]);
        assert_eq!(merged[1].labels, ["P0", "SEV-1"]);
    }
}
