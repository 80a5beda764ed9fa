//! What one run found, for every reporter: the findings, the statistics and
//! the verdict. The exit status is decided here and nowhere else.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::{Config, Level};
use crate::exit::ExitStatus;
use crate::finding::{Finding, Severity};

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Stats {
    pub migration_files: usize,
    pub statements: usize,
    pub unparsed_statements: usize,
    /// Statements the recogniser read without sqlparser: DDL it knows, and
    /// statements sqlparser rejects.
    pub recognised_statements: usize,
    pub manifests: usize,
    pub flags: usize,
    /// The contract gate: files of code it read, and commits whose files
    /// its history search read (left out when none).
    #[serde(skip_serializing_if = "is_zero")]
    pub contract_files: usize,
    #[serde(skip_serializing_if = "is_zero")]
    pub contract_commits: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Blocked,
    /// An input could not be read as what it claims to be; `"error"` in the
    /// JSON report (`docs/contract.md`).
    #[serde(rename = "error")]
    InvalidInput,
}

/// One thing a change does to a flag or a rollout phase (`--base`): the
/// `changes` of the JSON report (`docs/contract.md`), the sign-off classes
/// and the PR comment's table. Serialised with `kind` first, then the keys
/// in the order declared here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Change {
    /// A registry row that the base did not have: its columns.
    FlagAdded {
        flag: String,
        file: String,
        line: usize,
        #[serde(serialize_with = "as_map")]
        fields: Vec<(String, String)>,
    },
    /// A registry row whose columns changed: each changed column.
    FlagChanged {
        flag: String,
        file: String,
        line: usize,
        #[serde(serialize_with = "as_map")]
        fields: Vec<(String, FromTo)>,
    },
    /// A registry row that the base had and the change removes: its old columns.
    FlagRemoved {
        flag: String,
        file: String,
        #[serde(serialize_with = "as_map")]
        fields: Vec<(String, String)>,
    },
    /// A `FEATURE_X=` value that a production environment file changes.
    FlagEnvChanged {
        flag: String,
        variable: String,
        file: String,
        line: usize,
        fields: EnvFields,
    },
    /// `current_phase` moved forward (or was set for the first time).
    PhaseAdvance(PhaseChange),
    /// `current_phase` moved back.
    PhaseRollback(PhaseChange),
}

/// A value before and after a change; `None` when absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FromTo {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The `fields` of a `flag-env-changed` record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvFields {
    pub value: FromTo,
}

/// A rollout manifest's `current_phase` moving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseChange {
    pub feature: Option<String>,
    pub file: String,
    pub line: usize,
    pub from: Option<String>,
    pub to: String,
    /// The sign-offs the phases entered need (none for a rollback).
    pub approvers: Vec<String>,
    /// Into the last phase: general availability.
    #[serde(rename = "final")]
    pub is_final: bool,
}

impl Change {
    /// The record's `kind`, as the JSON report writes it.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::FlagAdded { .. } => "flag-added",
            Change::FlagChanged { .. } => "flag-changed",
            Change::FlagRemoved { .. } => "flag-removed",
            Change::FlagEnvChanged { .. } => "flag-env-changed",
            Change::PhaseAdvance(_) => "phase-advance",
            Change::PhaseRollback(_) => "phase-rollback",
        }
    }

    /// The flag a flag record is about.
    pub fn flag(&self) -> Option<&str> {
        match self {
            Change::FlagAdded { flag, .. }
            | Change::FlagChanged { flag, .. }
            | Change::FlagRemoved { flag, .. }
            | Change::FlagEnvChanged { flag, .. } => Some(flag),
            Change::PhaseAdvance(_) | Change::PhaseRollback(_) => None,
        }
    }

    /// The file the change is in, and its line when known.
    pub fn place(&self) -> (&str, Option<usize>) {
        match self {
            Change::FlagAdded { file, line, .. }
            | Change::FlagChanged { file, line, .. }
            | Change::FlagEnvChanged { file, line, .. } => (file, Some(*line)),
            Change::FlagRemoved { file, .. } => (file, None),
            Change::PhaseAdvance(p) | Change::PhaseRollback(p) => (&p.file, Some(p.line)),
        }
    }
}

/// `[(key, value)]` as a JSON object, in order.
fn as_map<S: serde::Serializer, T: Serialize>(pairs: &[(String, T)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

/// Everything one run found, for every reporter.
#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub stats: Stats,
    /// File contents by report path, for snippets.
    pub sources: BTreeMap<String, String>,
    /// Change records (`--base`): flags and phases changed, for the PR summary.
    pub changes: Vec<Change>,
    /// Inputs that could not be read as what they claim to be (a migration or
    /// rollout manifest that is binary, not UTF-8 or too large; a manifest that
    /// is not YAML). Each has its
    /// finding; the verdict is `InvalidInput` (`"error"` in JSON).
    pub invalid_inputs: usize,
    /// `--fail-on warning`: unapproved warnings block too.
    pub fail_on_warnings: bool,
}

impl Report {
    /// True when `f` blocks the gate: unapproved, at or above the `--fail-on` level.
    pub fn blocks(&self, f: &Finding) -> bool {
        let blocking = if self.fail_on_warnings {
            Severity::Warning
        } else {
            Severity::Error
        };
        f.severity >= blocking && !f.approved
    }

    pub fn verdict(&self) -> Verdict {
        if self.invalid_inputs > 0 {
            Verdict::InvalidInput
        } else if self.findings.iter().any(|f| self.blocks(f)) {
            Verdict::Blocked
        } else {
            Verdict::Pass
        }
    }

    /// How the run ends: pass, blocked or invalid input.
    pub fn exit_status(&self) -> ExitStatus {
        match self.verdict() {
            Verdict::Pass => ExitStatus::Pass,
            Verdict::Blocked => ExitStatus::Blocked,
            Verdict::InvalidInput => ExitStatus::InvalidInput,
        }
    }

    pub fn count(&self, sev: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == sev && !f.approved)
            .count()
    }

    pub fn approved(&self) -> usize {
        self.findings.iter().filter(|f| f.approved).count()
    }

    /// Applies severity overrides and sorts; called once, before reporting.
    pub fn finish(&mut self, config: &Config) {
        let mut raised = false;
        self.findings.retain_mut(|f| {
            let severity = match config.rules.get(f.rule) {
                Some(Level::Off) => return false,
                Some(Level::Error) => Severity::Error,
                Some(Level::Warning) => Severity::Warning,
                Some(Level::Note) => Severity::Note,
                None => return true,
            };
            if severity > f.severity {
                f.related.extend(raised_here(config, f.rule, severity));
                raised = true;
            }
            f.severity = severity;
            true
        });
        let lines = &config.rule_lines;
        if raised && !lines.path.is_empty() {
            self.sources
                .entry(lines.path.clone())
                .or_insert_with(|| lines.src.clone());
        }
        self.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
}

/// The `rules:` line of the configuration that raised a finding to `severity`.
fn raised_here(config: &Config, id: &str, severity: Severity) -> Option<crate::finding::Related> {
    let lines = &config.rule_lines;
    let span = lines.at.get(id).filter(|_| !lines.path.is_empty())?;
    Some(crate::finding::Related {
        file: Some(lines.path.clone()),
        location: crate::finding::Location::in_text(&lines.src, span),
        span: Some(span.clone()),
        label: format!("raised to {} here", severity.as_str()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `rules:` line that raises a finding is a labelled place of it; one
    /// that lowers it is not, and neither is one of configuration parsed
    /// from text (no file to point at).
    #[test]
    fn a_raised_severity_points_at_its_rules_line() {
        let mut config = crate::config::parse("rules:\n  unused-approval: error\n  ban-drop-column: note\n").unwrap();
        let finish = |config: &Config| {
            let mut r = Report::default();
            for id in ["unused-approval", "ban-drop-column"] {
                let meta = crate::rules::ALL_META.iter().find(|m| m.id == id).unwrap();
                r.findings.push(Finding::new(meta, "m"));
            }
            r.finish(config);
            r
        };
        assert!(finish(&config).findings.iter().all(|f| f.related.is_empty()));
        config.rule_lines.path = "shipgate.yml".into();
        let r = finish(&config);
        let raised = r.findings.iter().find(|f| f.rule == "unused-approval").unwrap();
        assert_eq!(raised.severity, Severity::Error);
        let at = &raised.related[0];
        assert_eq!(
            (at.location.line, at.location.column, at.label.as_str()),
            (2, 3, "raised to error here")
        );
        let lowered = r.findings.iter().find(|f| f.rule == "ban-drop-column").unwrap();
        assert!(lowered.related.is_empty());
        assert!(r.sources.contains_key("shipgate.yml"));
    }

    #[test]
    fn a_change_serialises_with_its_kind_first_and_keys_in_order() {
        let from_to = |a: &str, b: &str| FromTo {
            from: Some(a.into()),
            to: Some(b.into()),
        };
        let changes = [
            Change::FlagChanged {
                flag: "f".into(),
                file: "docs/flags.md".into(),
                line: 9,
                fields: vec![("default".into(), from_to("off", "on"))],
            },
            Change::FlagRemoved {
                flag: "g".into(),
                file: "docs/flags.md".into(),
                fields: vec![("owner".into(), "@a".into())],
            },
            Change::FlagEnvChanged {
                flag: "f".into(),
                variable: "FEATURE_F".into(),
                file: ".env.production".into(),
                line: 2,
                fields: EnvFields {
                    value: FromTo {
                        from: None,
                        to: Some("true".into()),
                    },
                },
            },
            Change::PhaseRollback(PhaseChange {
                feature: None,
                file: "rollouts/a.yml".into(),
                line: 3,
                from: Some("ga".into()),
                to: "canary".into(),
                approvers: vec![],
                is_final: false,
            }),
        ];
        let text: Vec<String> = changes.iter().map(|c| serde_json::to_string(c).unwrap()).collect();
        assert_eq!(
            text,
            [
                r#"{"kind":"flag-changed","flag":"f","file":"docs/flags.md","line":9,"fields":{"default":{"from":"off","to":"on"}}}"#,
                r#"{"kind":"flag-removed","flag":"g","file":"docs/flags.md","fields":{"owner":"@a"}}"#,
                r#"{"kind":"flag-env-changed","flag":"f","variable":"FEATURE_F","file":".env.production","line":2,"fields":{"value":{"from":null,"to":"true"}}}"#,
                r#"{"kind":"phase-rollback","feature":null,"file":"rollouts/a.yml","line":3,"from":"ga","to":"canary","approvers":[],"final":false}"#,
            ]
        );
        for c in &changes {
            assert_eq!(serde_json::to_value(c).unwrap()["kind"], c.kind());
        }
    }
}
