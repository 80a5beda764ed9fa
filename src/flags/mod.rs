//! The flag gate's inputs: the flag registry (`docs/flags.md`), flag
//! references in code (found by `flags.references` patterns), in rollout
//! manifests (handed over by the rollout gate) and in migrations that insert
//! into the flag table; and, with `--base`, what a change does to the registry.

pub mod changes;
pub mod history;
pub mod invalid_flag_registry;
pub mod patterns;
pub mod registry;
pub mod search;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::path::Path;

use chrono::NaiveDate;

pub use crate::config::flags::{FlagsConfig, DEFAULT_REGISTRY};
use crate::config::Config;
use crate::error::AppError;
use crate::finding::{Finding, Location};
use crate::outcome::Report;
pub use patterns::{Capture, ReferencePattern};
pub use registry::{Cell, Column};

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

/// The `Type` of a flag (`docs/contract.md`, "Flag registry").
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

    /// Whether `Status` says the flag is gone and its row is kept as a record
    /// (`removed`, `retired`).
    pub fn is_removed(&self) -> bool {
        self.text(Column::Status).is_some_and(|t| {
            let t = t.trim().to_ascii_lowercase();
            t.starts_with("removed") || t.starts_with("retired")
        })
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
    /// A manifest's `kill_switch`.
    pub kill_switch: bool,
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
            &invalid_flag_registry::RULE,
            format!("`{rel}` is not valid UTF-8, so some of its text may be misread"),
        )
        .help("save the registry as UTF-8");
        f.file = Some(rel.clone());
        reg.problems.insert(0, f);
    }
    Ok(Some(reg))
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
pub fn fold(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '-' | '.' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

pub fn normalized_index(reg: &FlagRegistry) -> HashMap<String, String> {
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

/// Whether `name` is `<prefix>_<rest>` (or `-`, `.` as the separator), ASCII
/// case ignored: `beta_workspaces` has the prefix `beta`.
pub fn has_prefix(name: &str, prefix: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower
        .strip_prefix(prefix)
        .is_some_and(|rest| rest.starts_with(['_', '-', '.']) && rest.len() > 1)
}

/// The conventional GA name of a `beta_*` flag: `beta_workspaces` → `ga_workspaces`.
pub fn ga_name(beta: &str) -> String {
    format!("ga{}", beta.get(4..).unwrap_or_default())
}

/// The GA flag of the `beta_*` flag `beta`: the `Replaced by` of its row in
/// the first of `registries` that has one, else [`ga_name`] when `in_code`
/// says the code reads it; `None` when the beta flag is removed, not replaced.
pub fn ga_equivalent(beta: &str, registries: &[&FlagRegistry], in_code: impl Fn(&str) -> bool) -> Option<String> {
    registries
        .iter()
        .find_map(|r| r.get(beta)?.text(Column::ReplacedBy).map(str::to_string))
        .or_else(|| Some(ga_name(beta)).filter(|g| in_code(g)))
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
