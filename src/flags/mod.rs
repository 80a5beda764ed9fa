//! The flag registry (`docs/flags.md`) and flag references in code,
//! manifests and migrations. (Skeleton: filled in by the flag-registry work.)

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::app::{AppError, Facts, Report};
use crate::config::Config;

/// `flags:` in shipgate.yml.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct FlagsConfig {}

/// One documented flag: a row of the registry table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagEntry {
    pub name: String,
    /// 1-based line of the row in the registry file.
    pub line: usize,
}

#[derive(Debug, Clone, Default)]
pub struct FlagRegistry {
    /// Registry path relative to the repository root.
    pub path: String,
    pub entries: Vec<FlagEntry>,
}

impl FlagRegistry {
    pub fn get(&self, name: &str) -> Option<&FlagEntry> {
        self.entries.iter().find(|e| e.name == name)
    }
}

/// Where a flag is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagRef {
    pub flag: String,
    /// Path relative to the repository root.
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_column: usize,
}

/// Loads the registry; `Ok(None)` when the repository has none.
pub fn load_registry(_root: &Path, _config: &Config, _report: &mut Report) -> Result<Option<FlagRegistry>, AppError> {
    Ok(None)
}

/// The flag gate: references from code, manifests (`manifest_refs`) and migrations (`facts`).
pub fn run(
    _root: &Path,
    _config: &Config,
    _base: Option<&str>,
    _registry: Option<&FlagRegistry>,
    _manifest_refs: &[FlagRef],
    _facts: &Facts,
    _report: &mut Report,
) -> Result<(), AppError> {
    Ok(())
}
