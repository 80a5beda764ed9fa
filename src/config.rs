//! `shipgate.yml`: typed, documented, strict. Every mistake in it is a
//! diagnostic at its line and column, and exit code 2.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::yaml::{self, Pos};

pub mod ci;
pub mod dryrun;
pub mod flags;
pub mod rollback;
pub mod rollouts;
pub mod signoff;

pub mod contract;

/// shipgate configuration (`shipgate.yml` at the repository root).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct Config {
    /// Configuration format version. Only `1` exists.
    #[serde(default = "one")]
    pub version: u32,
    /// Severity overrides by rule id: `error`, `warning`, `note` or `off`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub rules: BTreeMap<String, Level>,
    /// Where migrations are and how they run.
    #[serde(default, deserialize_with = "null_as_default")]
    pub migrations: MigrationsConfig,
    /// Rollout manifests.
    #[serde(default, deserialize_with = "null_as_default")]
    pub rollouts: rollouts::RolloutsConfig,
    /// The flag registry and flag references.
    #[serde(default, deserialize_with = "null_as_default")]
    pub flags: flags::FlagsConfig,
    /// Sign-offs that `shipgate ci` requires, by class of change, and who may give them.
    #[serde(default, deserialize_with = "null_as_default")]
    pub signoff: signoff::SignoffConfig,
    /// `shipgate ci` in GitHub Actions.
    #[serde(default, deserialize_with = "null_as_default")]
    pub ci: ci::CiConfig,
    /// `shipgate dry-run`: validation queries.
    #[serde(default, deserialize_with = "null_as_default")]
    pub dry_run: dryrun::DryRunConfig,
    /// Where the `rules:` overrides are written (not configuration: filled in
    /// by `parse` and `load`).
    #[serde(skip)]
    pub rule_lines: RuleLines,
}

/// A section whose keys are all commented out (`rules:`) is empty, not an error.
pub fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

fn one() -> u32 {
    1
}

/// A severity, or `off` to disable a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Note,
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SqlDialect {
    #[default]
    Postgres,
    Mysql,
    Sqlite,
}

/// How migration files run, when a framework does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TransactionMode {
    /// Follow the framework: sqlx, Diesel, dbmate and goose wrap each file in a transaction; Prisma, golang-migrate and Supabase send it as one batch that PostgreSQL runs as one implicit transaction; Flyway wraps it unless every statement must run outside one; plain folders run statement by statement.
    #[default]
    Auto,
    /// Every file runs inside one transaction.
    Always,
    /// No file is wrapped; only explicit BEGIN/COMMIT count.
    Never,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct MigrationsConfig {
    /// SQL dialect for parsing.
    #[serde(default)]
    pub dialect: SqlDialect,
    /// Extra glob patterns (relative to the repository root) of migration files,
    /// in addition to the layouts found without configuration.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Glob patterns of files that are never treated as migrations.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Turn off zero-config discovery of framework layouts; only `paths` count.
    #[serde(default = "yes")]
    pub discover: bool,
    /// Grandfather migrations whose version (the leading number or timestamp of the
    /// file or folder name) sorts before this one: they are replayed, never linted.
    #[serde(default)]
    pub since: Option<String>,
    /// Whether files run inside a transaction.
    #[serde(default)]
    pub transaction: TransactionMode,
    /// The deploy tool sets `lock_timeout` itself, so migrations need not.
    #[serde(default)]
    pub assume_lock_timeout: bool,
    /// Rollbacks: which migrations need one, and where reverse scripts live.
    #[serde(default, deserialize_with = "null_as_default")]
    pub rollback: rollback::RollbackConfig,

    /// `contract-too-soon`: how long before the head commit the code must
    /// have stopped using what a migration drops or renames (`14d`, `36h`,
    /// `2w`; `0` turns the rule off).
    #[serde(default = "contract::two_weeks")]
    pub contract_min_age: contract::Age,
    /// Glob patterns (relative to the repository root) of files that the
    /// contract rules never read as code, besides migrations, docs,
    /// changelogs, generated, vendored and git-ignored files.
    #[serde(default)]
    pub contract_ignore: Vec<String>,
}

fn yes() -> bool {
    true
}

impl Default for MigrationsConfig {
    fn default() -> Self {
        MigrationsConfig {
            dialect: SqlDialect::Postgres,
            paths: Vec::new(),
            exclude: Vec::new(),
            discover: true,
            since: None,
            transaction: TransactionMode::Auto,
            assume_lock_timeout: false,
            rollback: rollback::RollbackConfig::default(),

            contract_min_age: contract::Age::TWO_WEEKS,
            contract_ignore: Vec::new(),
        }
    }
}

/// A configuration mistake, at its place in the file.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
    pub pos: Option<Pos>,
    pub src: Option<String>,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.pos {
            Some(p) => write!(f, "{}:{}:{}: {}", self.path.display(), p.line, p.column, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The configuration file of a repository: `shipgate.yml`, then `.shipgate.yml`.
pub fn find(root: &Path) -> Option<PathBuf> {
    ["shipgate.yml", ".shipgate.yml", "shipgate.yaml", ".shipgate.yaml"]
        .iter()
        .map(|n| root.join(n))
        .find(|p| p.is_file())
}

/// Loads and validates a configuration file.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let err = |message: String, pos: Option<Pos>, src: Option<String>| ConfigError {
        path: path.to_path_buf(),
        message,
        pos,
        src,
    };
    let _reading = crate::reading::file(&path.to_string_lossy());
    let bytes = std::fs::read(path).map_err(|e| err(format!("cannot read the configuration: {e}"), None, None))?;
    let src = String::from_utf8(bytes).map_err(|_| err("the configuration is not valid UTF-8".into(), None, None))?;
    let mut config = parse(&src).map_err(|(message, pos)| err(message, pos, Some(src.clone())))?;
    config.rule_lines.path = path.to_string_lossy().into_owned();
    Ok(config)
}

/// Parses configuration text; errors carry a position when one is known.
pub fn parse(src: &str) -> Result<Config, (String, Option<Pos>)> {
    let doc = yaml::parse(src).map_err(|e| (format!("invalid YAML: {}", e.message), Some(e.pos)))?;
    let value = if doc.value.is_null() {
        serde_json::json!({})
    } else {
        doc.value.clone()
    };
    let mut config: Config = serde_path_to_error::deserialize(value).map_err(|e| {
        let ptr: String = e
            .path()
            .iter()
            .map(|seg| format!("/{}", yaml::escape_pointer(&seg.to_string())))
            .collect();
        let inner = e.inner().to_string();
        // For an unknown field, point at the key itself.
        let pos = match inner.split('`').nth(1) {
            Some(field) if inner.starts_with("unknown field") => {
                let field_ptr = if ptr.ends_with(&format!("/{}", yaml::escape_pointer(field))) {
                    ptr.clone()
                } else {
                    format!("{ptr}/{}", yaml::escape_pointer(field))
                };
                doc.keys.get(&field_ptr).copied().unwrap_or_else(|| doc.locate(&ptr))
            }
            _ => doc.locate_key(&ptr),
        };
        let at = if ptr.is_empty() {
            String::new()
        } else {
            format!("`{}`: ", ptr.trim_start_matches('/').replace('/', "."))
        };
        (format!("{at}{inner}"), Some(pos))
    })?;
    if config.version != 1 {
        return Err((
            format!("unsupported configuration version {}; only 1 exists", config.version),
            Some(doc.locate("/version")),
        ));
    }
    let unknown = [
        ("require", config.signoff.unknown_classes(), ""),
        (
            "min_approvals",
            config.signoff.unknown_approval_classes(),
            "`any-change` or ",
        ),
    ];
    for (key, classes, also) in unknown {
        if let Some(class) = classes.first() {
            let pos = doc
                .keys
                .get(&format!("/signoff/{key}/{}", yaml::escape_pointer(class)))
                .copied();
            return Err((
                format!(
                    "unknown class of change `{class}` in `signoff.{key}` ({also}one of {})",
                    signoff::CLASSES.join(", ")
                ),
                pos,
            ));
        }
    }
    if let Some((class, name)) = config.signoff.undeclared_signoffs().first() {
        let known = config.signoff.known_signoffs();
        let hint = match crate::suggest::closest(name, &known) {
            Some(s) => format!("did you mean `{s}`? "),
            None => String::new(),
        };
        let index = config.signoff.require[class]
            .iter()
            .position(|n| n == name)
            .unwrap_or(0);
        let at = format!("/signoff/require/{}/{index}", yaml::escape_pointer(class));
        return Err((
            format!(
                "unknown sign-off `{name}` in `signoff.require.{class}`: {hint}a sign-off is one of {} or is declared under `signoff.signers`",
                known.join(", ")
            ),
            Some(doc.locate(&at)),
        ));
    }
    if let Some(glob) = signoff::invalid_globs(&config.signoff).first() {
        return Err((
            format!("invalid glob pattern `{glob}` in `signoff`"),
            Some(doc.locate("/signoff")),
        ));
    }
    for id in config.rules.keys() {
        if !crate::rule::is_known(id) {
            let pos = doc.keys.get(&format!("/rules/{}", yaml::escape_pointer(id))).copied();
            let hint = match crate::suggest::closest(id, crate::rule::IDS) {
                Some(s) => format!("; did you mean `{s}`?"),
                None => String::new(),
            };
            return Err((
                format!("unknown rule `{id}`{hint} (`shipgate rules` lists every rule)"),
                pos,
            ));
        }
    }
    config.rule_lines = RuleLines::of(src, &doc, &config);
    Ok(config)
}

/// The JSON Schema of the configuration, as checked into `schemas/config.schema.json`.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Config);
    serde_json::to_value(schema).expect("schema serialises")
}

/// Loads `path`, the configuration [`find`] found in the repository at
/// `root`, naming it relative to `root` (like every other path in a report)
/// where a finding points at one of its lines.
pub fn load_found(root: &Path, path: &Path) -> Result<Config, ConfigError> {
    let mut config = load(path)?;
    if let Ok(rel) = path.strip_prefix(root) {
        config.rule_lines.path = rel.to_string_lossy().into_owned();
    }
    Ok(config)
}

/// Where each `rules:` override is written in the configuration file, so
/// that a finding whose severity one raised can point at it.
#[derive(Debug, Clone, Default)]
pub struct RuleLines {
    /// The file as shown to users (relative to the repository root when
    /// shipgate found it there); empty for configuration parsed from text.
    pub path: String,
    pub src: String,
    /// Rule id → byte range of its entry, from the key to the end of its line.
    pub at: BTreeMap<String, std::ops::Range<usize>>,
}

impl RuleLines {
    fn of(src: &str, doc: &yaml::YamlDoc, config: &Config) -> Self {
        let at = config
            .rules
            .keys()
            .filter_map(|id| {
                let start = doc.keys.get(&format!("/rules/{}", yaml::escape_pointer(id)))?.offset;
                let end = src[start.min(src.len())..].find('\n').map_or(src.len(), |n| start + n);
                Some((id.clone(), start..end))
            })
            .collect();
        RuleLines {
            path: String::new(),
            src: src.to_string(),
            at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_point_at_the_key() {
        let (msg, pos) = parse("migrations:\n  dialect: postgres\n  pathz: []\n").unwrap_err();
        assert!(msg.contains("unknown field `pathz`"), "{msg}");
        assert_eq!(pos.unwrap().line, 3);
    }

    #[test]
    fn bad_values_point_at_the_value() {
        let (msg, pos) = parse("rules:\n  ban-drop-column: fatal\n").unwrap_err();
        assert!(msg.contains("fatal"), "{msg}");
        assert_eq!(pos.unwrap().line, 2);
    }

    #[test]
    fn unknown_rules_are_errors() {
        let (msg, _) = parse("rules:\n  no-such-rule: off\n").unwrap_err();
        assert!(msg.contains("no-such-rule"));
        assert!(!msg.contains("did you mean"), "{msg}");
    }

    #[test]
    fn a_misspelt_rule_id_gets_a_suggestion_at_its_line() {
        let (msg, pos) = parse("rules:\n  require-lock-timeout: off\n  ban-drop-colum: warning\n").unwrap_err();
        assert!(
            msg.contains("unknown rule `ban-drop-colum`; did you mean `ban-drop-column`?"),
            "{msg}"
        );
        assert_eq!(pos.unwrap().line, 3);
    }

    #[test]
    fn a_misspelt_signoff_points_at_the_name_with_a_suggestion() {
        let src = "signoff:\n  require:\n    schema-destructive:\n      - system-owner\n      - backup-recovry-owner\n";
        let (msg, pos) = parse(src).unwrap_err();
        assert!(msg.contains("unknown sign-off `backup-recovry-owner`"), "{msg}");
        assert!(msg.contains("did you mean `backup-recovery-owner`?"), "{msg}");
        assert_eq!(pos.unwrap().line, 5);
        // Declared under `signers`, any name is a sign-off.
        let ok = "signoff:\n  require:\n    high-risk: [dba]\n  signers:\n    dba: {users: [dana]}\n";
        assert_eq!(parse(ok).unwrap().signoff.required("high-risk", &[]), ["dba"]);
    }

    #[test]
    fn min_approvals_keep_their_default_and_refuse_unknown_classes() {
        let c = parse("signoff:\n  min_approvals: {schema-destructive: 2}\n").unwrap();
        assert_eq!(c.signoff.min_approvals["any-change"], 1);
        assert_eq!(c.signoff.min_approvals["schema-destructive"], 2);
        let c = parse("signoff:\n  min_approvals: {any-change: 2}\n").unwrap();
        assert_eq!(c.signoff.min_approvals["any-change"], 2);
        let (msg, pos) = parse("signoff:\n  min_approvals:\n    any-chnage: 2\n").unwrap_err();
        assert!(msg.contains("`any-chnage` in `signoff.min_approvals`"), "{msg}");
        assert_eq!(pos.map(|p| p.line), Some(3));
    }

    #[test]
    fn empty_config_is_default() {
        assert!(parse("").unwrap().migrations.discover);
    }
}
