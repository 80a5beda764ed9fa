//! `flags:` in shipgate.yml (read by the flag registry and the flag gate),
//! with the reference patterns it may add.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The registry's path when `flags.registry` is not set.
pub const DEFAULT_REGISTRY: &str = "docs/flags.md";

/// `flags:` in shipgate.yml.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct FlagsConfig {
    /// The flag registry, relative to the repository root (default
    /// `docs/flags.md`). A registry named here must exist; without this key a
    /// repository with no `docs/flags.md` has no flag gate.
    #[serde(default)]
    pub registry: Option<String>,
    /// Search code with the built-in reference patterns (common flag SDK calls
    /// and `FEATURE_X` environment variables, listed in docs/flag-registry.md) as well
    /// as with `references`.
    #[serde(default = "yes")]
    pub default_references: bool,
    /// More patterns that find flag references in code: each a regex with one
    /// capture group (the flag name) and optional path globs.
    #[serde(default, deserialize_with = "crate::config::null_as_default")]
    pub references: Vec<ReferencePattern>,
    /// Globs of files and directories never searched for references, besides
    /// what `.gitignore` hides. A glob without `/` matches a name in any directory.
    #[serde(default = "default_exclude", deserialize_with = "null_as_exclude")]
    pub exclude: Vec<String>,
    /// A regex every documented flag name must match in full, e.g. `[a-z][a-z0-9_]*`.
    #[serde(default)]
    pub naming: Option<String>,
    /// Warn this many days before a referenced flag's `Remove by` date.
    #[serde(default = "default_warn_days")]
    pub warn_days: u32,
    /// The table flags are stored in (e.g. `feature_flags` or `app.flags`): every
    /// documented flag must be inserted by a migration, with the registry's default.
    #[serde(default)]
    pub table: Option<String>,
    /// The column of `table` holding the flag's name (default: the first of
    /// `key`, `name`, `flag`, `flag_key`, `flag_name`, `slug` that the INSERT lists).
    #[serde(default)]
    pub key_column: Option<String>,
    /// The column of `table` holding the flag's default (default: the first of
    /// `enabled`, `default`, `default_value`, `is_enabled`, `value`, `active`,
    /// `on`, `state` that the INSERT lists).
    #[serde(default)]
    pub default_column: Option<String>,
    /// Environment files (globs, as in `.gitignore`) whose `FEATURE_X=` values
    /// deploy flag state: a changed value there is a `flag-change`.
    #[serde(default = "default_env_files", deserialize_with = "null_as_exclude")]
    #[schemars(default = "default_env_files")]
    pub env_files: Vec<String>,
    /// Release tags (a glob, as `git describe --match` reads it): the newest
    /// one reachable from HEAD is the latest release, whose code must already
    /// read a `ga_*` flag when a change removes the last reference to its
    /// `beta_*` flag (`beta-cutover-without-dual-read`).
    #[serde(default = "default_release_tags")]
    pub release_tags: String,
}

fn default_release_tags() -> String {
    "v*".into()
}

fn default_env_files() -> Vec<String> {
    vec![".env.production".into(), "**/*.production.env".into()]
}

fn yes() -> bool {
    true
}

fn default_warn_days() -> u32 {
    14
}

fn default_exclude() -> Vec<String> {
    vec!["node_modules".into(), "vendor".into()]
}

fn null_as_exclude<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

impl Default for FlagsConfig {
    fn default() -> Self {
        FlagsConfig {
            registry: None,
            default_references: true,
            references: Vec::new(),
            exclude: default_exclude(),
            naming: None,
            warn_days: default_warn_days(),
            table: None,
            key_column: None,
            default_column: None,
            env_files: default_env_files(),
            release_tags: default_release_tags(),
        }
    }
}

impl FlagsConfig {
    /// The registry path relative to the root, and whether it was configured.
    pub fn registry_path(&self) -> (String, bool) {
        match &self.registry {
            Some(p) => (normalize_rel(p), true),
            None => (DEFAULT_REGISTRY.to_string(), false),
        }
    }
}

fn normalize_rel(p: &str) -> String {
    let p = p.trim().replace('\\', "/");
    let p = p.trim_start_matches("./");
    p.trim_start_matches('/').to_string()
}
/// What the capture group of a reference pattern holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Capture {
    /// The flag's name, exactly as the registry writes it.
    #[default]
    Flag,
    /// The rest of a `FEATURE_` environment variable: `FEATURE_NEW_CHECKOUT`
    /// (captured `NEW_CHECKOUT`) refers to the flag `new_checkout` or
    /// `feature_new_checkout` (case-insensitive; `-`, `.` and `_` are the same).
    EnvVar,
}

/// One way code refers to a flag.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct ReferencePattern {
    /// A regular expression (Rust `regex` syntax, matched in ASCII mode: `\w`,
    /// `\b` and `\s` are ASCII; `\s` crosses lines) with exactly one capture
    /// group: the flag's name.
    pub pattern: String,
    /// Globs of the files it applies to (default: every file). A glob without
    /// `/` matches the file name in any directory (`*.ts`); one with `/`
    /// matches the path from the repository root (`src/**/*.ts`).
    #[serde(default)]
    pub paths: Vec<String>,
    /// What the capture holds: `flag` (the flag's name) or `env_var` (the rest
    /// of a `FEATURE_` environment variable).
    #[serde(default)]
    pub capture: Capture,
}
