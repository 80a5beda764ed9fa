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
        }
    }
}
