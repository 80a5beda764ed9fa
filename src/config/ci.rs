//! `ci:` in shipgate.yml (read by `shipgate ci`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The `ci` section of `shipgate.yml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct CiConfig {
    /// Branches (glob patterns) whose pushes run the release-branch check.
    #[serde(default = "release_branches")]
    pub release_branches: Vec<String>,
    /// Post (or edit) the PR summary comment.
    #[serde(default = "yes")]
    pub comment: bool,
    /// No launch while issues with these labels are open (rule `open-blocking-issues`).
    #[serde(default)]
    pub blocking_issues: BlockingIssues,
}

fn release_branches() -> Vec<String> {
    vec!["release/*".into()]
}

fn yes() -> bool {
    true
}

impl Default for CiConfig {
    fn default() -> Self {
        CiConfig {
            release_branches: release_branches(),
            comment: true,
            blocking_issues: BlockingIssues::default(),
        }
    }
}

/// When open blocking issues are looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum BlockingOn {
    /// A pull request that advances a rollout into its final phase (GA).
    PhaseAdvanceFinal,
    /// A pull request that advances a rollout into any phase.
    PhaseAdvance,
    /// Every pull request.
    AnyChange,
    /// A push to a release branch (`ci.release_branches`).
    ReleaseBranch,
}

/// `ci.blocking_issues`: no launch while issues with these labels are open.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct BlockingIssues {
    /// Labels of blocking issues (compared as GitHub compares them, without case).
    #[serde(default = "default_labels")]
    pub labels: Vec<String>,
    /// When to look: `phase-advance-final`, `phase-advance`, `any-change`, `release-branch`.
    #[serde(default = "default_on")]
    pub on: Vec<BlockingOn>,
}

fn default_labels() -> Vec<String> {
    ["P0", "P1", "SEV-1", "SEV-2"].map(String::from).to_vec()
}

fn default_on() -> Vec<BlockingOn> {
    vec![BlockingOn::PhaseAdvanceFinal, BlockingOn::ReleaseBranch]
}

impl Default for BlockingIssues {
    fn default() -> Self {
        BlockingIssues {
            labels: default_labels(),
            on: default_on(),
        }
    }
}
