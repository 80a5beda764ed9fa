//! The pull-request summary comment: the verdict and the one next step
//! first, then the findings grouped by file with every location linked to the
//! head commit, then what is settled (approvals, sign-offs met) folded away.
//! Everything taken from the repository or the pull request is escaped or
//! fenced in a code span; the whole stays under GitHub's size limit.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::app::{Change, FromTo, Report, Verdict};
use crate::finding::{Finding, Severity};
use crate::report::markdown::{approvals, code, counts, escape, findings_by_file, inline, link, Links};
use crate::report::plural;
use crate::signoff::{ClassHit, Outcome, Signer, SignoffResult};

/// What the comment says beyond the report itself.
#[derive(Default)]
pub struct Context<'a> {
    pub hits: &'a [ClassHit],
    pub results: &'a [SignoffResult],
    /// Who may give each sign-off (the base commit's `signoff.signers`).
    pub signers: Option<&'a BTreeMap<String, Signer>>,
    /// Links to the head commit, when the repository and head are known.
    pub links: Option<Links>,
}

/// The comment, at most `limit` bytes: the findings are shortened until it
/// fits, and the end says how many of which were left out.
pub fn comment(report: &Report, cx: &Context<'_>, limit: usize) -> String {
    let links = cx.links.as_ref();
    let open: Vec<&Finding> = report.findings.iter().filter(|f| !f.approved).collect();
    let approved: Vec<&Finding> = report.findings.iter().filter(|f| f.approved).collect();
    let head = format!(
        "{}\n### {}\n\n{}{}\n\n",
        super::MARKER,
        verdict(report),
        next_step(report, cx),
        counts(report)
    );
    let signoffs = missing_signoffs(cx);
    let changes = changes_section(&report.changes, links);
    let mut keep = (open.len(), approved.len());
    loop {
        let mut text = head.clone();
        if keep.0 > 0 {
            let _ = write!(text, "#### Findings\n\n{}", findings_by_file(&open[..keep.0], links));
        }
        text.push_str(&signoffs);
        text.push_str(&changes);
        text.push_str(&settled(&approved[..keep.1], cx));
        let left: Vec<&Finding> = open[keep.0..].iter().chain(&approved[keep.1..]).copied().collect();
        text.push_str(&left_out(&left));
        if text.len() <= limit || keep == (0, 0) {
            return truncate(text, limit);
        }
        // Approvals go first: they are settled.
        keep = if keep.1 > 0 {
            (keep.0, keep.1.saturating_sub((keep.1 / 4).max(1)))
        } else {
            (keep.0.saturating_sub((keep.0 / 4).max(1)), 0)
        };
    }
}

fn truncate(mut text: String, limit: usize) -> String {
    if text.len() > limit {
        let mut cut = limit;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text
}

fn verdict(report: &Report) -> &'static str {
    match report.verdict() {
        Verdict::Pass => "✅ shipgate: pass",
        Verdict::Blocked => "⛔ shipgate: blocked",
        Verdict::InvalidInput => "⚠️ shipgate: error",
    }
}

/// The one thing to do next, as a line ending in a blank line; empty on a pass.
/// Findings that people resolve by signing off or approving, not by changing the code.
const NEEDS_PEOPLE: [&str; 2] = ["missing-signoff", "missing-approvals"];

fn next_step(report: &Report, cx: &Context<'_>) -> String {
    let step = match report.verdict() {
        Verdict::Pass => return String::new(),
        Verdict::InvalidInput => format!(
            "fix the {} that shipgate could not read (below); nothing was passed",
            plural(report.invalid_inputs, "input")
        ),
        Verdict::Blocked => {
            let blocking = report
                .findings
                .iter()
                .filter(|f| report.blocks(f) && !NEEDS_PEOPLE.contains(&f.rule))
                .count();
            let mut missing: Vec<String> = cx
                .results
                .iter()
                .filter(|r| r.outcome == Outcome::Missing)
                .map(|r| format!("{} from {}", code(&r.label), who(cx, &r.signoff)))
                .collect();
            if report
                .findings
                .iter()
                .any(|f| f.rule == "missing-approvals" && report.blocks(f))
            {
                missing.push("an approving review of the head commit by someone other than the author".into());
            }
            let fix = format!(
                "fix the {} below (a destructive migration statement may carry {} instead)",
                plural(blocking.max(1), "blocking finding"),
                code("-- MIGRATION_APPROVED: <reason>")
            );
            let sign = format!("needs {}", missing.join(" and "));
            match (blocking, missing.is_empty()) {
                (0, false) => format!("{sign} (the label, or an approving review on the head commit)"),
                (_, true) => fix,
                _ => format!("{fix}; then it {sign}"),
            }
        }
    };
    format!("**Next step:** {step}.\n\n")
}

/// Who may give a sign-off, named without notifying anyone.
fn who(cx: &Context<'_>, signoff: &str) -> String {
    let signer = cx
        .signers
        .and_then(|s| s.get(signoff))
        .cloned()
        .unwrap_or_else(|| Signer::default_for(signoff));
    let named: Vec<String> = signer
        .teams
        .iter()
        .chain(&signer.users)
        .map(|n| escape(&format!("@{}", n.trim_start_matches('@'))))
        .collect();
    if named.is_empty() {
        format!(
            "a collaborator with {} permission",
            code(signer.min_permission.as_str())
        )
    } else {
        named.join(" or ")
    }
}

/// Missing sign-offs, each with the attempts that did not count and why.
fn missing_signoffs(cx: &Context<'_>) -> String {
    let missing: Vec<&SignoffResult> = cx.results.iter().filter(|r| r.outcome == Outcome::Missing).collect();
    if missing.is_empty() {
        return String::new();
    }
    let mut out = String::from("#### Sign-offs missing\n\n");
    for r in missing {
        let _ = writeln!(
            out,
            "- ❌ {}: missing; the label {} or an approving review, from {}",
            code(&r.signoff),
            code(&r.label),
            who(cx, &r.signoff)
        );
        out.push_str(&did_not_count(r));
    }
    out.push('\n');
    out
}

/// The labels and reviews that did not count for `r`, and why, as sub-items.
fn did_not_count(r: &SignoffResult) -> String {
    r.rejected
        .iter()
        .map(|x| {
            format!(
                "  - Did not count: {}: {}\n",
                inline(&x.evidence.describe()),
                inline(&x.why.message())
            )
        })
        .collect()
}

/// Approvals, sign-offs met and the classes of change, in one `<details>`.
fn settled(approved: &[&Finding], cx: &Context<'_>) -> String {
    let met: Vec<&SignoffResult> = cx.results.iter().filter(|r| r.outcome != Outcome::Missing).collect();
    if approved.is_empty() && met.is_empty() && cx.hits.is_empty() {
        return String::new();
    }
    let mut parts = Vec::new();
    if !approved.is_empty() {
        parts.push(plural(approved.len(), "approval"));
    }
    if !met.is_empty() {
        parts.push(format!("{} met", plural(met.len(), "sign-off")));
    }
    if !cx.hits.is_empty() {
        parts.push(match cx.hits.len() {
            1 => "1 class of change".to_string(),
            n => format!("{n} classes of change"),
        });
    }
    let mut out = format!("<details><summary>{}</summary>\n\n", parts.join(", "));
    if !approved.is_empty() {
        let _ = writeln!(out, "#### Approvals\n\n{}", approvals(approved, cx.links.as_ref()));
    }
    if !met.is_empty() {
        out.push_str("#### Sign-offs met\n\n");
        for r in met {
            if let Outcome::Met { by } = &r.outcome {
                let _ = writeln!(out, "- ✅ {} met by {}", code(&r.signoff), inline(&by.describe()));
            }
            if let Some(c) = &r.caveat {
                let _ = writeln!(out, "  - Caveat: {}", inline(c));
            }
            out.push_str(&did_not_count(r));
        }
        out.push('\n');
    }
    if !cx.hits.is_empty() {
        out.push_str("#### Changes that need sign-offs\n\n");
        for h in cx.hits {
            let need = if h.required.is_empty() {
                "none".to_string()
            } else {
                h.required.iter().map(|s| code(s)).collect::<Vec<_>>().join(", ")
            };
            let _ = writeln!(out, "- {}: {}; sign-offs: {need}", code(&h.class), inline(&h.reason));
        }
        out.push('\n');
    }
    out.push_str("</details>\n\n");
    out
}

/// What the shortening left out, by severity, or nothing.
fn left_out(left: &[&Finding]) -> String {
    if left.is_empty() {
        return String::new();
    }
    let mut by: Vec<String> = [Severity::Error, Severity::Warning, Severity::Note]
        .into_iter()
        .map(|s| (s, left.iter().filter(|f| !f.approved && f.severity == s).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| plural(n, s.as_str()))
        .collect();
    let approved = left.iter().filter(|f| f.approved).count();
    if approved > 0 {
        by.push(plural(approved, "approval"));
    }
    let mut files: Vec<&str> = left.iter().filter_map(|f| f.file.as_deref()).collect();
    files.sort_unstable();
    files.dedup();
    format!(
        "{} findings left out; the JSON report has every finding. Left out: {}, in {}.\n",
        left.len(),
        by.join(", "),
        plural(files.len(), "file")
    )
}

/// The flags and rollout phases the change touches, one row per change record.
pub fn changes_section(changes: &[Change], links: Option<&Links>) -> String {
    if changes.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "#### Flags and phases changed\n\n| Change | Flag or feature | What | Where |\n|---|---|---|---|\n",
    );
    let none = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".to_string());
    let from_to = |fields: &[(String, FromTo)]| {
        fields
            .iter()
            .map(|(k, v)| format!("{k}: {} → {}", none(&v.from), none(&v.to)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let columns = |fields: &[(String, String)]| {
        fields
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    for c in changes {
        let (subject, what) = match c {
            Change::FlagAdded { flag, fields, .. } | Change::FlagRemoved { flag, fields, .. } => {
                (flag.clone(), columns(fields))
            }
            Change::FlagChanged { flag, fields, .. } => (flag.clone(), from_to(fields)),
            Change::FlagEnvChanged { flag, fields, .. } => {
                (flag.clone(), from_to(&[("value".to_string(), fields.value.clone())]))
            }
            Change::PhaseAdvance(p) | Change::PhaseRollback(p) => (
                p.feature.clone().unwrap_or_else(|| "none".to_string()),
                format!("{} → {}", none(&p.from), p.to),
            ),
        };
        let (file, line) = c.place();
        let place = match line {
            Some(l) => format!("{}:{l}", escape(file)),
            None => escape(file),
        };
        let place = if file.is_empty() {
            place
        } else {
            link(&place, links, file, line)
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {place} |",
            escape(c.kind()),
            escape(&subject),
            escape(&what),
        );
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signoff::evaluate::{Evidence, Rejected, Rejection};

    const MAX: usize = super::super::ci::MAX_COMMENT;

    fn result(user: &str) -> SignoffResult {
        SignoffResult {
            signoff: "system-owner".into(),
            label: "signoff:system-owner".into(),
            classes: vec!["schema-destructive".into()],
            outcome: Outcome::Missing,
            rejected: vec![Rejected {
                evidence: Evidence::Label {
                    label: "signoff:system-owner".into(),
                    user: user.into(),
                    at: "2026-01-01T00:00:00Z".into(),
                },
                why: Rejection::SelfSignoff,
            }],
            caveat: None,
        }
    }

    #[test]
    fn the_comment_escapes_what_comes_from_the_pull_request() {
        let report = Report::default();
        let results = [result("@admin <img src=x>|`x`")];
        let text = comment(
            &report,
            &Context {
                results: &results,
                ..Default::default()
            },
            MAX,
        );
        assert!(text.starts_with(crate::github::MARKER));
        assert!(!text.contains("<img"), "{text}");
        assert!(!text.contains("@admin"), "{text}");
        assert!(text.contains("cannot sign off their own change"), "{text}");
    }

    #[test]
    fn the_next_step_names_the_signers_team_without_pinging_it() {
        let meta = crate::registry::find("missing-signoff").expect("rule");
        let report = Report {
            findings: vec![Finding::new(meta, "missing".to_string())],
            ..Default::default()
        };
        let signer = Signer {
            teams: vec!["acme/platform-owners".into()],
            ..Signer::default_for("system-owner")
        };
        let signers = BTreeMap::from([("system-owner".to_string(), signer)]);
        let results = [result("alice")];
        let cx = Context {
            results: &results,
            signers: Some(&signers),
            ..Default::default()
        };
        let text = comment(&report, &cx, MAX);
        assert!(
            text.contains("**Next step:** needs `signoff:system-owner` from @\u{200b}acme/platform-owners"),
            "{text}"
        );
        let verdict = text.find("shipgate: blocked").unwrap();
        assert!(verdict < text.find("Next step").unwrap(), "{text}");
    }

    #[test]
    fn the_comment_lists_flags_and_phases_changed_escaped() {
        let report = Report {
            changes: vec![
                Change::PhaseAdvance(crate::app::PhaseChange {
                    feature: Some("checkout".into()),
                    file: "rollouts/checkout.yml".into(),
                    line: 3,
                    from: Some("canary".into()),
                    to: "ga".into(),
                    approvers: vec![],
                    is_final: false,
                }),
                Change::FlagChanged {
                    flag: "new_<b>checkout</b>".into(),
                    file: "docs/flags.md".into(),
                    line: 9,
                    fields: vec![(
                        "default".into(),
                        FromTo {
                            from: Some("off".into()),
                            to: Some("on".into()),
                        },
                    )],
                },
            ],
            ..Default::default()
        };
        let text = comment(&report, &Context::default(), MAX);
        assert!(text.contains("#### Flags and phases changed"), "{text}");
        assert!(
            text.contains("| phase-advance | checkout | canary → ga | rollouts/checkout.yml:3 |"),
            "{text}"
        );
        assert!(text.contains("default: off → on"), "{text}");
        assert!(!text.contains("<b>"), "{text}");
    }

    #[test]
    fn the_comment_stays_under_the_limit_and_says_what_it_left_out() {
        let meta = crate::registry::find("missing-signoff").expect("rule");
        let mut report = Report::default();
        for i in 0..5000 {
            report
                .findings
                .push(Finding::new(meta, format!("finding number {i} {}", "x".repeat(40))));
        }
        let text = comment(&report, &Context::default(), MAX);
        assert!(text.len() <= MAX, "{}", text.len());
        assert!(text.contains("findings left out"), "{}", &text[text.len() - 200..]);
        assert!(text.contains("Left out: "), "{}", &text[text.len() - 200..]);
        assert!(text.contains("shipgate: blocked"));
    }
}
