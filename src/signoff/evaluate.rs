//! Evaluation: whether the labels and reviews on a pull request meet the
//! sign-offs it needs. Every sign-off that does not count says why.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Permission, Signer, SignoffConfig};

/// One event of the pull request's timeline, in the API's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimelineEvent {
    Labeled {
        label: String,
        actor: String,
        at: String,
    },
    Unlabeled {
        label: String,
        actor: String,
        at: String,
    },
    /// Commits reached the head branch: `committed` (whose dates the author
    /// controls, so no time is kept) or `head_ref_force_pushed` (`created_at`).
    Pushed {
        sha: Option<String>,
        at: Option<String>,
    },
}

/// A review, in the API's order (oldest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub user: String,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED`, `PENDING`.
    pub state: String,
    pub commit_id: String,
    /// `submitted_at` (empty when the API gave none).
    pub submitted_at: String,
}

/// Everything evaluation reads about one pull request, fetched from the API.
#[derive(Debug, Clone, Default)]
pub struct PrFacts {
    pub author: String,
    pub head_sha: String,
    pub timeline: Vec<TimelineEvent>,
    /// When GitHub first saw the head commit on the pull request's branch
    /// (its check suites): server time, unlike commit dates, which the author sets.
    pub head_seen: HeadSeen,
    pub reviews: Vec<Review>,
    /// Repository permission by login; `None` when it could not be read.
    pub permissions: BTreeMap<String, Option<Permission>>,
    /// Team membership by (`org/team-slug`, login); `None` when it could not be read.
    pub teams: BTreeMap<(String, String), Option<bool>>,
}

/// What the head commit's check suites in the base repository say about
/// when it reached the pull request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum HeadSeen {
    /// The earliest `created_at` of the head's suites on the pull request's
    /// head branch (of every suite, for a fork's head, whose suites have no branch).
    At(String),
    /// The suites could not be read (the token has no `checks: read`).
    #[default]
    Unreadable,
    /// The repository has no check suite for the head (`total_count: 0`):
    /// no workflow ran on it here, as for a fork whose CI runs on `push` only.
    NoSuites,
    /// Suites only on other branches: the head was pushed elsewhere first, and
    /// when it reached the pull request's branch is unknown.
    OtherBranchesOnly,
}

impl HeadSeen {
    /// The rejection of a label whose freshness this cannot settle.
    pub fn unknown(&self) -> Rejection {
        Rejection::PushTimeUnknown {
            hint: match self {
                HeadSeen::At(_) | HeadSeen::Unreadable => "the token needs `checks: read`",
                HeadSeen::NoSuites => NO_SUITES_HINT,
                HeadSeen::OtherBranchesOnly => {
                    "GitHub saw the head only on other branches, so it may have reached the pull request after the label"
                }
            },
        }
    }

    /// The caveat of a label judged by the timeline's order because of this.
    fn caveat(&self) -> &'static str {
        match self {
            HeadSeen::NoSuites => NO_SUITES,
            _ => PUSH_ORDER_ONLY,
        }
    }
}

/// Why a label or review did not give a sign-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum Rejection {
    /// The pull request's author signed off their own change.
    SelfSignoff,
    /// The signer's permission is below `min_permission`.
    NoPermission { have: Permission, need: Permission },
    /// The label was added before the head commit was pushed.
    Stale,
    /// When the head was pushed is unknown (no push in the timeline, or no check
    /// suite readable for the head), so the label may predate the code.
    PushTimeUnknown { hint: &'static str },
    /// The label was removed after it was added.
    RemovedLater { by: String },
    /// The user is neither listed in `users` nor a member of a listed team
    /// (`teams`: the teams asked, which answered "not a member").
    NotAllowedSigner {
        #[serde(skip_serializing_if = "Vec::is_empty")]
        teams: Vec<String>,
    },
    /// The user's permission or team membership could not be read.
    MembershipUnreadable,
    /// The approving review is on an older commit than the head.
    ReviewOnOldCommit { commit: String },
}

impl Rejection {
    pub fn message(&self) -> String {
        match self {
            Rejection::SelfSignoff => "the pull request's author cannot sign off their own change".into(),
            Rejection::NoPermission { have, need } => format!(
                "their permission is `{}`; this sign-off needs `{}`",
                have.as_str(),
                need.as_str()
            ),
            Rejection::Stale => "it was given before the latest push to the pull request".into(),
            Rejection::PushTimeUnknown { hint } => {
                format!("the time of the latest push is unknown, so the label may be older than the code ({hint})")
            }
            Rejection::RemovedLater { by } => format!("the label was removed later by {by}"),
            Rejection::NotAllowedSigner { teams } if teams.is_empty() => "they are not an allowed signer for it".into(),
            Rejection::NotAllowedSigner { teams } => format!(
                "they are not an allowed signer for it: not listed, and GitHub does not show them as an active member of {} \
                 (GitHub answers the same to a token that cannot see the team: team signers need a token with organisation members read)",
                teams.join(", ")
            ),
            Rejection::MembershipUnreadable => "their permission or team membership could not be read".into(),
            Rejection::ReviewOnOldCommit { commit } => format!(
                "the approval is on commit {}, not the head",
                commit.get(..7).unwrap_or(commit)
            ),
        }
    }
}

/// How a sign-off was given (or attempted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "via", rename_all = "kebab-case")]
pub enum Evidence {
    Label { label: String, user: String, at: String },
    Review { user: String, commit: String },
}

impl Evidence {
    pub fn user(&self) -> &str {
        match self {
            Evidence::Label { user, .. } | Evidence::Review { user, .. } => user,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Evidence::Label { label, user, .. } => format!("label `{label}` added by {user}"),
            Evidence::Review { user, commit } => {
                format!("approving review by {user} on {}", commit.get(..7).unwrap_or(commit))
            }
        }
    }
}

/// A rejected attempt at a sign-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    pub evidence: Evidence,
    #[serde(flatten)]
    pub why: Rejection,
}

/// Whether one sign-off is met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum Outcome {
    Met { by: Evidence },
    Missing,
}

/// One required sign-off, the classes that require it, and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignoffResult {
    pub signoff: String,
    pub label: String,
    pub classes: Vec<String>,
    #[serde(flatten)]
    pub outcome: Outcome,
    pub rejected: Vec<Rejected>,
    /// Met, but less firmly than it could be (why).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caveat: Option<String>,
}

/// The caveat of a label judged by the timeline's order alone.
pub const PUSH_ORDER_ONLY: &str =
    "the push time of the head could not be read from its check suites (the token needs `checks: read`), \
     so the label was judged by the timeline's order, which a commit with a false date can fool";

/// Why a head has no check suite in the base repository, and the remedy.
const NO_SUITES_HINT: &str =
    "the head has no check suite in this repository: no workflow ran on it here, as for a fork \
     whose CI runs on `push` only; a workflow that also runs on `pull_request` gives it one";

/// The caveat of a label judged by the timeline's order because the head has no check suite.
pub const NO_SUITES: &str =
    "the head has no check suite in this repository (no workflow ran on it here, as for a fork \
     whose CI runs on `push` only), so GitHub cannot say when it was pushed and the label was judged by the \
     timeline's order, which a commit with a false date can fool";

/// Whether the timeline shows the head commit itself arriving before event `i`.
fn head_pushed_before(facts: &PrFacts, i: usize) -> bool {
    facts.timeline[..i]
        .iter()
        .any(|e| matches!(e, TimelineEvent::Pushed { sha: Some(s), .. } if s.eq_ignore_ascii_case(&facts.head_sha)))
}

impl SignoffResult {
    pub fn met(&self) -> bool {
        matches!(self.outcome, Outcome::Met { .. })
    }
}

/// Whether `user` satisfies `signer`'s rules (not counting freshness).
fn check_signer(user: &str, signer: &Signer, facts: &PrFacts, config: &SignoffConfig) -> Result<(), Rejection> {
    if !config.allow_self_signoff && user.eq_ignore_ascii_case(&facts.author) {
        return Err(Rejection::SelfSignoff);
    }
    let mut unreadable = false;
    for team in &signer.teams {
        match facts.teams.get(&(team.to_ascii_lowercase(), user.to_ascii_lowercase())) {
            Some(Some(true)) => return Ok(()),
            Some(Some(false)) => {}
            _ => unreadable = true,
        }
    }
    let listed = signer.users.iter().any(|u| u.eq_ignore_ascii_case(user));
    let open = signer.users.is_empty() && signer.teams.is_empty();
    if !open && !listed {
        return Err(if unreadable {
            Rejection::MembershipUnreadable
        } else {
            Rejection::NotAllowedSigner {
                teams: signer.teams.clone(),
            }
        });
    }
    match facts.permissions.get(&user.to_ascii_lowercase()) {
        Some(Some(p)) if *p >= signer.min_permission => Ok(()),
        Some(Some(p)) => Err(Rejection::NoPermission {
            have: *p,
            need: signer.min_permission,
        }),
        _ => Err(Rejection::MembershipUnreadable),
    }
}

/// What evaluation needs looked up: how many sign-off label events there
/// are, and the logins and team memberships to read.
pub fn lookups(
    signoffs: &[(String, Vec<String>)],
    facts: &PrFacts,
    config: &SignoffConfig,
) -> (usize, BTreeSet<String>, BTreeSet<(String, String)>) {
    let labels: BTreeSet<String> = signoffs
        .iter()
        .map(|(s, _)| config.signer(s).label_for(s).to_ascii_lowercase())
        .collect();
    let mut users = BTreeSet::new();
    let mut labelers = 0;
    for e in &facts.timeline {
        if let TimelineEvent::Labeled { label, actor, .. } = e {
            if labels.contains(&label.to_ascii_lowercase()) {
                users.insert(actor.to_ascii_lowercase());
                labelers += 1;
            }
        }
    }
    for r in &facts.reviews {
        if r.state == "APPROVED" {
            users.insert(r.user.to_ascii_lowercase());
        }
    }
    let mut teams = BTreeSet::new();
    for (s, _) in signoffs {
        for t in config.signer(s).teams {
            for u in &users {
                teams.insert((t.to_ascii_lowercase(), u.clone()));
            }
        }
    }
    (labelers, users, teams)
}

/// Each reviewer's latest decisive review (a later "request changes" or a
/// dismissal withdraws an approval; a comment does not), by lowercase login.
pub fn latest_reviews(facts: &PrFacts) -> BTreeMap<String, &Review> {
    let mut latest = BTreeMap::new();
    for r in &facts.reviews {
        if matches!(r.state.as_str(), "APPROVED" | "CHANGES_REQUESTED" | "DISMISSED") {
            latest.insert(r.user.to_ascii_lowercase(), r);
        }
    }
    latest
}

/// Evaluates each required sign-off (name, the classes requiring it).
pub fn evaluate(signoffs: &[(String, Vec<String>)], facts: &PrFacts, config: &SignoffConfig) -> Vec<SignoffResult> {
    // The last push: labels before it are stale.
    let last_push = facts.timeline.iter().enumerate().rev().find_map(|(i, e)| match e {
        TimelineEvent::Pushed { at, .. } => Some((i, at.clone())),
        _ => None,
    });
    let latest = latest_reviews(facts);

    let mut out = Vec::new();
    for (name, classes) in signoffs {
        let signer = config.signer(name);
        let label = signer.label_for(name);
        let mut rejected = Vec::new();
        let mut met = None;
        let mut caveat = None;

        // The label's latest labeled event, unless an unlabeled event follows it.
        let mut last_labeled: Option<(usize, &str, &str)> = None;
        let mut removed_by: Option<&str> = None;
        for (i, e) in facts.timeline.iter().enumerate() {
            match e {
                TimelineEvent::Labeled { label: l, actor, at } if l.eq_ignore_ascii_case(&label) => {
                    last_labeled = Some((i, actor, at));
                    removed_by = None;
                }
                TimelineEvent::Unlabeled { label: l, actor, .. } if l.eq_ignore_ascii_case(&label) => {
                    removed_by = Some(actor);
                }
                _ => {}
            }
        }
        if let Some((i, actor, at)) = last_labeled {
            let evidence = Evidence::Label {
                label: label.clone(),
                user: actor.to_string(),
                at: at.to_string(),
            };
            let verdict = if let Some(by) = removed_by {
                Err(Rejection::RemovedLater { by: by.to_string() })
            } else {
                check_signer(actor, &signer, facts, config).and_then(|()| {
                    if !config.stale_after_push {
                        return Ok(());
                    }
                    match (&last_push, &facts.head_seen) {
                        (Some((p, _)), _) if *p > i => Err(Rejection::Stale),
                        (Some((_, Some(pushed))), _) if at <= pushed.as_str() => Err(Rejection::Stale),
                        // GitHub's own time for the head: a backdated commit cannot fool it.
                        (_, HeadSeen::At(seen)) if at <= seen.as_str() => Err(Rejection::Stale),
                        (_, HeadSeen::At(_)) => Ok(()),
                        // Seen on another branch first: the timeline's order proves nothing.
                        (_, gap @ HeadSeen::OtherBranchesOnly) => Err(gap.unknown()),
                        // Only the timeline's order, and only if it shows the head
                        // itself arriving before the label: counts, with a caveat.
                        (_, gap) if head_pushed_before(facts, i) => {
                            caveat = Some(gap.caveat().to_string());
                            Ok(())
                        }
                        (_, gap) => Err(gap.unknown()),
                    }
                })
            };
            match verdict {
                Ok(()) => met = Some(evidence),
                Err(why) => {
                    caveat = None;
                    rejected.push(Rejected { evidence, why });
                }
            }
        }

        for r in latest.values().filter(|r| r.state == "APPROVED") {
            let evidence = Evidence::Review {
                user: r.user.clone(),
                commit: r.commit_id.clone(),
            };
            match check_signer(&r.user, &signer, facts, config) {
                Ok(()) if r.commit_id == facts.head_sha => {
                    if met.is_none() {
                        met = Some(evidence);
                    }
                }
                Ok(()) => rejected.push(Rejected {
                    evidence,
                    why: Rejection::ReviewOnOldCommit {
                        commit: r.commit_id.clone(),
                    },
                }),
                // An approver who was never meant to give this sign-off is not news.
                Err(Rejection::NotAllowedSigner { .. }) => {}
                Err(why) => rejected.push(Rejected { evidence, why }),
            }
        }

        out.push(SignoffResult {
            signoff: name.clone(),
            label,
            classes: classes.clone(),
            outcome: match met {
                Some(by) => Outcome::Met { by },
                None => Outcome::Missing,
            },
            rejected,
            caveat,
        });
    }
    out
}

/// The sign-offs the classes require: each once, with the classes requiring it.
pub fn required_signoffs(hits: &[super::ClassHit]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for h in hits {
        for s in &h.required {
            match out.iter_mut().find(|(n, _)| n == s) {
                Some((_, classes)) => classes.push(h.class.clone()),
                None => out.push((s.clone(), vec![h.class.clone()])),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    const OLD: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    fn facts() -> PrFacts {
        let mut f = PrFacts {
            author: "alice".into(),
            head_sha: HEAD.into(),
            head_seen: HeadSeen::At("2026-01-01T00:00:00Z".into()),
            ..Default::default()
        };
        f.timeline.push(TimelineEvent::Pushed {
            sha: Some(HEAD.into()),
            at: None,
        });
        for (u, p) in [
            ("alice", Permission::Write),
            ("olivia", Permission::Maintain),
            ("tom", Permission::Triage),
        ] {
            f.permissions.insert(u.into(), Some(p));
        }
        f
    }

    fn labeled(label: &str, actor: &str, at: &str) -> TimelineEvent {
        TimelineEvent::Labeled {
            label: label.into(),
            actor: actor.into(),
            at: at.into(),
        }
    }

    fn one(facts: &PrFacts, config: &SignoffConfig) -> SignoffResult {
        let req = vec![("system-owner".to_string(), vec!["schema-destructive".to_string()])];
        evaluate(&req, facts, config).remove(0)
    }

    fn why(r: &SignoffResult) -> Vec<Rejection> {
        r.rejected.iter().map(|x| x.why.clone()).collect()
    }

    #[test]
    fn owner_label_after_push_counts() {
        let mut f = facts();
        f.timeline
            .push(labeled("signoff:system-owner", "olivia", "2026-01-02T00:00:00Z"));
        let r = one(&f, &SignoffConfig::default());
        assert!(r.met(), "{r:?}");
    }

    #[test]
    fn author_labels_own_pr() {
        let mut f = facts();
        f.timeline
            .push(labeled("signoff:system-owner", "alice", "2026-01-02T00:00:00Z"));
        let r = one(&f, &SignoffConfig::default());
        assert!(!r.met());
        assert_eq!(why(&r), [Rejection::SelfSignoff]);
        let allowed = SignoffConfig {
            allow_self_signoff: true,
            ..Default::default()
        };
        assert!(one(&f, &allowed).met());
    }

    #[test]
    fn triage_only_user_labels() {
        let mut f = facts();
        f.timeline
            .push(labeled("signoff:system-owner", "tom", "2026-01-02T00:00:00Z"));
        let r = one(&f, &SignoffConfig::default());
        assert_eq!(
            why(&r),
            [Rejection::NoPermission {
                have: Permission::Triage,
                need: Permission::Write
            }]
        );
    }

    #[test]
    fn label_then_new_push_is_stale() {
        let mut f = facts();
        f.timeline
            .push(labeled("signoff:system-owner", "olivia", "2026-01-02T00:00:00Z"));
        f.timeline.push(TimelineEvent::Pushed {
            sha: Some(HEAD.into()),
            at: None,
        });
        let r = one(&f, &SignoffConfig::default());
        assert_eq!(why(&r), [Rejection::Stale]);
        let lax = SignoffConfig {
            stale_after_push: false,
            ..Default::default()
        };
        assert!(one(&f, &lax).met());
    }

    #[test]
    fn label_before_a_force_push_time_is_stale() {
        let mut f = facts();
        f.timeline = vec![
            labeled("signoff:system-owner", "olivia", "2026-01-02T00:00:00Z"),
            TimelineEvent::Pushed {
                sha: Some(HEAD.into()),
                at: Some("2026-01-03T00:00:00Z".into()),
            },
        ];
        assert_eq!(why(&one(&f, &SignoffConfig::default())), [Rejection::Stale]);
        f.timeline.clear();
        f.timeline
            .push(labeled("signoff:system-owner", "olivia", "2026-01-02T00:00:00Z"));
        // No push in the timeline: GitHub's time for the head decides.
        assert!(one(&f, &SignoffConfig::default()).met());
        f.head_seen = HeadSeen::Unreadable;
        assert_eq!(
            why(&one(&f, &SignoffConfig::default())),
            [HeadSeen::Unreadable.unknown()]
        );
        // No time from GitHub for the head, and the timeline shows another
        // commit, not the head, before the label: fail closed.
        f.timeline.insert(
            0,
            TimelineEvent::Pushed {
                sha: Some(OLD.into()),
                at: None,
            },
        );
        f.head_seen = HeadSeen::Unreadable;
        assert_eq!(
            why(&one(&f, &SignoffConfig::default())),
            [HeadSeen::Unreadable.unknown()]
        );
        // The head itself before the label: it counts, with the caveat.
        f.timeline[0] = TimelineEvent::Pushed {
            sha: Some(HEAD.into()),
            at: None,
        };
        let r = one(&f, &SignoffConfig::default());
        assert!(r.met(), "{r:?}");
        assert_eq!(r.caveat.as_deref(), Some(PUSH_ORDER_ONLY));
        // With GitHub's time for the head there is no caveat.
        f.head_seen = HeadSeen::At("2026-01-01T00:00:00Z".into());
        assert_eq!(one(&f, &SignoffConfig::default()).caveat, None);
    }

    #[test]
    fn a_backdated_commit_does_not_make_an_old_label_fresh() {
        // The timeline orders `committed` events by the commit's own date,
        // which the author controls; GitHub's check suite time is not.
        let mut f = facts();
        f.timeline = vec![
            TimelineEvent::Pushed {
                sha: Some(HEAD.into()),
                at: None,
            },
            labeled("signoff:system-owner", "olivia", "2026-01-02T00:00:00Z"),
        ];
        f.head_seen = HeadSeen::At("2026-01-05T00:00:00Z".into());
        assert_eq!(why(&one(&f, &SignoffConfig::default())), [Rejection::Stale]);
        f.head_seen = HeadSeen::At("2026-01-01T00:00:00Z".into());
        assert!(one(&f, &SignoffConfig::default()).met());
    }

    #[test]
    fn label_added_removed_added_again() {
        let mut f = facts();
        f.timeline
            .push(labeled("signoff:system-owner", "olivia", "2026-01-02T00:00:00Z"));
        f.timeline.push(TimelineEvent::Unlabeled {
            label: "signoff:system-owner".into(),
            actor: "tom".into(),
            at: "2026-01-03T00:00:00Z".into(),
        });
        let r = one(&f, &SignoffConfig::default());
        assert_eq!(why(&r), [Rejection::RemovedLater { by: "tom".into() }]);
        f.timeline
            .push(labeled("signoff:system-owner", "olivia", "2026-01-04T00:00:00Z"));
        let r = one(&f, &SignoffConfig::default());
        assert!(r.met(), "{r:?}");
    }

    #[test]
    fn approving_review_on_an_old_commit() {
        let mut f = facts();
        f.reviews.push(Review {
            user: "olivia".into(),
            state: "APPROVED".into(),
            commit_id: OLD.into(),
            submitted_at: String::new(),
        });
        let r = one(&f, &SignoffConfig::default());
        assert!(!r.met());
        assert_eq!(why(&r), [Rejection::ReviewOnOldCommit { commit: OLD.into() }]);
    }

    #[test]
    fn approving_review_on_head_meets_every_signoff_the_reviewer_may_give() {
        let mut f = facts();
        f.reviews.push(Review {
            user: "olivia".into(),
            state: "APPROVED".into(),
            commit_id: HEAD.into(),
            submitted_at: String::new(),
        });
        let mut config = SignoffConfig::default();
        config.signers.insert(
            "security-owner".into(),
            Signer {
                label: None,
                users: vec!["sam".into()],
                teams: vec![],
                min_permission: Permission::Write,
            },
        );
        let req = vec![
            ("system-owner".to_string(), vec!["permission-change".to_string()]),
            ("security-owner".to_string(), vec!["permission-change".to_string()]),
        ];
        let r = evaluate(&req, &f, &config);
        assert!(r[0].met());
        assert!(!r[1].met());
        assert!(r[1].rejected.is_empty(), "not an allowed signer is not news");
    }

    #[test]
    fn later_changes_requested_withdraws_an_approval() {
        let mut f = facts();
        for state in ["APPROVED", "CHANGES_REQUESTED"] {
            f.reviews.push(Review {
                user: "olivia".into(),
                state: state.into(),
                commit_id: HEAD.into(),
                submitted_at: String::new(),
            });
        }
        assert!(!one(&f, &SignoffConfig::default()).met());
    }

    #[test]
    fn unreadable_membership_fails_closed() {
        let mut f = facts();
        f.timeline
            .push(labeled("signoff:system-owner", "olivia", "2026-01-02T00:00:00Z"));
        let mut config = SignoffConfig::default();
        config.signers.insert(
            "system-owner".into(),
            Signer {
                label: None,
                users: vec![],
                teams: vec!["acme/owners".into()],
                min_permission: Permission::Write,
            },
        );
        assert_eq!(why(&one(&f, &config)), [Rejection::MembershipUnreadable]);
        f.teams.insert(("acme/owners".into(), "olivia".into()), Some(true));
        assert!(one(&f, &config).met());
        f.permissions.remove("olivia");
        config.signers.clear();
        assert_eq!(why(&one(&f, &config)), [Rejection::MembershipUnreadable]);
    }
}
