//! A schema model replayed statically from the migrations, in order: which
//! tables and columns exist with which types, which NOT NULL checks are
//! validated, and what was created by the change being checked.

use std::collections::{HashMap, HashSet};

use super::action::*;

#[derive(Debug, Clone)]
pub struct Column {
    pub ty: SqlType,
    pub not_null: bool,
    pub created_in_change: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub columns: HashMap<String, Column>,
    pub created_in_change: bool,
    /// CHECK constraints of the form `col IS NOT NULL`: name → (column, validated).
    pub not_null_checks: HashMap<String, (String, bool)>,
}

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub tables: HashMap<Name, Table>,
    /// Objects created by the change being checked, by kind and name.
    created: HashSet<(ObjectKind, Name)>,
}

impl Catalog {
    /// Starts a new change: what exists stays, nothing counts as new.
    pub fn begin_change(&mut self) {
        self.created.clear();
        for t in self.tables.values_mut() {
            t.created_in_change = false;
            for c in t.columns.values_mut() {
                c.created_in_change = false;
            }
        }
    }

    pub fn table(&self, name: &Name) -> Option<&Table> {
        self.tables.get(name)
    }

    /// True when the table was created by the change being checked.
    pub fn table_is_new(&self, name: &Name) -> bool {
        self.tables.get(name).is_some_and(|t| t.created_in_change)
    }

    pub fn column_is_new(&self, table: &Name, column: &str) -> bool {
        self.tables
            .get(table)
            .is_some_and(|t| t.created_in_change || t.columns.get(column).is_some_and(|c| c.created_in_change))
    }

    /// True when the object was created by the change being checked.
    pub fn is_new(&self, kind: ObjectKind, name: &Name) -> bool {
        match kind {
            ObjectKind::Table => self.table_is_new(name),
            _ => self.created.contains(&(kind, name.clone())),
        }
    }

    pub fn column_type(&self, table: &Name, column: &str) -> Option<&SqlType> {
        self.tables.get(table)?.columns.get(column).map(|c| &c.ty)
    }

    /// True when a validated `CHECK (column IS NOT NULL)` exists.
    pub fn has_validated_not_null_check(&self, table: &Name, column: &str) -> bool {
        self.tables
            .get(table)
            .is_some_and(|t| t.not_null_checks.values().any(|(c, valid)| c == column && *valid))
    }

    /// Replays one action.
    pub fn apply(&mut self, action: &Action) {
        match action {
            Action::CreateTable {
                table,
                columns,
                constraints,
                ..
            } => {
                let mut t = Table {
                    created_in_change: true,
                    ..Table::default()
                };
                for c in columns {
                    t.columns.insert(
                        c.name.clone(),
                        Column {
                            ty: c.ty.clone(),
                            not_null: c.not_null,
                            created_in_change: true,
                        },
                    );
                }
                for con in constraints {
                    if let (Some(name), Some(col)) = (&con.name, &con.not_null_column) {
                        t.not_null_checks.insert(name.clone(), (col.clone(), !con.not_valid));
                    }
                }
                self.tables.insert(table.clone(), t);
            }
            Action::Create { kind, name, .. } => {
                self.created.insert((*kind, name.clone()));
            }
            Action::CreateIndex { name: Some(name), .. } => {
                self.created.insert((ObjectKind::Index, name.clone()));
            }
            Action::AddColumn { table, column } => {
                let t = self.tables.entry(table.clone()).or_default();
                t.columns.insert(
                    column.name.clone(),
                    Column {
                        ty: column.ty.clone(),
                        not_null: column.not_null,
                        created_in_change: true,
                    },
                );
            }
            Action::DropColumn { table, column } => {
                if let Some(t) = self.tables.get_mut(table) {
                    t.columns.remove(column);
                }
            }
            Action::AlterColumnType { table, column, ty, .. } => {
                if let Some(c) = self.tables.get_mut(table).and_then(|t| t.columns.get_mut(column)) {
                    c.ty = ty.clone();
                }
            }
            Action::SetNotNull { table, column } => {
                if let Some(c) = self.tables.get_mut(table).and_then(|t| t.columns.get_mut(column)) {
                    c.not_null = true;
                }
            }
            Action::AddConstraint { table, constraint } => {
                if let (Some(name), Some(col)) = (&constraint.name, &constraint.not_null_column) {
                    let t = self.tables.entry(table.clone()).or_default();
                    t.not_null_checks
                        .insert(name.clone(), (col.clone(), !constraint.not_valid));
                }
            }
            Action::ValidateConstraint { table, name } => {
                if let Some(chk) = self.tables.get_mut(table).and_then(|t| t.not_null_checks.get_mut(name)) {
                    chk.1 = true;
                }
            }
            Action::Drop { kind, names, on, .. } => {
                for n in names {
                    match kind {
                        ObjectKind::Table => {
                            self.tables.remove(n);
                        }
                        ObjectKind::Constraint => {
                            if let Some(t) = on.as_ref().and_then(|o| self.tables.get_mut(o)) {
                                t.not_null_checks.remove(&n.name);
                            }
                        }
                        _ => {}
                    }
                    self.created.remove(&(*kind, n.clone()));
                }
            }
            Action::Rename {
                kind: ObjectKind::Table,
                from,
                to,
                ..
            } => {
                if let Some(t) = self.tables.remove(from) {
                    self.tables.insert(Name::new(from.schema.clone(), to.clone()), t);
                }
            }
            Action::Rename { kind, from, to, .. } => {
                if self.created.remove(&(*kind, from.clone())) {
                    self.created.insert((*kind, Name::new(from.schema.clone(), to.clone())));
                }
            }
            Action::RenameColumn { table, from, to } => {
                if let Some(t) = self.tables.get_mut(table) {
                    if let Some(c) = t.columns.remove(from) {
                        t.columns.insert(to.clone(), c);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_change_keeps_types_but_not_newness() {
        let mut c = Catalog::default();
        let users = Name::new(None, "users");
        c.apply(&Action::CreateTable {
            table: users.clone(),
            columns: vec![ColumnDef {
                name: "name".into(),
                ty: SqlType::parse("varchar(10)"),
                not_null: false,
                default: None,
                generated: false,
                primary_key: false,
                references: false,
            }],
            constraints: vec![],
            unlogged: false,
        });
        assert!(c.table_is_new(&users));
        c.begin_change();
        assert!(!c.table_is_new(&users));
        assert_eq!(c.column_type(&users, "name").unwrap().mods, vec![10]);
    }
}
