//! Classification: the kinds of change a pull request makes, from the
//! gate's findings and change records and from the paths it changes.

use globset::{GlobSet, GlobSetBuilder};
use serde::Serialize;

use super::SignoffConfig;
use crate::config::signoff::glob;
pub use crate::config::signoff::invalid_globs;
use crate::finding::Finding;
use crate::migration::action::{Action, ObjectKind};
use crate::outcome::Change;
use crate::rule::{Class, Domain};

/// What classification reads: all of it plain data.
#[derive(Debug, Default)]
pub struct ChangeFacts<'a> {
    /// The findings of `check --base` (approved ones included).
    pub findings: &'a [Finding],
    /// The change records of `check --base` (`report.changes`).
    pub changes: &'a [Change],
    /// The actions of every migration statement the pull request adds, by file.
    pub migration_actions: Vec<(String, Vec<Action>)>,
    /// Every path the pull request changes, relative to the repository root.
    pub changed_files: &'a [String],
    /// The configuration file's path, relative to the repository root.
    pub config_paths: &'a [String],
}

/// One class of change, why it applies, and the sign-offs it requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassHit {
    pub class: String,
    pub reason: String,
    pub required: Vec<String>,
}

#[cfg(test)]
impl ClassHit {
    /// A hit of `class` with no reason and no sign-offs, for tests.
    pub fn bare(class: &str) -> ClassHit {
        ClassHit {
            class: class.into(),
            reason: String::new(),
            required: vec![],
        }
    }
}

fn globs(patterns: &[String]) -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        if let Ok(g) = glob(p) {
            b.add(g);
        }
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

/// The classes found so far, each once, in the order found.
struct Hits<'c> {
    config: &'c SignoffConfig,
    hits: Vec<ClassHit>,
}

impl Hits<'_> {
    /// Adds `class` unless it is already there; `approvers` are the sign-offs
    /// it asks for besides the configured ones.
    fn push(&mut self, class: String, reason: String, approvers: &[String]) {
        if self.hits.iter().any(|h| h.class == class) {
            return;
        }
        let required = self.config.required(&class, approvers);
        self.hits.push(ClassHit {
            class,
            reason,
            required,
        });
    }
}

/// The classes of change in a pull request, in a stable order.
pub fn classes_of_change(input: &ChangeFacts<'_>, config: &SignoffConfig) -> Vec<ClassHit> {
    let mut hits = Hits {
        config,
        hits: Vec::new(),
    };
    let destructive = destructive_findings(input.findings, &mut hits);
    // Findings that only the sign-off of their class approves (`kill-switch-removed`).
    for f in input.findings {
        if let Some(class) = super::by_class::class_of(f.rule) {
            hits.push(class.into(), format!("`{}`: {}", f.rule, f.message), &[]);
        }
    }
    let mut first = first_actions(&input.migration_actions);
    if !destructive {
        if let Some(r) = first.additive {
            hits.push("schema-additive".into(), r, &[]);
        }
    }
    let perm_globs = globs(&config.permission_paths);
    if first.permission.is_none() {
        first.permission = input
            .changed_files
            .iter()
            .find(|p| perm_globs.is_match(p.as_str()))
            .map(|p| format!("`{p}` matches `signoff.permission_paths`"));
    }
    if let Some(r) = first.permission {
        hits.push("permission-change".into(), r, &[]);
    }
    if let Some(r) = first.data {
        hits.push("data-correction".into(), r, &[]);
    }
    flag_and_phase_changes(input.changes, &mut hits);
    path_classes(input, config, &mut hits);
    hits.hits
}

/// `schema-destructive` when a migration finding of the contract class is
/// there (approved or not); whether one was.
fn destructive_findings(findings: &[Finding], hits: &mut Hits<'_>) -> bool {
    let destructive: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.meta.class == Class::Contract && f.meta.domain == Domain::Migration)
        .collect();
    let Some(f) = destructive.first() else {
        return false;
    };
    let approved = destructive.iter().filter(|f| f.approved).count();
    hits.push(
        "schema-destructive".into(),
        format!(
            "{} destructive migration finding(s) ({} approved), first `{}` in `{}`",
            destructive.len(),
            approved,
            f.rule,
            f.file.as_deref().unwrap_or("-")
        ),
        &[],
    );
    true
}

/// The first migration action of each class, described for its reason.
#[derive(Default)]
struct FirstActions {
    additive: Option<String>,
    permission: Option<String>,
    data: Option<String>,
}

fn first_actions(migration_actions: &[(String, Vec<Action>)]) -> FirstActions {
    let mut first = FirstActions::default();
    for (file, actions) in migration_actions {
        for a in actions {
            match a {
                Action::Permission { what } => {
                    first.permission.get_or_insert_with(|| format!("`{what}` in `{file}`"));
                }
                // Row-level security policies and roles decide who sees and does what.
                Action::Create {
                    kind: kind @ (ObjectKind::Policy | ObjectKind::Role),
                    ..
                }
                | Action::Drop {
                    kind: kind @ (ObjectKind::Policy | ObjectKind::Role),
                    ..
                }
                | Action::Rename {
                    kind: kind @ (ObjectKind::Policy | ObjectKind::Role),
                    ..
                } => {
                    let verb = match a {
                        Action::Create { .. } => "CREATE",
                        Action::Drop { .. } => "DROP",
                        _ => "RENAME",
                    };
                    first
                        .permission
                        .get_or_insert_with(|| format!("`{verb} {}` in `{file}`", kind.label().to_uppercase()));
                }
                Action::Update { table, .. } | Action::Delete { table, .. } => {
                    let verb = if matches!(a, Action::Update { .. }) {
                        "UPDATE"
                    } else {
                        "DELETE"
                    };
                    first
                        .data
                        .get_or_insert_with(|| format!("{verb} of `{}` in `{file}`", table));
                }
                Action::CreateTable { .. }
                | Action::Create { .. }
                | Action::AddColumn { .. }
                | Action::AddConstraint { .. }
                | Action::CreateIndex { .. }
                | Action::AddEnumValue { .. } => {
                    first
                        .additive
                        .get_or_insert_with(|| format!("schema added in `{file}`"));
                }
                _ => {}
            }
        }
    }
    first
}

/// `flag-change` for a registry change, `phase-advance:<to>` for a phase advance.
fn flag_and_phase_changes(changes: &[Change], hits: &mut Hits<'_>) {
    for c in changes {
        if let Some(flag) = c.flag() {
            hits.push("flag-change".into(), format!("{} `{flag}`", c.kind()), &[]);
        } else if let Change::PhaseAdvance(p) = c {
            let to = p.to.as_str();
            let feature = p.feature.as_deref().unwrap_or("?");
            let mut approvers = p.approvers.clone();
            // Into the final phase (GA) the System Owner signs off too, by default.
            let ga = p.is_final;
            if ga && !approvers.iter().any(|a| a == "system-owner") {
                approvers.push("system-owner".into());
            }
            hits.push(
                format!("phase-advance:{to}"),
                format!(
                    "`{feature}` advances to phase `{to}`{}",
                    if ga { " (the final phase)" } else { "" }
                ),
                &approvers,
            );
        }
    }
}

/// The classes the changed paths alone decide: `high-risk`,
/// `gate-config-change` and `docs-only`.
fn path_classes(input: &ChangeFacts<'_>, config: &SignoffConfig, hits: &mut Hits<'_>) {
    let high = globs(&config.high_risk_paths);
    if let Some(p) = input.changed_files.iter().find(|p| high.is_match(p.as_str())) {
        hits.push(
            "high-risk".into(),
            format!("`{p}` matches `signoff.high_risk_paths`"),
            &[],
        );
    }
    if let Some(p) = input.changed_files.iter().find(|p| input.config_paths.contains(p)) {
        hits.push("gate-config-change".into(), format!("`{p}` changed"), &[]);
    }
    let docs = globs(&config.docs_paths);
    if !input.changed_files.is_empty() && input.changed_files.iter().all(|p| docs.is_match(p.as_str())) {
        hits.push(
            "docs-only".into(),
            "every changed path matches `signoff.docs_paths`".into(),
            &[],
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::action::Name;

    fn name(s: &str) -> Name {
        Name {
            schema: None,
            name: s.into(),
        }
    }

    #[test]
    fn destructive_findings_count_even_when_approved() {
        let mut f = Finding::new(crate::registry::find("ban-drop-column").expect("rule"), "drop");
        f.approved = true;
        f.file = Some("m/1.sql".into());
        let findings = [f];
        let hits = classes_of_change(
            &ChangeFacts {
                findings: &findings,
                ..Default::default()
            },
            &SignoffConfig::default(),
        );
        assert_eq!(hits[0].class, "schema-destructive");
        assert!(hits[0].reason.contains("1 approved"), "{}", hits[0].reason);
        assert_eq!(hits[0].required, ["system-owner", "backup-recovery-owner"]);
    }

    #[test]
    fn grants_updates_flags_phases_and_paths() {
        let advance = |feature: &str, to: &str, is_final: bool| {
            Change::PhaseAdvance(crate::outcome::PhaseChange {
                feature: Some(feature.into()),
                file: format!("rollouts/{feature}.yml"),
                line: 1,
                from: None,
                to: to.into(),
                approvers: vec!["lead".into()],
                is_final,
            })
        };
        let changes = [
            Change::FlagAdded {
                flag: "new_checkout".into(),
                file: "docs/flags.md".into(),
                line: 3,
                fields: vec![],
            },
            advance("checkout", "beta", false),
            advance("search", "ga", true),
        ];
        let files: Vec<String> = ["shipgate.yml", "src/auth/login.rs"].map(String::from).to_vec();
        let config_paths = vec!["shipgate.yml".to_string()];
        let config = SignoffConfig {
            high_risk_paths: vec!["src/auth/**".into()],
            ..Default::default()
        };
        let input = ChangeFacts {
            changes: &changes,
            migration_actions: vec![(
                "m/2.sql".into(),
                vec![
                    Action::Permission { what: "GRANT".into() },
                    Action::Update {
                        table: name("members"),
                        has_where: true,
                        columns: vec!["plan".into()],
                    },
                ],
            )],
            changed_files: &files,
            config_paths: &config_paths,
            ..Default::default()
        };
        let hits = classes_of_change(&input, &config);
        let ga = hits.iter().find(|h| h.class == "phase-advance:ga").unwrap();
        assert_eq!(
            ga.required,
            ["lead", "system-owner"],
            "PILOT → GA needs the System Owner"
        );
        let beta = hits.iter().find(|h| h.class == "phase-advance:beta").unwrap();
        assert_eq!(beta.required, ["lead"]);
        let classes: Vec<String> = hits.into_iter().map(|h| h.class).collect();
        assert_eq!(
            classes,
            [
                "permission-change",
                "data-correction",
                "flag-change",
                "phase-advance:beta",
                "phase-advance:ga",
                "high-risk",
                "gate-config-change"
            ]
        );
    }

    #[test]
    fn policies_roles_and_row_level_security_are_permission_changes() {
        for (sql, reason) in [
            ("CREATE POLICY p ON t USING (true);", "CREATE POLICY"),
            ("ALTER POLICY p ON t USING (false);", "ALTER POLICY"),
            ("DROP POLICY p ON t;", "DROP POLICY"),
            ("CREATE ROLE reporting;", "CREATE ROLE"),
            ("DROP ROLE reporting;", "DROP ROLE"),
            ("ALTER TABLE t ENABLE ROW LEVEL SECURITY;", "ENABLE ROW LEVEL SECURITY"),
            (
                "ALTER TABLE t NO FORCE ROW LEVEL SECURITY;",
                "NO FORCE ROW LEVEL SECURITY",
            ),
            ("GRANT SELECT ON t TO reporting;", "GRANT"),
        ] {
            let file = crate::migration::MigrationFile::parse(
                "m/3.sql".to_string(),
                sql.to_string(),
                crate::config::SqlDialect::default(),
                false,
            );
            let actions = file.statements.into_iter().flat_map(|s| s.actions).collect();
            let hits = classes_of_change(
                &ChangeFacts {
                    migration_actions: vec![("m/3.sql".into(), actions)],
                    ..Default::default()
                },
                &SignoffConfig::default(),
            );
            let perm = hits.iter().find(|h| h.class == "permission-change");
            let perm = perm.unwrap_or_else(|| panic!("{sql}: {hits:?}"));
            assert!(perm.reason.starts_with(&format!("`{reason}")), "{sql}: {}", perm.reason);
            assert_eq!(perm.required, ["system-owner", "security-owner"]);
        }
    }

    #[test]
    fn a_star_stays_within_one_folder() {
        let set = globs(&["src/*.rs".to_string(), "db/**".to_string()]);
        assert!(set.is_match("src/main.rs"));
        assert!(!set.is_match("src/auth/login.rs"));
        assert!(set.is_match("db/a/b/c.sql"));
    }

    #[test]
    fn docs_only() {
        let files: Vec<String> = vec!["README.md".into(), "docs/x.txt".into()];
        let hits = classes_of_change(
            &ChangeFacts {
                changed_files: &files,
                ..Default::default()
            },
            &SignoffConfig::default(),
        );
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].class, "docs-only");
        assert!(hits[0].required.is_empty());
    }
}
