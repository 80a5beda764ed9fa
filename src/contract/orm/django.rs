//! Django models (`<app>/models.py` or `<app>/models/*.py`). A model's
//! table is `Meta.db_table`, else `<app_label>_<model name lower-cased>`,
//! the app label being `Meta.app_label` or the directory that holds
//! `models.py` or `models/`. A field `x = models.CharField(…)` is the column
//! `x`, a `ForeignKey` or `OneToOneField` the column `x_id`, unless
//! `db_column="…"` names it; a `ManyToManyField` is its join table
//! `<table>_<x>` (or its `db_table`). A model that inherits from a concrete
//! model has its own table with the column `<parent>_ptr_id`. Fields of an abstract model in the
//! same file belong to each model that inherits them; a proxy model has no
//! table of its own.

use super::python::{self, Assign, Class};
use super::scan::{Lang, Toks};
use super::{file_name, Def, DefKind};

/// Whether the file is a Django models module: a `models` module that
/// imports from `django` (a Flask or FastAPI `models/` package does not).
pub fn applies(path: &str, text: &str) -> bool {
    app_label(path).is_some() && text.contains("django")
}

/// What the file defines; `applies` has said it is one of ours.
pub fn defs(path: &str, text: &str) -> Vec<Def> {
    let Some(label) = app_label(path) else {
        return Vec::new();
    };
    let t = Toks::new(text, Lang::Python);
    let classes = python::classes(&t);
    let parents = python::parents(&classes);
    let meta_flag = |c: &Class<'_>, name| c.inner("Meta").is_some_and(|m| m.flag(&t, name));
    let mut model: Vec<bool> = Vec::with_capacity(classes.len());
    for (c, parents) in classes.iter().zip(&parents) {
        let is = is_model(&t, c) || parents.iter().any(|&p| model[p]);
        model.push(is);
    }
    // Abstract models have no table: their fields go to each heir's.
    let bodies = python::bodies(&classes, &parents, |p| meta_flag(&classes[p], "abstract"));
    let mut out = Vec::new();
    for (k, c) in classes.iter().enumerate() {
        if !model[k] || meta_flag(c, "abstract") || meta_flag(c, "proxy") {
            continue;
        }
        let meta = c.inner("Meta");
        let label = meta.and_then(|m| m.string(&t, "app_label")).unwrap_or(label);
        let table = match meta.and_then(|m| m.string(&t, "db_table")) {
            Some(table) => table.to_string(),
            None if label.is_empty() => continue,
            None => format!("{label}_{}", c.name.to_lowercase()),
        };
        out.push(Def::new(DefKind::Relation, "", &table, c.at));
        // Multi-table inheritance: the link to a concrete parent's table.
        for &p in parents[k]
            .iter()
            .filter(|&&p| model[p] && !meta_flag(&classes[p], "abstract"))
        {
            let link = format!("{}_ptr_id", classes[p].name.to_lowercase());
            out.push(Def::new(DefKind::Column, &table, &link, c.at));
        }
        for assign in &bodies[k] {
            field(&t, assign, &table, &mut out);
        }
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

/// Whether a class derives from `models.Model` or declares a model field.
fn is_model(t: &Toks<'_>, c: &Class<'_>) -> bool {
    c.base_names().any(|b| b == "Model")
        || c.body.iter().any(|a| {
            a.value
                .and_then(|(s, _)| python::call(t, s))
                .is_some_and(|call| is_field(call.func))
        })
}

/// The column (or join table) of one field of the model on `table`.
fn field(t: &Toks<'_>, assign: &Assign, table: &str, out: &mut Vec<Def>) {
    let Some(call) = assign.value.and_then(|(s, _)| python::call(t, s)) else {
        return;
    };
    if !is_field(call.func) {
        return;
    }
    let name = t.text(assign.name);
    let at = t.start(assign.name);
    match call.func {
        "ManyToManyField" => {
            if !call.has_keyword("through") {
                let join = call
                    .keyword_string(t, "db_table")
                    .map_or_else(|| format!("{table}_{name}"), str::to_string);
                out.push(Def::new(DefKind::Relation, "", &join, at));
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::orm::describe;

    fn names(path: &str, text: &str) -> Vec<String> {
        describe(&defs(path, text))
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
    fn a_models_package_without_django_is_not_django() {
        let flask = "from app import db\n\nclass Member(db.Model):\n    id = db.Column(db.Integer)\n";
        assert!(!applies("app/models/member.py", flask));
        assert!(applies(
            "app/models/member.py",
            &format!("from django.db import models\n{flask}")
        ));
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

class Band(Team):
    genre = models.CharField(max_length=20)
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
                "Relation .crm_band",
                "Column crm_band.team_ptr_id",
                "Column crm_band.genre",
            ]
        );
    }
}
