//! Django models (`<app>/models.py` or `<app>/models/*.py`). A model's
//! table is `Meta.db_table`, else `<app_label>_<model name lower-cased>`,
//! the app label being `Meta.app_label` or the directory that holds
//! `models.py` or `models/`. A field `x = models.CharField(…)` is the column
//! `x`, a `ForeignKey` or `OneToOneField` the column `x_id`, unless
//! `db_column="…"` names it; a `ManyToManyField` is its join table
//! `<table>_<x>` (or its `db_table`). Fields of an abstract model in the
//! same file belong to each model that inherits them; a proxy model has no
//! table of its own.

use super::python::{self, Class};
use super::scan::{Lang, Toks};
use super::{file_name, Def, DefKind};

/// How deep abstract inheritance is followed (and a guard against cycles).
const MAX_DEPTH: usize = 8;

pub fn defs(path: &str, text: &str) -> Vec<Def> {
    let Some(label) = app_label(path) else {
        return Vec::new();
    };
    if !text.contains("models") && !text.contains("Field(") {
        return Vec::new();
    }
    let t = Toks::new(text, Lang::Python);
    let classes = python::classes(&t);
    let mut out = Vec::new();
    for c in classes.iter().filter(|c| is_model(&t, &classes, c, 0)) {
        let meta = c.inner("Meta");
        let flag = |name| meta.is_some_and(|m| m.flag(&t, name));
        if flag("abstract") || flag("proxy") {
            continue;
        }
        let label = meta.and_then(|m| m.string(&t, "app_label")).unwrap_or(label);
        let table = match meta.and_then(|m| m.string(&t, "db_table")) {
            Some(table) => table.to_string(),
            None if label.is_empty() => continue,
            None => format!("{label}_{}", c.name.to_lowercase()),
        };
        out.push(Def::new(DefKind::Relation, "", &table, c.at));
        fields(&t, &classes, c, &table, 0, &mut out);
    }
    out
}

/// The app label the path gives: the directory holding `models.py` or
/// `models/`; `Some("")` when there is none; `None` for other files.
fn app_label(path: &str) -> Option<&str> {
    let name = file_name(path);
    let dir = path.strip_suffix(name)?.strip_suffix('/').unwrap_or("");
    let app_dir = if name == "models.py" {
        dir
    } else if name.ends_with(".py") && file_name(dir) == "models" {
        dir.strip_suffix("models")?.strip_suffix('/').unwrap_or("")
    } else {
        return None;
    };
    Some(file_name(app_dir))
}

/// A Django model field call: `CharField`, `ForeignKey`, a custom `MoneyField`.
fn is_field(func: &str) -> bool {
    func.ends_with("Field") || func == "ForeignKey"
}

fn is_model(t: &Toks<'_>, classes: &[Class<'_>], c: &Class<'_>, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    c.base_names().any(|b| {
        b == "Model"
            || classes
                .iter()
                .any(|p| p.name == b && p.name != c.name && is_model(t, classes, p, depth + 1))
    }) || c.body.iter().any(|a| {
        a.value
            .and_then(|(s, _)| python::call(t, s))
            .is_some_and(|call| is_field(call.func))
    })
}

/// The columns (and join tables) of a model's fields, with those of the
/// abstract models it inherits from in this file.
fn fields(t: &Toks<'_>, classes: &[Class<'_>], c: &Class<'_>, table: &str, depth: usize, out: &mut Vec<Def>) {
    if depth > MAX_DEPTH {
        return;
    }
    for assign in &c.body {
        let Some(call) = assign.value.and_then(|(s, _)| python::call(t, s)) else {
            continue;
        };
        if !is_field(call.func) {
            continue;
        }
        let name = t.text(assign.name);
        let at = t.start(assign.name);
        match call.func {
            "ManyToManyField" => {
                if call.has_keyword("through") {
                    continue;
                }
                let join = call
                    .keyword_string(t, "db_table")
                    .map_or_else(|| format!("{table}_{name}"), str::to_string);
                out.push(Def::new(DefKind::Relation, "", &join, at));
            }
            "ForeignKey" | "OneToOneField" => {
                let column = call
                    .keyword_string(t, "db_column")
                    .map_or_else(|| format!("{name}_id"), str::to_string);
                out.push(Def::new(DefKind::Column, table, &column, at));
            }
            _ => {
                let column = call.keyword_string(t, "db_column").unwrap_or(name);
                out.push(Def::new(DefKind::Column, table, column, at));
            }
        }
    }
    for base in c.base_names() {
        let parent = classes.iter().find(|p| p.name == base && p.name != c.name);
        let abstract_parent = parent.filter(|p| p.inner("Meta").is_some_and(|m| m.flag(t, "abstract")));
        if let Some(parent) = abstract_parent {
            fields(t, classes, parent, table, depth + 1, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(path: &str, text: &str) -> Vec<String> {
        defs(path, text)
            .iter()
            .map(|d| format!("{:?} {}.{}", d.kind, d.owner, d.name))
            .collect()
    }

    #[test]
    fn the_app_label_is_the_directory_of_models() {
        assert_eq!(app_label("shop/models.py"), Some("shop"));
        assert_eq!(app_label("src/shop/models/member.py"), Some("shop"));
        assert_eq!(app_label("models.py"), Some(""));
        assert_eq!(app_label("shop/views.py"), None);
        assert_eq!(app_label("shop/models.pyc"), None);
    }

    #[test]
    fn default_and_explicit_names() {
        let text = r#"
from django.db import models

class Timestamped(models.Model):
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

class Member(Timestamped):
    old_field = models.CharField(max_length=200)
    # legacy = models.CharField(max_length=20)
    nick = models.CharField(max_length=20, db_column="nickname")
    team = models.ForeignKey("Team", on_delete=models.CASCADE)
    owner = models.OneToOneField(User, on_delete=models.CASCADE, db_column="owner")
    tags = models.ManyToManyField("Tag")
    objects = MemberManager()

    def __str__(self):
        return self.nick

class Team(models.Model):
    old_field = models.TextField()

    class Meta:
        db_table = "teams"

class Status(models.TextChoices):
    ACTIVE = "active"
"#;
        assert_eq!(
            names("crm/models.py", text),
            [
                "Relation .crm_member",
                "Column crm_member.old_field",
                "Column crm_member.nickname",
                "Column crm_member.team_id",
                "Column crm_member.owner",
                "Relation .crm_member_tags",
                "Column crm_member.created",
                "Relation .teams",
                "Column teams.old_field",
            ]
        );
    }
}
