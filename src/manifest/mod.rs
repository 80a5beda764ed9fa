//! Rollout manifests: discovery, YAML with positions, JSON Schema and the
//! model the rollout rules judge. (Skeleton: filled in by the rollout work.)

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::app::{AppError, Report};
use crate::config::Config;
use crate::flags::{FlagRef, FlagRegistry};

/// `rollouts:` in shipgate.yml.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct RolloutsConfig {}

/// The rollout gate. Returns the flag references found in manifests, for the flag gate.
pub fn run(
    _root: &Path,
    _config: &Config,
    _base: Option<&str>,
    _registry: Option<&FlagRegistry>,
    _report: &mut Report,
) -> Result<Vec<FlagRef>, AppError> {
    Ok(Vec::new())
}
