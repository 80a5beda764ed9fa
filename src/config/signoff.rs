//! `signoff:` in shipgate.yml: the sign-offs each class of change requires
//! and who may give them (read by the sign-off classification and evaluation).

use std::collections::BTreeMap;

use globset::{Glob, GlobBuilder};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A repository permission, weakest first (GitHub's `role_name`s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Permission {
    None,
    Read,
    Triage,
    Write,
    Maintain,
    Admin,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::None => "none",
            Permission::Read => "read",
            Permission::Triage => "triage",
            Permission::Write => "write",
            Permission::Maintain => "maintain",
            Permission::Admin => "admin",
        }
    }

    /// From GitHub's `role_name` (or the legacy `permission` field).
    pub fn from_github(s: &str) -> Option<Permission> {
        Some(match s {
            "none" => Permission::None,
            "read" | "pull" => Permission::Read,
            "triage" => Permission::Triage,
            "write" | "push" => Permission::Write,
            "maintain" => Permission::Maintain,
            "admin" => Permission::Admin,
            _ => return None,
        })
    }
}

/// Who may give one sign-off, and how it is given.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct Signer {
    /// The label that gives the sign-off (default `signoff:<name>`).
    #[serde(default)]
    pub label: Option<String>,
    /// GitHub logins allowed to sign off. With `users` and `teams` both empty,
    /// any collaborator with `min_permission` may sign off.
    #[serde(default)]
    pub users: Vec<String>,
    /// Teams (`org/team-slug`) whose members may sign off, whatever their permission.
    #[serde(default)]
    pub teams: Vec<String>,
    /// The least repository permission a signer needs (default `write`).
    #[serde(default = "write")]
    pub min_permission: Permission,
}

fn write() -> Permission {
    Permission::Write
}

impl Signer {
    /// The signer of a sign-off that `signers` does not name.
    pub fn default_for(_name: &str) -> Signer {
        Signer {
            label: None,
            users: Vec::new(),
            teams: Vec::new(),
            min_permission: Permission::Write,
        }
    }

    pub fn label_for(&self, name: &str) -> String {
        self.label.clone().unwrap_or_else(|| format!("signoff:{name}"))
    }
}

/// The `signoff` section of `shipgate.yml` (read from the base commit in `ci`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct SignoffConfig {
    /// Sign-offs required by class of change: `schema-additive`,
    /// `schema-destructive`, `permission-change`, `data-correction`,
    /// `flag-change`, `phase-advance` (any phase) or `phase-advance:<phase>`,
    /// `high-risk`, `docs-only`, `gate-config-change`, `kill-switch-change`
    /// (its sign-offs approve `kill-switch-removed`). A class listed here
    /// replaces its default; `[]` requires nothing.
    #[serde(default, deserialize_with = "crate::config::null_as_default")]
    pub require: BTreeMap<String, Vec<String>>,
    /// Who may give each sign-off. A sign-off not listed is given by the label
    /// `signoff:<name>` from anyone with `write` permission.
    #[serde(default, deserialize_with = "crate::config::null_as_default")]
    pub signers: BTreeMap<String, Signer>,
    /// Whether the pull request's author may sign off their own change.
    #[serde(default)]
    pub allow_self_signoff: bool,
    /// A label added before the head commit was pushed does not count.
    #[serde(default = "yes")]
    pub stale_after_push: bool,
    /// Glob patterns of paths whose change is `high-risk`.
    #[serde(default)]
    pub high_risk_paths: Vec<String>,
    /// Glob patterns of paths whose change is a `permission-change`
    /// (in addition to GRANT/REVOKE and policies in migrations).
    #[serde(default)]
    pub permission_paths: Vec<String>,
    /// Glob patterns of documentation: a pull request that changes only these is `docs-only`.
    #[serde(default = "default_docs")]
    pub docs_paths: Vec<String>,
    /// Distinct approving reviews needed on the head commit, by people other
    /// than the author with at least `write` permission, by class of change:
    /// `any-change` (every pull request) or a class of `require`. The most of
    /// the classes a pull request makes applies. A class listed replaces its
    /// default (`any-change: 1`); `0` asks for none.
    #[serde(default = "default_min_approvals", deserialize_with = "min_approvals")]
    #[schemars(default = "default_min_approvals")]
    pub min_approvals: BTreeMap<String, u32>,
    /// Every commit of the pull request must be verified by GitHub (a signed
    /// commit whose key GitHub knows for its author).
    #[serde(default)]
    pub require_signed_commits: bool,
}

fn default_min_approvals() -> BTreeMap<String, u32> {
    BTreeMap::from([(ANY_CHANGE.to_string(), 1)])
}

/// `min_approvals` over its defaults: a class listed replaces its default.
fn min_approvals<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, u32>, D::Error> {
    let given: Option<BTreeMap<String, u32>> = Deserialize::deserialize(d)?;
    let mut out = default_min_approvals();
    out.extend(given.unwrap_or_default());
    Ok(out)
}

fn yes() -> bool {
    true
}

fn default_docs() -> Vec<String> {
    vec!["**/*.md".into(), "docs/**".into()]
}

impl Default for SignoffConfig {
    fn default() -> Self {
        SignoffConfig {
            require: BTreeMap::new(),
            signers: BTreeMap::new(),
            allow_self_signoff: false,
            stale_after_push: true,
            high_risk_paths: Vec::new(),
            permission_paths: Vec::new(),
            docs_paths: default_docs(),
            min_approvals: default_min_approvals(),
            require_signed_commits: false,
        }
    }
}

/// The sign-offs the default policy names; others must be declared in `signoff.signers`.
pub const BUILT_IN_SIGNOFFS: &[&str] = &["system-owner", "backup-recovery-owner", "security-owner"];

/// The class of `signoff.min_approvals` that every pull request makes.
pub const ANY_CHANGE: &str = "any-change";

/// The classes of change, as named in `signoff.require`.
pub const CLASSES: &[&str] = &[
    "schema-additive",
    "schema-destructive",
    "permission-change",
    "data-correction",
    "flag-change",
    "phase-advance",
    "high-risk",
    "docs-only",
    "gate-config-change",
    "kill-switch-change",
];

/// Whether `name` is a class of change of `signoff.require`.
fn is_class(name: &str) -> bool {
    CLASSES.contains(&name) || name.starts_with("phase-advance:")
}

impl SignoffConfig {
    /// The sign-offs a class requires. `approvers` are a phase's own approvers
    /// (for `phase-advance:<phase>`).
    pub fn required(&self, class: &str, approvers: &[String]) -> Vec<String> {
        if let Some(r) = self.require.get(class) {
            return r.clone();
        }
        if class.starts_with("phase-advance:") {
            if let Some(r) = self.require.get("phase-advance") {
                return r.clone();
            }
            return approvers.to_vec();
        }
        let d: &[&str] = match class {
            "schema-destructive" => &["system-owner", "backup-recovery-owner"],
            "permission-change" => &["system-owner", "security-owner"],
            "high-risk" | "gate-config-change" | "data-correction" | "kill-switch-change" => &["system-owner"],
            _ => &[],
        };
        d.iter().map(|s| s.to_string()).collect()
    }

    /// The signer rules of a sign-off.
    pub fn signer(&self, name: &str) -> Signer {
        self.signers
            .get(name)
            .cloned()
            .unwrap_or_else(|| Signer::default_for(name))
    }

    /// Sign-off names in `require` that are neither built in
    /// ([`BUILT_IN_SIGNOFFS`]) nor declared in `signers`, as (class, name):
    /// most likely misspelt, and a label nobody will ever add.
    pub fn undeclared_signoffs(&self) -> Vec<(String, String)> {
        self.require
            .iter()
            .flat_map(|(class, names)| names.iter().map(move |n| (class.clone(), n.clone())))
            .filter(|(_, n)| !BUILT_IN_SIGNOFFS.contains(&n.as_str()) && !self.signers.contains_key(n))
            .collect()
    }

    /// Every sign-off name the policy knows.
    pub fn known_signoffs(&self) -> Vec<String> {
        let mut out: Vec<String> = BUILT_IN_SIGNOFFS.iter().map(|s| s.to_string()).collect();
        out.extend(
            self.signers
                .keys()
                .filter(|k| !out.contains(k))
                .cloned()
                .collect::<Vec<_>>(),
        );
        out
    }

    /// Unknown class names in `require`: a configuration mistake.
    pub fn unknown_classes(&self) -> Vec<String> {
        self.require.keys().filter(|k| !is_class(k)).cloned().collect()
    }

    /// Unknown class names in `min_approvals`: a configuration mistake.
    pub fn unknown_approval_classes(&self) -> Vec<String> {
        self.min_approvals
            .keys()
            .filter(|k| !is_class(k) && k.as_str() != ANY_CHANGE)
            .cloned()
            .collect()
    }
}
/// A path glob as in `.gitignore`: `*` stays within one folder, `**` crosses folders.
pub fn glob(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(true).build()
}

/// Invalid glob patterns in the policy: configuration mistakes.
pub fn invalid_globs(config: &SignoffConfig) -> Vec<String> {
    config
        .high_risk_paths
        .iter()
        .chain(&config.permission_paths)
        .chain(&config.docs_paths)
        .filter(|p| glob(p).is_err())
        .cloned()
        .collect()
}
