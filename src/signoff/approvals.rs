//! Approvals: how many distinct approving reviews a pull request needs
//! (`signoff.min_approvals`, by class of change) and which of its reviews
//! count: on the head commit, by someone other than the author with at least
//! `write` permission.

use serde::Serialize;

use super::evaluate::{latest_reviews, Evidence, PrFacts, Rejected, Rejection};
use super::{ClassHit, Permission, SignoffConfig};

/// The class every pull request is in, for `signoff.min_approvals`.
pub use crate::config::signoff::ANY_CHANGE;

/// The least permission of a reviewer whose approval counts.
const MIN_PERMISSION: Permission = Permission::Write;

/// The approvals a pull request needs and has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approvals {
    /// Distinct approving reviews needed.
    pub needed: u32,
    /// The classes that ask for that many (`any-change` for every pull request).
    pub classes: Vec<String>,
    /// The reviewers whose approval of the head counts.
    pub counted: Vec<String>,
    /// Approving reviews that do not count, and why.
    pub rejected: Vec<Rejected>,
}

impl Approvals {
    pub fn met(&self) -> bool {
        self.counted.len() >= self.needed as usize
    }
}

/// How many approvals the classes hit ask for (the most of `any-change` and
/// each class), and which classes ask for it; `None` when none does.
pub fn needed(hits: &[ClassHit], config: &SignoffConfig) -> Option<(u32, Vec<String>)> {
    let mut classes: Vec<&str> = vec![ANY_CHANGE];
    for h in hits {
        classes.push(&h.class);
        // `phase-advance:ga` is also a `phase-advance`.
        if h.class.starts_with("phase-advance:") {
            classes.push("phase-advance");
        }
    }
    let n = classes
        .iter()
        .filter_map(|c| config.min_approvals.get(*c))
        .copied()
        .max()
        .filter(|n| *n > 0)?;
    let mut asking: Vec<String> = Vec::new();
    for c in classes {
        if config.min_approvals.get(c) == Some(&n) && !asking.iter().any(|a| a == c) {
            asking.push(c.to_string());
        }
    }
    Some((n, asking))
}

/// Counts the approvals of `facts` against `needed` (from [`needed`]).
pub fn count(needed: u32, classes: Vec<String>, facts: &PrFacts) -> Approvals {
    let mut counted = Vec::new();
    let mut rejected = Vec::new();
    for r in latest_reviews(facts).into_values().filter(|r| r.state == "APPROVED") {
        let evidence = Evidence::Review {
            user: r.user.clone(),
            commit: r.commit_id.clone(),
        };
        let why = if r.user.eq_ignore_ascii_case(&facts.author) {
            Some(Rejection::SelfSignoff)
        } else {
            match facts.permissions.get(&r.user.to_ascii_lowercase()) {
                Some(Some(p)) if *p < MIN_PERMISSION => Some(Rejection::NoPermission {
                    have: *p,
                    need: MIN_PERMISSION,
                }),
                Some(Some(_)) if r.commit_id != facts.head_sha => Some(Rejection::ReviewOnOldCommit {
                    commit: r.commit_id.clone(),
                }),
                Some(Some(_)) => None,
                _ => Some(Rejection::MembershipUnreadable),
            }
        };
        match why {
            None => counted.push(r.user.clone()),
            Some(why) => rejected.push(Rejected { evidence, why }),
        }
    }
    Approvals {
        needed,
        classes,
        counted,
        rejected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signoff::Review;

    const HEAD: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    fn review(user: &str, state: &str, commit: &str) -> Review {
        Review {
            user: user.into(),
            state: state.into(),
            commit_id: commit.into(),
            submitted_at: String::new(),
        }
    }

    fn facts(reviews: Vec<Review>) -> PrFacts {
        let mut f = PrFacts {
            author: "alice".into(),
            head_sha: HEAD.into(),
            reviews,
            ..Default::default()
        };
        for (u, p) in [
            ("alice", Permission::Admin),
            ("olivia", Permission::Maintain),
            ("bea", Permission::Write),
            ("tom", Permission::Triage),
        ] {
            f.permissions.insert(u.into(), Some(p));
        }
        f
    }

    #[test]
    fn every_pull_request_needs_one_approval_by_default() {
        let c = SignoffConfig::default();
        assert_eq!(needed(&[], &c), Some((1, vec![ANY_CHANGE.to_string()])));
        let mut c = c;
        c.min_approvals.insert("schema-destructive".into(), 2);
        assert_eq!(
            needed(&[ClassHit::bare("schema-destructive")], &c),
            Some((2, vec!["schema-destructive".to_string()]))
        );
        c.min_approvals.insert(ANY_CHANGE.into(), 0);
        assert_eq!(needed(&[ClassHit::bare("docs-only")], &c), None);
    }

    #[test]
    fn only_distinct_approvals_of_the_head_by_writers_other_than_the_author_count() {
        let f = facts(vec![
            review("alice", "APPROVED", HEAD),
            review("tom", "APPROVED", HEAD),
            review("bea", "APPROVED", "aaaa"),
            review("olivia", "APPROVED", HEAD),
            review("olivia", "APPROVED", HEAD),
            review("mallory", "APPROVED", HEAD),
        ]);
        let a = count(2, vec![ANY_CHANGE.into()], &f);
        assert_eq!(a.counted, ["olivia"]);
        assert!(!a.met());
        let reasons: Vec<&Rejection> = a.rejected.iter().map(|r| &r.why).collect();
        assert_eq!(
            reasons,
            [
                &Rejection::SelfSignoff,
                &Rejection::ReviewOnOldCommit { commit: "aaaa".into() },
                &Rejection::MembershipUnreadable,
                &Rejection::NoPermission {
                    have: Permission::Triage,
                    need: Permission::Write
                },
            ]
        );
        // A later "request changes" withdraws an approval.
        let f = facts(vec![
            review("olivia", "APPROVED", HEAD),
            review("olivia", "CHANGES_REQUESTED", HEAD),
        ]);
        assert!(count(1, vec![], &f).counted.is_empty());
    }
}
