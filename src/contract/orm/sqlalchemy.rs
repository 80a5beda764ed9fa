//! SQLAlchemy models in Python. Declarative classes: the table is
//! `__tablename__` (Flask-SQLAlchemy's `db.Model` defaults it to the class
//! name in snake_case; a subclass without one shares its parent's table,
//! single-table inheritance), and each `x = Column(…)`,
//! `x: Mapped[…] = mapped_column(…)` or bare `x: Mapped[…]` is the column
//! `x`, unless `Column("db_name")` or `name="db_name"` names it. Columns of
//! a mixin or `__abstract__` base defined in the same file belong to each
//! table that inherits them. Core: `Table("members", metadata,
//! Column("old_field", …))`. Types: `Enum("a", "b", name="status")`.

use super::python::{self, Assign, Class};
use super::scan::{Kind, Lang, Toks};
use super::{snake_case, Def, DefKind};

/// Whether the file is Python that may declare SQLAlchemy tables
/// (Flask-SQLAlchemy files need not name `sqlalchemy`).
pub fn applies(path: &str, text: &str) -> bool {
    path.ends_with(".py")
        && ["sqlalchemy", "Column(", "mapped_column(", "Mapped["]
            .iter()
            .any(|w| text.contains(w))
}

/// What the file defines; `applies` has said it is one of ours.
pub fn defs(_path: &str, text: &str) -> Vec<Def> {
    let t = Toks::new(text, Lang::Python);
    let classes = python::classes(&t);
    let parents = python::parents(&classes);
    let mut tables: Vec<Option<(String, bool)>> = Vec::with_capacity(classes.len());
    for (c, parents) in classes.iter().zip(&parents) {
        let table = table_of(&t, c, parents, &tables);
        tables.push(table);
    }
    // Mixins and abstract bases have no table: their columns go to each heir's.
    let bodies = python::bodies(&classes, &parents, |p| tables[p].is_none());
    let mut out = Vec::new();
    for ((c, table), body) in classes.iter().zip(&tables).zip(&bodies) {
        let Some((table, own)) = table else {
            continue;
        };
        if *own {
            out.push(Def::new(DefKind::Relation, "", table, c.at));
        }
        for assign in body {
            if let Some(column) = column_of(&t, assign) {
                out.push(Def::new(DefKind::Column, table, column, t.start(assign.name)));
            }
        }
    }
    core(&t, &mut out);
    out
}

/// The table a class maps to, and whether it is its own (not a parent's),
/// given the tables of the classes before it.
fn table_of(
    t: &Toks<'_>,
    c: &Class<'_>,
    parents: &[usize],
    tables: &[Option<(String, bool)>],
) -> Option<(String, bool)> {
    if c.flag(t, "__abstract__") {
        return None;
    }
    if let Some(assign) = c.get(t, "__tablename__") {
        let (s, e) = assign.value?;
        return python::single_string(t, s, e).map(|name| (name.to_string(), true));
    }
    if let Some((table, _)) = parents.iter().find_map(|&p| tables[p].as_ref()) {
        return Some((table.clone(), false));
    }
    // Flask-SQLAlchemy: `class MemberProfile(db.Model)` is `member_profile`.
    let flask = c.bases.iter().any(|b| *b == "db.Model" || *b == "Model");
    flask.then(|| (snake_case(c.name), true))
}

/// The column an assignment in a class body declares, if any.
fn column_of<'a>(t: &Toks<'a>, assign: &Assign) -> Option<&'a str> {
    let attr = t.text(assign.name);
    if attr.starts_with("__") {
        return None;
    }
    match (assign.value, assign.annotation) {
        (Some((s, _)), _) => python::call(t, s)
            .filter(|call| matches!(call.func, "Column" | "mapped_column"))
            .map(|call| {
                call.positional_string(t, 0)
                    .or_else(|| call.keyword_string(t, "name"))
                    .unwrap_or(attr)
            }),
        (None, Some((s, e))) => (s..e).any(|k| t.ident(k, "Mapped")).then_some(attr),
        (None, None) => None,
    }
}

/// `Table("name", metadata, Column("col", …), …)` and `Enum("a", …, name="type")`
/// anywhere in the file.
fn core(t: &Toks<'_>, out: &mut Vec<Def>) {
    for i in 0..t.len() {
        if !t.is(i, Kind::Ident) || (i > 0 && t.punct(i - 1, b'.')) {
            continue;
        }
        let Some(call) = python::call(t, i) else {
            continue;
        };
        match call.func {
            "Table" => {
                let Some(table) = call.positional_string(t, 0) else {
                    continue;
                };
                out.push(Def::new(DefKind::Relation, "", table, t.start(call.args[0].start)));
                for arg in call.args.iter().filter(|a| a.keyword.is_none()) {
                    let column = python::call(t, arg.start).filter(|c| c.func == "Column");
                    if let Some(column) = column.as_ref().and_then(|c| c.positional_string(t, 0)) {
                        let at = column_at(t, arg.start);
                        out.push(Def::new(DefKind::Column, table, column, at));
                    }
                }
            }
            "Enum" => {
                let Some(name) = call.keyword_string(t, "name") else {
                    continue;
                };
                let at = call
                    .args
                    .iter()
                    .find(|a| a.keyword == Some("name"))
                    .map_or(0, |a| t.start(a.start));
                out.push(Def::new(DefKind::Type, "", name, at));
                for arg in call.args.iter().filter(|a| a.keyword.is_none()) {
                    if let Some(value) = python::single_string(t, arg.start, arg.end) {
                        out.push(Def::new(DefKind::EnumValue, name, value, t.start(arg.start)));
                    }
                }
            }
            _ => {}
        }
    }
}

/// The byte offset of the name string in the `Column("name", …)` call at `i`.
fn column_at(t: &Toks<'_>, mut i: usize) -> usize {
    while !t.punct(i, b'(') && i < t.len() {
        i += 1;
    }
    t.start(i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::orm::describe;

    fn names(text: &str) -> Vec<String> {
        describe(&defs("app/models.py", text))
    }

    #[test]
    fn declarative_core_and_enums() {
        let text = r#"
from sqlalchemy import Column, Enum, ForeignKey, Integer, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

class Base(DeclarativeBase):
    pass

class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=func.now())

class Member(TimestampMixin, Base):
    __tablename__ = "members"
    id: Mapped[int] = mapped_column(primary_key=True)
    old_field = Column("legacy_field", String(200))
    # gone = Column(String)
    nickname: Mapped[Optional[str]]
    email: Mapped[str] = mapped_column(String, name="email_address")
    status = Column(Enum("active", "gone", name="member_status"))
    orders: Mapped[List["Order"]] = relationship(back_populates="member")

    def label(self):
        x = Column("not_a_field")
        return x

class Admin(Member):
    level = Column(Integer)

association = Table(
    "member_tags",
    Base.metadata,
    Column("member_id", ForeignKey("members.id")),
    Column("tag_id", ForeignKey("tags.id")),
)
"#;
        assert_eq!(
            names(text),
            [
                "Relation .members",
                "Column members.id",
                "Column members.legacy_field",
                "Column members.nickname",
                "Column members.email_address",
                "Column members.status",
                "Column members.created_at",
                "Column members.level",
                "Type .member_status",
                "EnumValue member_status.active",
                "EnumValue member_status.gone",
                "Relation .member_tags",
                "Column member_tags.member_id",
                "Column member_tags.tag_id",
            ]
        );
    }

    #[test]
    fn flask_models_default_to_the_snake_case_class_name() {
        let text = "class MemberProfile(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n";
        assert_eq!(names(text), ["Relation .member_profile", "Column member_profile.id"]);
    }
}
