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
    /// Statements sqlparser rejected and the recogniser understood.
    pub recognised_statements: usize,
    pub manifests: usize,
    pub flags: usize,
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

/// Everything one run found, for every reporter.
#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub stats: Stats,
    /// File contents by report path, for snippets.
    pub sources: BTreeMap<String, String>,
    /// Change records (`--base`): flags and phases changed, for the PR summary.
    pub changes: Vec<serde_json::Value>,
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
        self.findings.retain_mut(|f| match config.rules.get(f.rule) {
            Some(Level::Off) => false,
            Some(Level::Error) => {
                f.severity = Severity::Error;
                true
            }
            Some(Level::Warning) => {
                f.severity = Severity::Warning;
                true
            }
            Some(Level::Note) => {
                f.severity = Severity::Note;
                true
            }
            None => true,
        });
        self.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
}
