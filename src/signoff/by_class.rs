//! Findings that only a sign-off approves: there is no approval comment in
//! YAML or Markdown, so the sign-off of a class of change is the approval.

use super::{ClassHit, Outcome, SignoffResult};
use crate::finding::Finding;

/// A rule, and the class of change whose sign-offs approve its findings.
pub const APPROVED_BY_CLASS: &[(&str, &str)] = &[("kill-switch-removed", "kill-switch-change")];

/// The class whose sign-offs approve `rule`'s findings.
pub fn class_of(rule: &str) -> Option<&'static str> {
    APPROVED_BY_CLASS.iter().find(|(r, _)| *r == rule).map(|(_, c)| *c)
}

/// Marks such findings approved when their class requires at least one
/// sign-off and every one it requires is met.
pub fn approve(findings: &mut [Finding], hits: &[ClassHit], results: &[SignoffResult]) {
    for f in findings {
        let Some(class) = class_of(f.rule) else { continue };
        let Some(hit) = hits.iter().find(|h| h.class == class) else {
            continue;
        };
        let mut by = Vec::new();
        for name in &hit.required {
            match results.iter().find(|r| &r.signoff == name).map(|r| &r.outcome) {
                Some(Outcome::Met { by: evidence }) => by.push(format!("`{name}` ({})", evidence.describe())),
                _ => {
                    by.clear();
                    break;
                }
            }
        }
        if !by.is_empty() {
            f.approved = true;
            f.approval_reason = Some(format!("signed off as `{class}` by {}", by.join(", ")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signoff::Evidence;

    fn hit(required: &[&str]) -> ClassHit {
        ClassHit {
            class: "kill-switch-change".into(),
            reason: String::new(),
            required: required.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn result(outcome: Outcome) -> SignoffResult {
        SignoffResult {
            signoff: "system-owner".into(),
            label: "signoff:system-owner".into(),
            classes: vec!["kill-switch-change".into()],
            outcome,
            rejected: Vec::new(),
            caveat: None,
        }
    }

    fn approved(hits: &[ClassHit], results: &[SignoffResult]) -> bool {
        let mut f = [Finding::new(&crate::flags::invalid_flag_registry::RULE, "x")];
        f[0].rule = "kill-switch-removed";
        approve(&mut f, hits, results);
        f[0].approved
    }

    #[test]
    fn only_every_required_sign_off_met_approves() {
        let met = Outcome::Met {
            by: Evidence::Review {
                user: "olivia".into(),
                commit: "abcdef0123".into(),
            },
        };
        assert!(approved(&[hit(&["system-owner"])], &[result(met)]));
        assert!(!approved(&[hit(&["system-owner"])], &[result(Outcome::Missing)]));
        // A class that requires nothing approves nothing.
        assert!(!approved(&[hit(&[])], &[]));
    }
}
