//! The flag gate: searches code, manifests and migrations for flag
//! references, checks them against the registry with the flag rules, and
//! records registry changes since `--base`.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::path::Path;

use crate::config::Config;
use crate::error::AppError;
use crate::finding::{Finding, Location};
use crate::flags::changes::EnvChange;
use crate::flags::history::{Cutover, Reader, Release, RemovedRef};
use crate::flags::patterns::{Globs, PatternSet};
use crate::flags::{
    changes, ga_equivalent, has_prefix, normalized_index, pattern_set, registry, search, today, Capture, FlagEntry,
    FlagRef, FlagRegistry, FlagType, FlagsConfig, RefKind, Reference,
};
use crate::gates::migrations::Facts;
use crate::migration::lex::LineIndex;
use crate::outcome::Report;

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
    let since = match base {
        Some(rev) => SinceBase::record(root, cfg, registry, rev, report)?,
        None => SinceBase::default(),
    };
    let Some(reg) = registry else {
        return Ok(());
    };
    report.stats.flags = reg.entries.len();
    report.sources.insert(reg.path.clone(), reg.text.clone());
    report.findings.extend(reg.problems.iter().cloned());

    let naming = naming(cfg)?;
    let search = Search::run(root, cfg, reg)?;
    let mut texts = Texts::new(root);
    let norm = normalized_index(reg);
    let reader = Reader {
        root,
        set: &search.set,
        exclude: &search.exclude,
        skip: &search.skip,
        registry: reg,
        norm: &norm,
    };
    let mut refs = search.code_refs(&reader);
    refs.extend(manifest_refs.iter().map(|r| manifest_ref(r, &mut texts)));
    if let Some(table) = &cfg.table {
        refs.extend(table_refs(table, cfg, facts, &mut texts));
    }

    let unexposed = unexposed(manifest_refs);
    let manifest_kill_switches: BTreeSet<String> = manifest_refs
        .iter()
        .filter(|r| r.kill_switch)
        .map(|r| r.flag.clone())
        .collect();
    let (removed_last_refs, cutovers) = match &since.registry {
        Some(old) => removed(
            &reader,
            &refs,
            old,
            &manifest_kill_switches,
            &since.commit,
            &cfg.release_tags,
        )?,
        None => Default::default(),
    };
    let mut model = crate::rules::flags::FlagCx::new(
        reg,
        &refs,
        today,
        i64::from(cfg.warn_days),
        naming.as_ref().map(|r| (cfg.naming.as_deref().unwrap_or_default(), r)),
        cfg.table.as_deref(),
    );
    model.removed_last_refs = &removed_last_refs;
    model.manifest_kill_switches = &manifest_kill_switches;
    model.cutovers = &cutovers;
    model.env_changes = &since.env_changes;
    model.removed_kill_switches = &since.removed_kill_switches;
    model.base_commit = &since.commit;
    model.unexposed = &unexposed;
    let findings = crate::rules::flags::check(&model);
    add_findings(findings, &mut texts, report);
    Ok(())
}

/// What changed since the merge base with `--base` (all empty without it).
#[derive(Default)]
struct SinceBase {
    /// The merge base commit.
    commit: String,
    /// The registry at the merge base.
    registry: Option<FlagRegistry>,
    /// Kill switches whose registry row the change removes.
    removed_kill_switches: Vec<FlagEntry>,
    /// `FEATURE_X=` values changed in `flags.env_files`.
    env_changes: Vec<EnvChange>,
}

impl SinceBase {
    /// Records the registry's and the env files' changes since `rev` in `report`.
    fn record(
        root: &Path,
        cfg: &FlagsConfig,
        registry: Option<&FlagRegistry>,
        rev: &str,
        report: &mut Report,
    ) -> Result<Self, AppError> {
        let (commit, old) = changes::record(root, &cfg.registry_path().0, registry, rev, report)?;
        let removed_kill_switches = old
            .entries
            .iter()
            .filter(|e| e.kind == Some(FlagType::KillSwitch) && registry.is_some_and(|r| r.get(&e.name).is_none()))
            .cloned()
            .collect();
        let env_changes = changes::record_env(root, &cfg.env_files, registry, rev, report)?;
        Ok(SinceBase {
            commit,
            registry: Some(old),
            removed_kill_switches,
            env_changes,
        })
    }
}

/// `flags.naming`, anchored and compiled.
fn naming(cfg: &FlagsConfig) -> Result<Option<regex::Regex>, AppError> {
    cfg.naming
        .as_ref()
        .map(|n| {
            regex::Regex::new(&format!("^(?:{n})$"))
                .map_err(|e| AppError::Usage(format!("`flags.naming` is not a valid regex: {e}")))
        })
        .transpose()
}

/// The search of the repository for the reference patterns, and what it found.
struct Search {
    set: PatternSet,
    /// `flags.exclude`.
    exclude: Globs,
    /// Never searched: the registry and the configuration file.
    skip: Vec<String>,
    found: search::Outcome,
}

impl Search {
    /// Searches `root`; a file or directory that cannot be read fails the gate.
    fn run(root: &Path, cfg: &FlagsConfig, reg: &FlagRegistry) -> Result<Search, AppError> {
        let set = pattern_set(cfg)?;
        let exclude = Globs::new(&cfg.exclude.iter().map(|g| (g.clone(), 0)).collect::<Vec<_>>())
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
        Ok(Search {
            set,
            exclude,
            skip,
            found,
        })
    }

    /// The references in code: every hit that names a flag.
    fn code_refs(&self, reader: &Reader<'_>) -> Vec<Reference> {
        let mut refs = Vec::new();
        for file in &self.found.files {
            for hit in &file.hits {
                let Some(flag) = reader.flag_of(hit) else { continue };
                let env_var = (self.set.patterns[hit.pattern].capture == Capture::EnvVar)
                    .then(|| format!("FEATURE_{}", hit.name));
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
        refs
    }
}

/// A rollout manifest's reference, with its span when the manifest is readable.
fn manifest_ref(r: &FlagRef, texts: &mut Texts<'_>) -> Reference {
    let span = texts
        .get(&r.file)
        .and_then(|t| span_of(t, r.line, r.column, r.end_column));
    Reference {
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
    }
}

/// Flags whose rollout manifests have no phase with users yet.
fn unexposed(manifest_refs: &[FlagRef]) -> BTreeSet<String> {
    let mut unexposed: BTreeSet<String> = BTreeSet::new();
    for r in manifest_refs.iter().filter(|r| r.exposed == Some(false)) {
        unexposed.insert(r.flag.clone());
    }
    for r in manifest_refs.iter().filter(|r| r.exposed == Some(true)) {
        unexposed.remove(&r.flag);
    }
    unexposed
}

/// Adds the flag rules' findings to `report`, with the text of each file they
/// point into; a span that does not fit that text is dropped.
fn add_findings(mut findings: Vec<Finding>, texts: &mut Texts<'_>, report: &mut Report) {
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
}

/// With `--base`: the kill switches (documented, or a manifest's
/// `kill_switch`) and the `beta_*` flags (documented now or at the merge base
/// `mb`) whose last code reference the change removes; and, for each such beta
/// flag with a GA flag, whether the latest release tag matching `release_tags`
/// reads that GA flag.
fn removed(
    reader: &Reader<'_>,
    refs: &[Reference],
    base_registry: &FlagRegistry,
    kill_switches: &BTreeSet<String>,
    mb: &str,
    release_tags: &str,
) -> Result<(Vec<RemovedRef>, Vec<Cutover>), AppError> {
    let in_code: HashSet<&str> = refs
        .iter()
        .filter(|r| r.kind == RefKind::Code)
        .map(|r| r.flag.as_str())
        .collect();
    let reg = reader.registry;
    let mut wanted = kill_switches.clone();
    wanted.extend(
        reg.entries
            .iter()
            .filter(|e| e.kind == Some(FlagType::KillSwitch))
            .map(|e| e.name.clone()),
    );
    wanted.extend(
        reg.entries
            .iter()
            .chain(&base_registry.entries)
            .filter(|e| has_prefix(&e.name, "beta"))
            .map(|e| e.name.clone()),
    );
    wanted.retain(|f| !in_code.contains(f.as_str()));
    let removed = reader.removed_last_refs(mb, &wanted)?;
    let pending: Vec<(&RemovedRef, String)> = removed
        .iter()
        .filter(|r| has_prefix(&r.flag, "beta"))
        .filter_map(|r| {
            Some((
                r,
                ga_equivalent(&r.flag, &[reg, base_registry], |g| in_code.contains(g))?,
            ))
        })
        .collect();
    if pending.is_empty() {
        return Ok((removed, Vec::new()));
    }
    let tag = crate::git::latest_tag(reader.root, release_tags)?;
    let read = match &tag {
        Some(t) => reader.refs_at(t, &pending.iter().map(|(_, ga)| ga.clone()).collect(), None)?,
        None => Default::default(),
    };
    let cutovers = pending
        .into_iter()
        .map(|(r, ga)| Cutover {
            removed: r.clone(),
            release: match &tag {
                Some(t) => Release::Tag {
                    tag: t.clone(),
                    reads_ga: read.contains_key(&ga),
                },
                None => Release::NoTag {
                    glob: release_tags.to_string(),
                },
            },
            ga,
        })
        .collect();
    Ok((removed, cutovers))
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
                    crate::gates::migrations::Write::Insert => RefKind::MigrationInsert,
                    crate::gates::migrations::Write::Update => RefKind::MigrationUpdate,
                    crate::gates::migrations::Write::Delete => RefKind::MigrationDelete,
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
