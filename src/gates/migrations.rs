//! The migration gate: which migrations a change adds or edits, reading and
//! understanding them (on every core), then the migration rules in order.
//! It also collects the [`Facts`] other gates use.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::config::rollback::{RequireRollback, RollbackConfig};
use crate::config::Config;
use crate::error::AppError;
use crate::finding::Finding;
use crate::migration::discover::{self, Candidate, Framework};
use crate::migration::rollback;
use crate::migration::schema_model::Catalog;
use crate::migration::{sql_text, MigrationFile};
use crate::outcome::Report;
use crate::rules::migration::missing_rollback;
use crate::rules::migration::{self as mrules, EngineOptions, INVALID_MIGRATION_FILE, MODIFIED_APPLIED_MIGRATION};

/// The migration gate's share of the statistics.
impl Report {
    fn add_file(&mut self, file: &MigrationFile) {
        self.stats.migration_files += 1;
        self.stats.statements += file.statements.len();
        self.stats.unparsed_statements += file.statements.iter().filter(|s| s.is_unparsed()).count();
        self.stats.recognised_statements += file
            .statements
            .iter()
            .filter(|s| s.status == crate::migration::statement::ParseStatus::Recognised)
            .count();
    }
}

/// One migration to check or replay.
struct Input {
    display: String,
    path: Option<PathBuf>,
    text: Option<String>,
    framework: Option<Framework>,
    /// Checked (true) or only replayed for schema knowledge (false).
    lint: bool,
    /// Where its rollback is looked for (`missing-rollback`): a root and the
    /// path relative to it. `None` for stdin.
    rollback_at: Option<(PathBuf, String)>,
}

/// Reads, understands and checks migrations in order. Without `one_change`
/// each file is its own change; with it, every linted file is one change.
fn run_migrations(
    inputs: Vec<Input>,
    config: &Config,
    one_change: bool,
    report: &mut Report,
) -> Result<Facts, AppError> {
    let mut state = Judge {
        facts: Facts::default(),
        catalog: Catalog::default(),
        opts: EngineOptions {
            assume_lock_timeout: config.migrations.assume_lock_timeout,
        },
        one_change,
        began: false,
        rollback: config.migrations.rollback.clone(),
    };
    // Reading and parsing is most of the work and each file is independent:
    // it runs on every core, a few files ahead of the (sequential) rules,
    // which judge the files in order while the next ones are parsed.
    crate::parallel::ordered(
        &inputs,
        PARSE_AHEAD,
        |input| load(input, config),
        |input, file| judge(input, file, &mut state, report),
    )?;
    for callback in flyway_callbacks(&inputs) {
        if let Ok(Ok(file)) = load(&callback, config) {
            crate::rules::migration::replay(&file, &mut state.catalog);
        }
    }
    let catalog = &state.catalog;
    state.facts.contractions.retain(|c| !back_again(catalog, &c.target));
    mark_distinctive(&mut state.facts.contractions, catalog);
    Ok(state.facts)
}

/// How many files are parsed ahead of the rules, at most (bounds memory).
const PARSE_AHEAD: usize = 16;

/// What judging carries from file to file.
struct Judge {
    facts: Facts,
    catalog: Catalog,
    opts: EngineOptions,
    one_change: bool,
    began: bool,
    rollback: RollbackConfig,
}

fn judge(input: &Input, file: Loaded, state: &mut Judge, report: &mut Report) -> Result<(), AppError> {
    let file = match file? {
        Ok(file) => file,
        Err(why) if input.lint => {
            report.stats.migration_files += 1;
            report.invalid_inputs += 1;
            let mut f = Finding::new(
                &INVALID_MIGRATION_FILE,
                format!("This migration cannot be checked: {why}"),
            )
            .help("save it as UTF-8 SQL text");
            f.file = Some(input.display.clone());
            report.findings.push(f);
            return Ok(());
        }
        Err(_) => return Ok(()),
    };
    let _reading = crate::reading::file(&input.display);
    collect_facts(&file, &mut state.facts);
    if !input.lint {
        mrules::replay(&file, &mut state.catalog);
        return Ok(());
    }
    if !state.one_change || !state.began {
        state.catalog.begin_change();
        state.began = true;
    }
    report.add_file(&file);
    collect_contractions(&file, &mut state.facts);
    let findings = mrules::check_file(&file, &mut state.catalog, state.opts);
    // Looking for a rollback reads files: only when one is required.
    let rollback_at = input
        .rollback_at
        .as_ref()
        .filter(|_| state.rollback.require != RequireRollback::None);
    if let Some((root, rel)) = rollback_at {
        let found = rollback::find(root, rel, &file, &state.rollback).is_some();
        let framework = input.framework.unwrap_or(Framework::Plain);
        let expected = rollback::expected(rel, framework, &state.rollback);
        report.findings.extend(missing_rollback::check(
            &file,
            &findings,
            state.rollback.require,
            found,
            &expected,
        ));
    }
    report.findings.extend(findings);
    report.sources.insert(file.path.clone(), file.src);
    Ok(())
}

/// The outer error is an I/O failure (the gate is not evaluated); the inner one, a file that is not SQL text.
type Loaded = Result<Result<MigrationFile, String>, AppError>;

/// Reads and parses one migration.
fn load(input: &Input, config: &Config) -> Loaded {
    let _reading = crate::reading::file(&input.display);
    let text = match (&input.text, &input.path) {
        (Some(t), _) => t.clone(),
        (None, Some(p)) => {
            let bytes =
                std::fs::read(p).map_err(|e| AppError::Evaluate(format!("cannot read {}: {e}", p.display())))?;
            match sql_text(&bytes) {
                Ok(t) => t.to_string(),
                Err(why) => return Ok(Err(why)),
            }
        }
        (None, None) => return Ok(Err("no input".to_string())),
    };
    let execution = input
        .framework
        .unwrap_or(Framework::Plain)
        .execution_under(config.migrations.transaction);
    Ok(Ok(MigrationFile::parse(
        input.display.clone(),
        text,
        config.migrations.dialect,
        execution,
    )))
}

fn collect_facts(file: &MigrationFile, facts: &mut Facts) {
    for s in &file.statements {
        for a in &s.actions {
            use crate::migration::action::Action;
            let (table, columns, rows, kind) = match a {
                Action::Insert { table, columns, rows } => (table, columns.clone(), rows.clone(), Write::Insert),
                // An UPDATE by key reads as the rows it writes: the key, then the columns set.
                Action::UpdateValues {
                    table,
                    set,
                    key: (key, values),
                } => {
                    let columns = std::iter::once(key.clone())
                        .chain(set.iter().map(|(c, _)| c.clone()))
                        .collect();
                    let rows = values
                        .iter()
                        .map(|v| {
                            std::iter::once(Some(v.clone()))
                                .chain(set.iter().map(|(_, x)| x.clone()))
                                .collect()
                        })
                        .collect();
                    (table, columns, rows, Write::Update)
                }
                Action::DeleteKeys {
                    table,
                    key: (key, values),
                } => (
                    table,
                    vec![key.clone()],
                    values.iter().map(|v| vec![Some(v.clone())]).collect(),
                    Write::Delete,
                ),
                _ => continue,
            };
            let loc = file.location(&s.span);
            facts.table_writes.push(TableWrite {
                file: file.path.clone(),
                line: loc.line,
                column: loc.column,
                table: table.clone(),
                columns,
                rows,
                kind,
            });
        }
    }
}

/// The migration rules of `shipgate lint`, into `report` (not finished).
pub(super) fn lint_into(
    paths: &[PathBuf],
    stdin: Option<(String, String)>,
    config: &Config,
    report: &mut Report,
) -> Result<Facts, AppError> {
    let mut inputs = Vec::new();
    if let Some((name, text)) = stdin {
        let framework = discover::match_layout(&name).map(|c| c.0);
        inputs.push(Input {
            display: name,
            path: None,
            text: Some(text),
            framework,
            lint: true,
            rollback_at: None,
        });
    }
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => AppError::Usage(format!("{}: no such file or directory", p.display())),
            _ => AppError::Evaluate(format!("cannot read {}: {e}", p.display())),
        })?;
        let display = p.to_string_lossy().replace('\\', "/");
        if meta.is_file() {
            let framework = discover::match_layout(&display).map(|c| c.0);
            inputs.push(Input {
                rollback_at: Some((PathBuf::from("."), display.clone())),
                display,
                path: Some(p.clone()),
                text: None,
                framework,
                lint: true,
            });
            continue;
        }
        let mut files = sql_files(p, config)?;
        discover::sort(&mut files);
        for c in files {
            let rollback_at = Some((p.clone(), c.rel.clone()));
            let display = format!("{}/{}", display.trim_end_matches('/'), c.rel);
            let framework = discover::match_layout(&display)
                .map(|x| x.0)
                .or(Some(c.framework))
                .filter(|f| *f != Framework::Plain);
            inputs.push(Input {
                display,
                path: Some(c.abs),
                text: None,
                framework,
                lint: true,
                rollback_at,
            });
        }
    }
    run_migrations(inputs, config, false, report)
}

/// Every `.sql` file below `dir` (ignore-aware), as candidates; not the
/// reverse scripts of `migrations.rollback.path` (relative to `dir`).
fn sql_files(dir: &Path, config: &Config) -> Result<Vec<Candidate>, AppError> {
    let reverse = config
        .migrations
        .rollback
        .path
        .as_deref()
        .and_then(|p| globset::Glob::new(&rollback::pattern_glob(p)).ok())
        .map(|g| g.compile_matcher());
    let mut out = Vec::new();
    for entry in ignore::WalkBuilder::new(dir).require_git(false).build() {
        let entry = entry.map_err(|e| AppError::Evaluate(format!("cannot walk {}: {e}", dir.display())))?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let abs = entry.path().to_path_buf();
        let rel = abs
            .strip_prefix(dir)
            .unwrap_or(&abs)
            .to_string_lossy()
            .replace('\\', "/");
        let lower = rel.to_ascii_lowercase();
        if !lower.ends_with(".sql")
            || lower.ends_with(".down.sql")
            || lower.ends_with("/down.sql")
            || lower == "down.sql"
            || discover::is_flyway_undo(rel.rsplit('/').next().unwrap_or(&rel))
            || reverse.as_ref().is_some_and(|g| g.is_match(&rel))
        {
            continue;
        }
        let (framework, version, repeatable) = discover::match_layout(&rel).unwrap_or_else(|| discover::plain(&rel));
        out.push(Candidate {
            rel,
            abs,
            framework,
            version,
            repeatable,
        });
    }
    Ok(out)
}

/// What the migration gate learnt that other gates use.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Every INSERT in the migrations, and every UPDATE and DELETE by key, in order.
    pub table_writes: Vec<TableWrite>,
    /// Every DROP and RENAME of a column, table, view, function, type or
    /// enum value in the migrations checked, in order (the contract gate's targets).
    pub contractions: Vec<crate::contract::Contraction>,
    /// Every migration discovery found, relative to the root: not code.
    pub migrations: Vec<String>,
}

/// Rows a migration statement writes to a table by literal values: an
/// INSERT's rows, or an UPDATE's or DELETE's rows picked by key (the key
/// column first).
#[derive(Debug, Clone)]
pub struct TableWrite {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub table: crate::migration::action::Name,
    pub columns: Vec<String>,
    /// Literal values per row (`None` where a value is not a literal).
    pub rows: Vec<Vec<Option<String>>>,
    pub kind: Write,
}

/// How a statement writes the rows of a [`TableWrite`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    Insert,
    /// `UPDATE ... WHERE key = ...`: the rows it changes.
    Update,
    /// `DELETE ... WHERE key = ...`: the rows it removes (the key column only).
    Delete,
}

/// What a change does to one discovered migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selected {
    /// Added by the change (or, without `--base`, any migration): checked.
    New,
    /// Already applied (or grandfathered by `migrations.since`): replayed only.
    Applied,
    /// Exists on the base branch and was edited by the change: replayed, and an error.
    Edited,
    /// Existed on the base branch under the old name: replayed, and an error
    /// (frameworks that track applied migrations by name would run it again).
    Renamed { from: String },
}

/// Every discovered migration, in order, with what the change does to it.
/// The one place `--base` and `migrations.since` decide what is new.
pub fn select_migrations(
    root: &Path,
    config: &Config,
    base: Option<&str>,
) -> Result<Vec<(Candidate, Selected)>, AppError> {
    let candidates = discover::discover(root, &config.migrations).map_err(AppError::Usage)?;
    let since = config.migrations.since.as_deref().map(discover::since_key);
    let grandfathered = |c: &Candidate| since.as_ref().is_some_and(|s| !c.version.is_empty() && c.version < *s);
    let changed: Option<(HashSet<String>, HashMap<String, Selected>)> = match base {
        None => None,
        Some(rev) => {
            let mb = crate::git::merge_base(root, rev)?;
            let prefix = crate::git::prefix(root)?;
            let mut added = HashSet::new();
            let mut modified = HashMap::new();
            for (change, path) in crate::git::changes_since(root, &mb)? {
                let Some(rel) = path.strip_prefix(&prefix) else {
                    continue;
                };
                match change {
                    crate::git::Change::Added => {
                        added.insert(rel.to_string());
                    }
                    crate::git::Change::Modified => {
                        modified.insert(rel.to_string(), Selected::Edited);
                    }
                    crate::git::Change::Renamed { from } => {
                        let from = from.strip_prefix(&prefix).unwrap_or(&from).to_string();
                        modified.insert(rel.to_string(), Selected::Renamed { from });
                    }
                    crate::git::Change::Deleted => {}
                };
            }
            Some((added, modified))
        }
    };
    Ok(candidates
        .into_iter()
        .map(|c| {
            let selected = match &changed {
                _ if grandfathered(&c) => Selected::Applied,
                None => Selected::New,
                Some((added, _)) if added.contains(&c.rel) => Selected::New,
                Some((_, modified)) if modified.contains_key(&c.rel) => modified[&c.rel].clone(),
                Some(_) => Selected::Applied,
            };
            (c, selected)
        })
        .collect())
}

pub(super) fn check_migrations(
    root: &Path,
    config: &Config,
    base: Option<&str>,
    report: &mut Report,
) -> Result<Facts, AppError> {
    let mut inputs = Vec::new();
    let mut migrations = Vec::new();
    for (c, selected) in select_migrations(root, config, base)? {
        migrations.push(c.rel.clone());
        let edited = match &selected {
            Selected::Edited => Some(Finding::new(
                &MODIFIED_APPLIED_MIGRATION,
                format!("Migration `{}` already exists on the base branch and was edited; environments that applied it will never run the change", c.rel),
            )
            .help("revert the edit and put the change in a new migration")),
            Selected::Renamed { from } => Some(Finding::new(
                &MODIFIED_APPLIED_MIGRATION,
                format!("Migration `{}` exists on the base branch as `{from}` and was renamed; tools that track applied migrations by name or version would run it again, or miss it", c.rel),
            )
            .help(format!("keep the name `{from}`; put any change in a new migration"))),
            _ => None,
        };
        if let Some(mut f) = edited {
            f.file = Some(c.rel.clone());
            report.findings.push(f);
        }
        inputs.push(Input {
            display: c.rel.clone(),
            path: Some(c.abs.clone()),
            text: None,
            framework: Some(c.framework),
            lint: selected == Selected::New,
            rollback_at: Some((root.to_path_buf(), c.rel.clone())),
        });
    }
    let mut facts = run_migrations(inputs, config, base.is_some(), report)?;
    facts.migrations = migrations;
    Ok(facts)
}

/// The DROPs and RENAMEs of a checked migration, for the contract gate.
fn collect_contractions(file: &MigrationFile, facts: &mut Facts) {
    for (i, s) in file.statements.iter().enumerate() {
        for a in &s.actions {
            for (target, rename) in crate::contract::targets_of(a) {
                facts.contractions.push(crate::contract::Contraction {
                    target,
                    file: file.path.clone(),
                    span: s.span.clone(),
                    location: file.location(&s.span),
                    statement: i,
                    approvals: file
                        .approvals
                        .iter()
                        .filter(|ap| ap.statement == Some(i))
                        .cloned()
                        .collect(),
                    rename,
                });
            }
        }
    }
}

/// A name is distinctive (a bare identifier in code may count as a
/// reference) when it is a compound name (`members_archive`, `documentId`,
/// not `users` or `document`: single words are everyday identifiers in
/// code, such as the browser's `document`), and, for a column, when no other
/// table of the schema has a column of that name.
fn mark_distinctive(contractions: &mut [crate::contract::Contraction], catalog: &Catalog) {
    use crate::contract::TargetKind;
    for c in contractions {
        let t = &mut c.target;
        t.distinctive = match t.kind {
            TargetKind::EnumValue => false,
            TargetKind::Column => {
                compound(&t.name)
                    && !catalog.tables.iter().any(|(name, table)| {
                        Some(&name.name) != t.table.as_ref() && table.columns.contains_key(&t.name)
                    })
            }
            _ => compound(&t.name),
        };
    }
}

/// Flyway runs the `afterMigrate*.sql` callbacks beside the migrations after
/// every migrate, so what they (re)create, typically views, exists when the
/// migrations end. They are replayed for that knowledge only, in name order.
fn flyway_callbacks(inputs: &[Input]) -> Vec<Input> {
    let dirs: std::collections::BTreeSet<&Path> = inputs
        .iter()
        .filter(|i| i.framework == Some(Framework::Flyway))
        .filter_map(|i| i.path.as_deref()?.parent())
        .collect();
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else { continue };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| Some(e.ok()?.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("afterMigrate") && n.ends_with(".sql"))
            })
            .collect();
        paths.sort();
        out.extend(paths.into_iter().map(|p| Input {
            display: p.display().to_string(),
            path: Some(p),
            text: None,
            framework: Some(Framework::Flyway),
            lint: false,
            rollback_at: None,
        }));
    }
    out
}

/// A name dropped or renamed away that exists again when the migrations end
/// (a column dropped and added back with another type, a table re-created):
/// no contraction, since code that names it is expected. Its other hazards
/// (data loss, a type change) are the migration rules' business.
fn back_again(catalog: &Catalog, t: &crate::contract::Target) -> bool {
    use crate::contract::TargetKind;
    let named = |n: &crate::migration::action::Name, want: &str| n.name == want;
    match t.kind {
        TargetKind::Column => catalog
            .tables
            .iter()
            .any(|(n, table)| t.table.as_deref().is_some_and(|w| named(n, w)) && table.columns.contains_key(&t.name)),
        TargetKind::Table => catalog.tables.keys().any(|n| named(n, &t.name)),
        TargetKind::View => catalog.views.keys().any(|n| named(n, &t.name)),
        TargetKind::Type => catalog.enums.keys().any(|n| named(n, &t.name)),
        TargetKind::EnumValue => catalog
            .enums
            .iter()
            .any(|(n, labels)| t.table.as_deref().is_some_and(|w| named(n, w)) && labels.contains(&t.name)),
        TargetKind::Function => catalog.routines.contains_key(&t.name) || catalog.returns.contains_key(&t.name),
    }
}

/// `old_field` or `oldField`, not `document`.
fn compound(name: &str) -> bool {
    let name = name.trim_matches('_');
    name.contains('_')
        || name
            .as_bytes()
            .windows(2)
            .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
}
