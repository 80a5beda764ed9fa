//! The flag gate's inputs: the flag registry (`docs/flags.md`), flag
//! references in code (found by `flags.references` patterns), in rollout
//! manifests (handed over by the rollout gate) and in migrations that insert
//! into the flag table; and, with `--base`, what a change does to the registry.

pub mod changes;
pub mod patterns;
pub mod registry;
pub mod search;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::path::Path;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::app::{AppError, Facts, Report};
use crate::config::Config;
use crate::finding::{Finding, Location};
use crate::migration::lex::LineIndex;
pub use patterns::{Capture, ReferencePattern};
pub use registry::{Cell, Column};

/// The registry's path when `flags.registry` is not set.
pub const DEFAULT_REGISTRY: &str = "docs/flags.md";

/// The `docs/flags.md` that `shipgate init` writes: the registry's table, empty.
pub const REGISTRY_SKELETON: &str = "# Feature flags

Every feature flag the code, the rollout manifests (`rollouts/`) and the
migrations refer to has one row here. `shipgate check` verifies the table:
each flag is documented and owned, defaults to off in production (unless it
is a `kill-switch`, `ops` or `permission` flag), is still referenced, and is
removed by its `Remove by` date; a `beta_*` flag at GA is `Replaced by` a
`ga_*` flag.

- **Flag**: the key, exactly as code uses it, in backticks.
- **Owner**: the team or person accountable, e.g. `@payments`.
- **Default**: the production default: `off` or `on`.
- **Type**: `release`, `experiment`, `ops`, `kill-switch` or `permission`.
- **Status**: e.g. `rollout`, `beta`, `ga`, `permanent`.
- **Remove by**: `YYYY-MM-DD`, the date the flag must be gone.
- **Replaced by**: for a `beta_*` flag at GA, its `ga_*` flag.

<!-- A row looks like this:
| `new_checkout` | @payments | off | release | rollout | 2026-03-01 | |
-->

| Flag | Owner | Default | Type | Status | Remove by | Replaced by |
|------|-------|---------|------|--------|-----------|-------------|
";

/// Environment variable that sets "today" (`YYYY-MM-DD`) for the date rules.
pub const TODAY_ENV: &str = "SHIPGATE_TODAY";

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

/// The `Type` of a flag (CONTRACT.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagType {
    Release,
    Experiment,
    Ops,
    KillSwitch,
    Permission,
}

impl FlagType {
    pub fn parse(text: &str) -> Option<Self> {
        let t: String = text
            .trim()
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c == ' ' || c == '_' { '-' } else { c })
            .collect();
        Some(match t.as_str() {
            "release" | "release-toggle" => FlagType::Release,
            "experiment" | "experiments" | "experimental" | "a/b" | "ab-test" | "a/b-test" => FlagType::Experiment,
            "ops" | "op" | "operational" | "operations" | "ops-toggle" => FlagType::Ops,
            "kill-switch" | "killswitch" | "kill" => FlagType::KillSwitch,
            "permission" | "permissions" | "entitlement" => FlagType::Permission,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FlagType::Release => "release",
            FlagType::Experiment => "experiment",
            FlagType::Ops => "ops",
            FlagType::KillSwitch => "kill-switch",
            FlagType::Permission => "permission",
        }
    }

    /// Kill switches, ops and permission flags live on and may default on.
    pub fn is_permanent(self) -> bool {
        matches!(self, FlagType::Ops | FlagType::KillSwitch | FlagType::Permission)
    }
}

/// One documented flag: a row of the registry table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FlagEntry {
    pub name: String,
    /// 1-based line of the row in the registry file.
    pub line: usize,
    /// Byte range of the row.
    pub row: Range<usize>,
    /// The cells of the columns its table has.
    pub cells: BTreeMap<Column, Cell>,
    /// The parsed `Type`, when it is one of the known types.
    pub kind: Option<FlagType>,
    /// The parsed `Remove by`, when it is a date.
    pub remove_by: Option<NaiveDate>,
}

impl FlagEntry {
    /// The text of a cell, `None` when the column is absent or the cell blank.
    pub fn text(&self, col: Column) -> Option<&str> {
        self.cells
            .get(&col)
            .map(|c| c.text.as_str())
            .filter(|t| !registry::is_blank(t))
    }

    /// Whether the row's table has the column.
    pub fn has(&self, col: Column) -> bool {
        self.cells.contains_key(&col)
    }

    /// Where a cell is (the flag cell, then the row, when the column is absent).
    pub fn span(&self, col: Column) -> Range<usize> {
        self.cells
            .get(&col)
            .or_else(|| self.cells.get(&Column::Flag))
            .map_or_else(|| self.row.clone(), |c| c.span.clone())
    }

    /// `Some(false)` for a default that is off, `Some(true)` for on, `None` otherwise.
    pub fn default_on(&self) -> Option<bool> {
        self.text(Column::Default).and_then(switch_state)
    }

    /// Whether `Status` says the flag is generally available.
    pub fn is_ga(&self) -> bool {
        self.text(Column::Status).is_some_and(is_ga_status)
    }
}

/// Reads an on/off value: a registry default or an inserted literal.
pub fn switch_state(text: &str) -> Option<bool> {
    let t = text.trim().trim_matches(['\'', '"', '`']).to_ascii_lowercase();
    let first = t
        .split(|c: char| c.is_whitespace() || matches!(c, '(' | ',' | ';' | '/'))
        .find(|s| !s.is_empty())
        .unwrap_or("");
    match first {
        "off" | "false" | "0" | "0%" | "disabled" | "disable" | "no" | "n" | "f" | "control" => Some(false),
        "on" | "true" | "1" | "100%" | "enabled" | "enable" | "yes" | "y" | "t" => Some(true),
        _ => None,
    }
}

/// `ga`, `launched`, `released`, `generally available`, ...
pub fn is_ga_status(text: &str) -> bool {
    let t = text.trim().to_ascii_lowercase();
    let first = t
        .split(|c: char| c.is_whitespace() || matches!(c, '(' | ',' | ';'))
        .find(|s| !s.is_empty())
        .unwrap_or("");
    matches!(first, "ga" | "launched" | "released" | "shipped")
        || t.starts_with("generally available")
        || t.starts_with("general availability")
}

#[derive(Debug, Clone, Default)]
pub struct FlagRegistry {
    /// Registry path relative to the repository root.
    pub path: String,
    pub entries: Vec<FlagEntry>,
    /// The registry's text, for snippets.
    pub text: String,
    /// What is wrong with the registry itself (`invalid-flag-registry`).
    pub problems: Vec<Finding>,
    /// Entry position by name (built by `new` and `parse`; `get` works without it).
    pub index: HashMap<String, usize>,
}

impl FlagRegistry {
    /// Builds a registry from parsed entries.
    pub fn new(path: String, text: String, entries: Vec<FlagEntry>, problems: Vec<Finding>) -> Self {
        let index = entries.iter().enumerate().map(|(i, e)| (e.name.clone(), i)).collect();
        FlagRegistry {
            path,
            entries,
            text,
            problems,
            index,
        }
    }

    /// Parses registry text.
    pub fn parse(path: &str, text: &str) -> Self {
        let parsed = registry::parse(path, text);
        Self::new(path.to_string(), text.to_string(), parsed.entries, parsed.problems)
    }

    pub fn get(&self, name: &str) -> Option<&FlagEntry> {
        match self.index.get(name).and_then(|&i| self.entries.get(i)) {
            Some(e) if e.name == name => Some(e),
            _ => self.entries.iter().find(|e| e.name == name),
        }
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
    /// For a rollout manifest's `flag`: whether a phase up to `current_phase`
    /// has users (`None`: not a manifest's `flag`, or no known current phase).
    pub exposed: Option<bool>,
}

/// Where a reference comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RefKind {
    Code,
    Manifest,
    /// A migration inserts the flag into the flag table.
    MigrationInsert,
    /// A migration updates the flag's row in the flag table.
    MigrationUpdate,
    /// A migration deletes the flag's row from the flag table.
    MigrationDelete,
}

impl RefKind {
    /// Whether a migration writes it (inserts, updates or deletes its row).
    pub fn is_migration(self) -> bool {
        matches!(
            self,
            RefKind::MigrationInsert | RefKind::MigrationUpdate | RefKind::MigrationDelete
        )
    }
}

/// A reference to a flag, from any source, as the flag rules see it.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The flag's name (the registry's spelling when an environment variable matched one).
    pub flag: String,
    /// The environment variable as written (`FEATURE_NEW_CHECKOUT`), for env references.
    pub env_var: Option<String>,
    pub kind: RefKind,
    pub file: String,
    /// Byte range in `file`, when known.
    pub span: Option<Range<usize>>,
    pub location: Location,
    /// Migration references: the flag table's default column and the literal written to it.
    pub written_default: Option<(String, Option<String>)>,
}

impl Reference {
    /// `file:line:column`.
    pub fn place(&self) -> String {
        format!("{}:{}:{}", self.file, self.location.line, self.location.column)
    }
}

/// "Today" for the date rules: `SHIPGATE_TODAY=YYYY-MM-DD`, else the local date.
pub fn today() -> Result<NaiveDate, AppError> {
    match std::env::var(TODAY_ENV) {
        Ok(v) if !v.trim().is_empty() => registry::parse_date(&v)
            .map_err(|why| AppError::Usage(format!("{TODAY_ENV}=`{v}` is {why}; write YYYY-MM-DD"))),
        _ => Ok(chrono::Local::now().date_naive()),
    }
}

/// Loads the registry; `Ok(None)` when the repository has none.
pub fn load_registry(root: &Path, config: &Config, _report: &mut Report) -> Result<Option<FlagRegistry>, AppError> {
    let (rel, explicit) = config.flags.registry_path();
    let path = root.join(&rel);
    let _reading = crate::reading::file(&rel);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(AppError::Usage(format!(
                "`flags.registry` names `{rel}`, which does not exist in {}",
                root.display()
            )))
        }
        Err(e) => return Err(AppError::Evaluate(format!("cannot read the flag registry {rel}: {e}"))),
    };
    let (text, utf8) = match String::from_utf8(bytes) {
        Ok(t) => (t, true),
        Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), false),
    };
    let mut reg = FlagRegistry::parse(&rel, &text);
    if !utf8 {
        let mut f = Finding::new(
            &crate::rules::flags::INVALID_FLAG_REGISTRY,
            format!("`{rel}` is not valid UTF-8, so some of its text may be misread"),
        )
        .help("save the registry as UTF-8");
        f.file = Some(rel.clone());
        reg.problems.insert(0, f);
    }
    Ok(Some(reg))
}

/// The flag gate: references from code, manifests (`manifest_refs`) and migrations (`facts`).
pub fn run(
    root: &Path,
    config: &Config,
    base: Option<&str>,
    registry: Option<&FlagRegistry>,
    manifest_refs: &[FlagRef],
    facts: &Facts,
    report: &mut Report,
) -> Result<(), AppError> {
    let cfg = &config.flags;
    let today = today()?;
    let mut env_changes = Vec::new();
    if let Some(rev) = base {
        changes::record(root, &cfg.registry_path().0, registry, rev, report)?;
        env_changes = changes::record_env(root, &cfg.env_files, registry, rev, report)?;
    }
    let Some(reg) = registry else {
        return Ok(());
    };
    report.stats.flags = reg.entries.len();
    report.sources.insert(reg.path.clone(), reg.text.clone());
    report.findings.extend(reg.problems.iter().cloned());

    let naming = match &cfg.naming {
        Some(n) => Some(
            regex::Regex::new(&format!("^(?:{n})$"))
                .map_err(|e| AppError::Usage(format!("`flags.naming` is not a valid regex: {e}")))?,
        ),
        None => None,
    };
    let set = pattern_set(cfg)?;
    let exclude = patterns::Globs::new(&cfg.exclude.iter().map(|g| (g.clone(), 0)).collect::<Vec<_>>())
        .map_err(|e| AppError::Usage(format!("`flags.exclude`: {e}")))?
        .0;
    let mut skip = vec![reg.path.clone()];
    skip.extend(["shipgate.yml", ".shipgate.yml", "shipgate.yaml", ".shipgate.yaml"].map(String::from));
    let found = search::search(root, &set, &exclude, &skip);
    if let Some(first) = found.errors.first() {
        let more = found.errors.len() - 1;
        return Err(AppError::Evaluate(format!(
            "cannot search for flag references: {first}{}",
            if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            }
        )));
    }

    let mut texts = Texts::new(root);
    let mut refs = Vec::new();
    let norm = normalized_index(reg);
    for file in &found.files {
        for hit in &file.hits {
            let (flag, env_var) = match set.patterns[hit.pattern].capture {
                Capture::Flag => (hit.name.clone(), None),
                Capture::EnvVar => match env_flag(&hit.name, reg, &norm) {
                    Some(flag) => (flag, Some(format!("FEATURE_{}", hit.name))),
                    None => continue,
                },
            };
            refs.push(Reference {
                flag,
                env_var,
                kind: RefKind::Code,
                file: file.rel.clone(),
                span: Some(hit.span.clone()),
                location: hit.location,
                written_default: None,
            });
        }
    }
    for r in manifest_refs {
        let span = texts
            .get(&r.file)
            .and_then(|t| span_of(t, r.line, r.column, r.end_column));
        refs.push(Reference {
            flag: r.flag.clone(),
            env_var: None,
            kind: RefKind::Manifest,
            file: r.file.clone(),
            span,
            location: Location {
                line: r.line,
                column: r.column,
                end_line: r.line,
                end_column: r.end_column.max(r.column + 1),
            },
            written_default: None,
        });
    }
    if let Some(table) = &cfg.table {
        refs.extend(table_refs(table, cfg, facts, &mut texts));
    }

    let model = crate::rules::flags::Model::new(
        reg,
        &refs,
        today,
        i64::from(cfg.warn_days),
        naming.as_ref().map(|r| (cfg.naming.as_deref().unwrap_or_default(), r)),
        cfg.table.as_deref(),
    );
    // Flags whose rollout manifests have no phase with users yet.
    let mut unexposed: BTreeSet<String> = BTreeSet::new();
    for r in manifest_refs.iter().filter(|r| r.exposed == Some(false)) {
        unexposed.insert(r.flag.clone());
    }
    for r in manifest_refs.iter().filter(|r| r.exposed == Some(true)) {
        unexposed.remove(&r.flag);
    }
    let mut model = model;
    model.env_changes = &env_changes;
    model.unexposed = &unexposed;
    let mut findings = crate::rules::flags::check(&model);
    for f in &mut findings {
        let Some(file) = f.file.clone() else { continue };
        if !report.sources.contains_key(&file) {
            if let Some(t) = texts.get(&file) {
                report.sources.insert(file.clone(), t.to_string());
            }
        }
        // A span that does not fit the text shown would garble the snippet.
        let fits =
            |s: &Range<usize>, t: &str| s.start <= s.end && t.is_char_boundary(s.start) && t.is_char_boundary(s.end);
        if let Some(span) = &f.span {
            if !report.sources.get(&file).is_some_and(|t| fits(span, t)) {
                f.span = None;
            }
        }
    }
    report.findings.extend(findings);
    Ok(())
}

/// Every reference pattern: the built-in ones (unless turned off), then the user's.
pub fn pattern_set(cfg: &FlagsConfig) -> Result<patterns::PatternSet, AppError> {
    let mut pats: Vec<(ReferencePattern, String)> = Vec::new();
    if cfg.default_references {
        pats.extend(
            patterns::BUILTINS
                .iter()
                .enumerate()
                .map(|(i, b)| (b.to_pattern(), format!("built-in reference pattern #{}", i + 1))),
        );
    }
    pats.extend(
        cfg.references
            .iter()
            .enumerate()
            .map(|(i, p)| (p.clone(), format!("`flags.references[{i}]`"))),
    );
    patterns::PatternSet::new(&pats).map_err(AppError::Usage)
}

/// Registry names folded for environment-variable matching: lower case, `-` and `.` as `_`.
fn fold(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '-' | '.' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

pub(crate) fn normalized_index(reg: &FlagRegistry) -> HashMap<String, String> {
    let mut m = HashMap::new();
    for e in &reg.entries {
        m.entry(fold(&e.name)).or_insert_with(|| e.name.clone());
    }
    m
}

/// The flag `FEATURE_<rest>` refers to: a documented `rest` or `feature_rest`
/// (folded), else `rest` in lower case. `FEATURE_FLAGS...` names the flag
/// service's own settings, not a flag: `None`.
pub fn env_flag(rest: &str, _reg: &FlagRegistry, norm: &HashMap<String, String>) -> Option<String> {
    let lower = rest.to_ascii_lowercase();
    if lower == "flag" || lower == "flags" || lower.starts_with("flag_") || lower.starts_with("flags_") {
        return None;
    }
    norm.get(&lower)
        .or_else(|| norm.get(&format!("feature_{lower}")))
        .cloned()
        .or(Some(lower))
}

/// Byte range of a 1-based line and character columns `[column, end_column)`.
fn span_of(text: &str, line: usize, column: usize, end_column: usize) -> Option<Range<usize>> {
    let start_of_line = if line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(line - 2)?.0 + 1
    };
    let rest = &text[start_of_line..];
    let line_text = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let at = |col: usize| {
        line_text
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(line_text.len(), |(i, _)| i)
    };
    let s = at(column);
    let e = at(end_column.max(column + 1)).max(s);
    Some(start_of_line + s..start_of_line + e)
}

/// Files read for snippets and spans, by repository path; `None` when unreadable or not UTF-8.
struct Texts<'a> {
    root: &'a Path,
    cache: HashMap<String, Option<String>>,
}

impl<'a> Texts<'a> {
    fn new(root: &'a Path) -> Self {
        Texts {
            root,
            cache: HashMap::new(),
        }
    }

    fn get(&mut self, rel: &str) -> Option<&str> {
        let root = self.root;
        self.cache
            .entry(rel.to_string())
            .or_insert_with(|| {
                // Without a byte-order mark: every gate's offsets are those of the text after it.
                std::fs::read(root.join(rel))
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .map(|t| match t.strip_prefix('\u{feff}') {
                        Some(rest) => rest.to_string(),
                        None => t,
                    })
            })
            .as_deref()
    }
}

fn table_matches(configured: &str, name: &crate::migration::action::Name) -> bool {
    let unquote = |s: &str| s.trim().trim_matches('"').to_string();
    let (schema, table) = match configured.rsplit_once('.') {
        Some((s, t)) => (Some(unquote(s)), unquote(t)),
        None => (None, unquote(configured)),
    };
    if !table.eq_ignore_ascii_case(&name.name) {
        return false;
    }
    match schema.filter(|s| !s.eq_ignore_ascii_case("public")) {
        None => true,
        Some(s) => name.schema.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(&s)),
    }
}

const KEY_COLUMNS: &[&str] = &["key", "name", "flag", "flag_key", "flag_name", "slug"];
const DEFAULT_COLUMNS: &[&str] = &[
    "enabled",
    "default",
    "default_value",
    "is_enabled",
    "value",
    "active",
    "on",
    "state",
];

/// References made by migrations that write the flag table (insert, update or delete by key).
fn table_refs(table: &str, cfg: &FlagsConfig, facts: &Facts, texts: &mut Texts<'_>) -> Vec<Reference> {
    let mut out = Vec::new();
    for w in facts.table_writes.iter().filter(|i| table_matches(table, &i.table)) {
        let cols: Vec<String> = w
            .columns
            .iter()
            .map(|c| c.trim_matches('"').to_ascii_lowercase())
            .collect();
        let find = |configured: &Option<String>, defaults: &[&str]| -> Option<usize> {
            match configured {
                Some(c) => cols.iter().position(|x| x.eq_ignore_ascii_case(c.trim_matches('"'))),
                None => defaults.iter().find_map(|d| cols.iter().position(|x| x == d)),
            }
        };
        let Some(key) = find(&cfg.key_column, KEY_COLUMNS) else {
            continue;
        };
        let default = find(&cfg.default_column, DEFAULT_COLUMNS);
        let mut from = texts.get(&w.file).and_then(|t| offset_of(t, w.line, w.column));
        let index = texts.get(&w.file).map(LineIndex::new);
        for row in &w.rows {
            let Some(Some(name)) = row.get(key) else { continue };
            let mut span = None;
            let mut location = Location {
                line: w.line,
                column: w.column,
                end_line: w.line,
                end_column: w.column + 1,
            };
            if let (Some(text), Some(start), Some(index)) = (texts.get(&w.file), from, &index) {
                let lit = format!("'{}'", name.replace('\'', "''"));
                if let Some(i) = text.get(start..).and_then(|t| t.find(&lit)) {
                    let s = start + i;
                    let r = s..s + lit.len();
                    location = registry::locate(text, index, &r);
                    from = Some(r.end);
                    span = Some(r);
                }
            }
            out.push(Reference {
                flag: name.clone(),
                env_var: None,
                kind: match w.kind {
                    crate::app::Write::Insert => RefKind::MigrationInsert,
                    crate::app::Write::Update => RefKind::MigrationUpdate,
                    crate::app::Write::Delete => RefKind::MigrationDelete,
                },
                file: w.file.clone(),
                span,
                location,
                written_default: default.map(|d| (w.columns[d].clone(), row.get(d).cloned().flatten())),
            });
        }
    }
    out
}

/// Byte offset of a 1-based line and character column.
fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    span_of(text, line, column, column + 1).map(|r| r.start)
}

/// Flags in both registries whose documented fields differ, for `changes`.
pub fn field_changes(old: &FlagEntry, new: &FlagEntry) -> BTreeMap<&'static str, (Option<String>, Option<String>)> {
    let mut out = BTreeMap::new();
    let cols: BTreeSet<Column> = Column::ALL.into_iter().filter(|c| *c != Column::Flag).collect();
    for c in cols {
        let (a, b) = (old.text(c).map(str::to_string), new.text(c).map(str::to_string));
        if a != b {
            out.insert(c.key(), (a, b));
        }
    }
    out
}
