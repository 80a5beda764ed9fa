//! Sign-offs: which kinds of change a pull request makes (classification),
//! which sign-offs the policy requires for them, and whether the labels and
//! reviews on the pull request meet them (evaluation). Pure: the GitHub
//! client gathers the facts, this module judges them.

pub mod approvals;
pub mod blocking;
pub mod by_class;
pub mod classes;
pub mod evaluate;

use serde::Serialize;

pub use crate::config::signoff::{Permission, Signer, SignoffConfig, BUILT_IN_SIGNOFFS, CLASSES};
pub use classes::{classes_of_change, ChangeFacts, ClassHit};
pub use evaluate::{evaluate, Evidence, HeadSeen, Outcome, PrFacts, Rejection, Review, SignoffResult, TimelineEvent};

/// A commit of a pull request and whether GitHub verified its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitVerification {
    pub sha: String,
    /// `commit.verification.verified`.
    pub verified: bool,
    /// `commit.verification.reason` (`valid`, `unsigned`, `unknown_key`, ...).
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn defaults_follow_the_policy() {
        let c = SignoffConfig::default();
        assert_eq!(
            c.required("schema-destructive", &[]),
            ["system-owner", "backup-recovery-owner"]
        );
        assert_eq!(c.required("permission-change", &[]), ["system-owner", "security-owner"]);
        assert_eq!(c.required("gate-config-change", &[]), ["system-owner"]);
        assert_eq!(c.required("high-risk", &[]), ["system-owner"]);
        assert_eq!(c.required("data-correction", &[]), ["system-owner"]);
        assert_eq!(c.min_approvals, BTreeMap::from([("any-change".to_string(), 1)]));
        assert_eq!(c.required("data-correction", &[]), ["system-owner"]);
        assert_eq!(c.min_approvals, BTreeMap::from([("any-change".to_string(), 1)]));
        assert!(c.required("docs-only", &[]).is_empty());
        assert_eq!(c.required("phase-advance:beta", &["lead".into()]), ["lead"]);
        assert_eq!(
            c.signer("system-owner").label_for("system-owner"),
            "signoff:system-owner"
        );
    }

    #[test]
    fn configured_classes_replace_defaults() {
        let mut c = SignoffConfig::default();
        c.require.insert("schema-destructive".into(), vec![]);
        c.require.insert("phase-advance".into(), vec!["release-manager".into()]);
        c.require.insert("nonsense".into(), vec![]);
        assert!(c.required("schema-destructive", &[]).is_empty());
        assert_eq!(c.required("phase-advance:ga", &["lead".into()]), ["release-manager"]);
        assert_eq!(c.unknown_classes(), ["nonsense"]);
        assert_eq!(
            c.undeclared_signoffs(),
            [("phase-advance".to_string(), "release-manager".to_string())]
        );
        c.signers
            .insert("release-manager".into(), Signer::default_for("release-manager"));
        assert!(c.undeclared_signoffs().is_empty());
    }
}
