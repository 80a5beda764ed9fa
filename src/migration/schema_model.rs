//! A schema model replayed statically from the migrations, in order: which
//! tables and columns exist with which types, which NOT NULL checks are
//! validated, and what was created by the change being checked.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::action::*;

#[derive(Debug, Clone)]
pub struct Column {
    pub ty: SqlType,
    pub not_null: bool,
    pub created_in_change: bool,
    /// A default, identity, generation or serial fills the column when an
    /// INSERT leaves it out.
    pub has_default: bool,
}

impl Column {
    fn from_def(c: &ColumnDef) -> Column {
        Column {
            ty: c.ty.clone(),
            not_null: implicitly_not_null(c),
            created_in_change: true,
            has_default: c.default.is_some()
                || c.generated.is_some()
                || matches!(c.ty.base.as_str(), "serial" | "bigserial" | "smallserial"),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub columns: HashMap<String, Column>,
    pub created_in_change: bool,
    /// A temporary table: it is gone when the migration's session ends.
    pub temporary: bool,
    /// CHECK constraints of the form `col IS NOT NULL`: name → (column, validated).
    pub not_null_checks: HashMap<String, (String, bool)>,
    /// Columns made NOT NULL by `SET NOT NULL`, including columns whose
    /// definition the model has not seen.
    pub set_not_null: HashSet<String>,
    /// Constraints by name, with the names PostgreSQL gives unnamed keys.
    pub constraints: HashMap<String, KnownConstraint>,
    /// The model saw the table created, so it saw every constraint since
    /// (not a table it only knows from later statements).
    pub defined: bool,
    /// The model saw the table created with every column written out, so it
    /// saw every column since (not `LIKE`, `INHERITS`, `AS SELECT` ...).
    pub columns_known: bool,
    /// Unique indexes by name (including those behind PRIMARY KEY and UNIQUE
    /// constraints): their columns, sorted; empty when not plain columns.
    pub unique_indexes: HashMap<String, Vec<String>>,
}

/// A constraint the model saw created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownConstraint {
    pub kind: ConstraintKind,
    /// Key columns of a PRIMARY KEY or UNIQUE constraint, sorted (empty when unknown).
    pub columns: Vec<String>,
}

/// Rows one `INSERT ... VALUES` wrote: its column list (empty when not
/// written) and each row's literals (`None` where a value is no literal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
}

impl Seed {
    /// True when the rows may include one whose `column` is one of `values`:
    /// not so only when every row has a literal there outside `values`.
    pub fn may_match(&self, column: &str, values: &[String]) -> bool {
        let Some(k) = self.columns.iter().position(|c| c == column) else {
            return true;
        };
        self.rows
            .iter()
            .any(|r| r.get(k).is_none_or(|v| v.as_ref().is_none_or(|v| values.contains(v))))
    }
}

/// What the running release can select from a view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewShape {
    pub materialized: bool,
    /// Output columns in order; `None` when unknown (`SELECT *`, unread SQL).
    pub columns: Option<Vec<String>>,
    /// The `CREATE` statement's SQL, for the types of the columns.
    pub query: Option<String>,
}

/// A view of an earlier change that the current change dropped, with the
/// types of its columns where the model can show them.
#[derive(Debug, Clone)]
pub struct DroppedView {
    pub shape: ViewShape,
    pub types: Vec<Option<SqlType>>,
}

impl DroppedView {
    /// The type of output column `column`, when known.
    pub fn column_type(&self, column: &str) -> Option<&SqlType> {
        let k = self.shape.columns.as_ref()?.iter().position(|c| c == column)?;
        self.types.get(k)?.as_ref()
    }
}

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Views and materialized views by name.
    pub views: HashMap<Name, ViewShape>,
    /// Views of earlier changes that the current change dropped, as they were.
    dropped_views: HashMap<Name, DroppedView>,
    pub tables: HashMap<Name, Table>,
    /// Objects created by the change being checked, by kind and name.
    created: HashSet<(ObjectKind, Name)>,
    /// Objects created by earlier changes (tables are in `tables`).
    earlier: HashSet<(ObjectKind, Name)>,
    /// Tables created or given columns by the current change, so that a new
    /// change resets only those (a long history must not cost quadratic time).
    touched: Vec<Name>,
    /// Tables that earlier changes wrote rows into with `INSERT ... VALUES`:
    /// reference data the running release may rely on.
    seeded: HashMap<Name, Vec<Seed>>,
    /// Rows the current change seeds.
    seeding: Vec<(Name, Seed)>,
    /// Labels of the enum types the model saw created, by type name.
    pub enums: HashMap<Name, Vec<String>>,
    /// Types renamed (or moved to another schema): new name → the name before.
    pub type_renamed_from: HashMap<Name, Name>,
    /// Functions and procedures created with a quoted body, by name in lower
    /// case (the latest definition), so that a later call can be looked into.
    pub routines: BTreeMap<String, String>,
    /// Functions created with a plain result type, by name in lower case
    /// (the latest definition): argument types and result type.
    pub returns: HashMap<String, (Vec<SqlType>, SqlType)>,
}

impl super::view_types::Known for Catalog {
    fn relation(&self, name: &Name) -> Option<super::view_types::Columns> {
        if let Some(t) = self.tables.get(name) {
            return t
                .columns_known
                .then(|| t.columns.iter().map(|(n, c)| (n.clone(), Some(c.ty.clone()))).collect());
        }
        // A view's columns, without their types: reading those would parse
        // every view it stands on, at every use.
        let columns = self.views.get(name)?.columns.as_ref()?;
        Some(columns.iter().map(|c| (c.clone(), None)).collect())
    }

    fn routine(&self, name: &str) -> Option<(Vec<SqlType>, SqlType)> {
        self.returns.get(name).cloned()
    }
}

impl Catalog {
    /// Starts a new change: what exists stays, nothing counts as new.
    pub fn begin_change(&mut self) {
        self.dropped_views.clear();
        let created = std::mem::take(&mut self.created);
        self.earlier.extend(created);
        for (table, seed) in std::mem::take(&mut self.seeding) {
            self.seeded.entry(table).or_default().push(seed);
        }
        for name in std::mem::take(&mut self.touched) {
            let Some(t) = self.tables.get_mut(&name) else { continue };
            if t.temporary {
                self.tables.remove(&name);
                continue;
            }
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

    /// True when the migrations replayed so far created the object (and did
    /// not drop it). Tables are in `tables`.
    pub fn was_created(&self, kind: ObjectKind, name: &Name) -> bool {
        let key = (kind, name.clone());
        self.created.contains(&key) || self.earlier.contains(&key)
    }

    /// True when the migrations replayed so far show no table, view or
    /// materialized view `name` now, and the name is in the default schema
    /// or one they created (a schema made outside them, such as Supabase's
    /// `auth`, holds relations they never show): `DROP ... IF EXISTS` of it
    /// is a no-op. A name computed at run time (`${...}`) is never judged so.
    pub fn relation_never_seen(&self, name: &Name) -> bool {
        let relation_kinds = [ObjectKind::Table, ObjectKind::View, ObjectKind::MaterializedView];
        let computed = |s: &str| s.contains("${");
        !computed(&name.name)
            && !name.schema.as_deref().is_some_and(computed)
            && name
                .schema
                .as_ref()
                .is_none_or(|s| self.was_created(ObjectKind::Schema, &Name::new(None, s.clone())))
            && !self.tables.contains_key(name)
            && !self.views.contains_key(name)
            && !relation_kinds.iter().any(|k| self.was_created(*k, name))
    }

    /// The view `name` as it was before the current change dropped it.
    pub fn dropped_view(&self, name: &Name) -> Option<&DroppedView> {
        self.dropped_views.get(name)
    }

    /// The types of a view's columns over the schema as it is now (empty
    /// when unknown). Read only when needed: parsing costs time.
    fn view_types(&self, v: &ViewShape) -> Vec<Option<SqlType>> {
        v.query
            .as_deref()
            .and_then(|q| super::view_types::output_types(q, self))
            .filter(|t| Some(t.len()) == v.columns.as_ref().map(Vec::len))
            .unwrap_or_default()
    }

    pub fn column_type(&self, table: &Name, column: &str) -> Option<&SqlType> {
        self.tables.get(table)?.columns.get(column).map(|c| &c.ty)
    }

    pub fn column(&self, table: &Name, column: &str) -> Option<&Column> {
        self.tables.get(table)?.columns.get(column)
    }

    /// True when the model saw `table` created with every column written
    /// out, and since then no column `column` (created, added or renamed to
    /// that name) that is still there: `DROP COLUMN IF EXISTS` is a no-op.
    pub fn column_never_there(&self, table: &Name, column: &str) -> bool {
        self.tables
            .get(table)
            .is_some_and(|t| t.columns_known && !t.columns.contains_key(column))
    }

    /// The labels of the enum `ty` is (or is an array of), when the model saw it created.
    pub fn enum_labels(&self, ty: &SqlType) -> Option<&[String]> {
        self.enums.get(&ty.user_type_name()?).map(Vec::as_slice)
    }

    /// When a column moves from enum `from` to enum `to`, both known: the
    /// labels of `from` that `to` lacks (none: every stored value still
    /// exists). `None` when either is not a known enum, or only one is an array.
    pub fn enum_labels_removed(&self, from: &SqlType, to: &SqlType) -> Option<Vec<String>> {
        if from.array != to.array {
            return None;
        }
        let (old, new) = (self.enum_labels(from)?, self.enum_labels(to)?);
        Some(old.iter().filter(|l| !new.contains(l)).cloned().collect())
    }

    /// When the enum `ty` was renamed away from a name that an enum has
    /// again (the way tools rebuild an enum to drop a label): that name, and
    /// the labels of `ty` the new enum lacks (none: it replaces `ty`).
    pub fn enum_rebuilt(&self, ty: &Name) -> Option<(&Name, Vec<String>)> {
        let old = self.enums.get(ty)?;
        let orig = self.type_renamed_from.get(ty)?;
        let new = self.enums.get(orig)?;
        Some((orig, old.iter().filter(|l| !new.contains(l)).cloned().collect()))
    }

    /// True when a column of a table the model knows has the type `ty` (or an array of it).
    pub fn type_in_use(&self, ty: &Name) -> bool {
        self.tables
            .values()
            .flat_map(|t| t.columns.values())
            .any(|c| c.ty.user_type_name().as_ref() == Some(ty))
    }

    /// The rows earlier changes inserted into the table by `VALUES`.
    pub fn seeded_earlier(&self, table: &Name) -> &[Seed] {
        self.seeded.get(table).map_or(&[], Vec::as_slice)
    }

    /// True when the column is known to be NOT NULL.
    pub fn column_is_not_null(&self, table: &Name, column: &str) -> bool {
        self.tables
            .get(table)
            .is_some_and(|t| t.set_not_null.contains(column) || t.columns.get(column).is_some_and(|c| c.not_null))
    }

    /// The column a `CHECK (column IS NOT NULL)` constraint is about.
    pub fn not_null_check_column(&self, table: &Name, constraint: &str) -> Option<&str> {
        self.tables
            .get(table)?
            .not_null_checks
            .get(constraint)
            .map(|(c, _)| c.as_str())
    }

    /// True when a validated `CHECK (column IS NOT NULL)` exists.
    pub fn has_validated_not_null_check(&self, table: &Name, column: &str) -> bool {
        self.tables
            .get(table)
            .is_some_and(|t| t.not_null_checks.values().any(|(c, valid)| c == column && *valid))
    }

    /// What the model knows of constraint `name` on `table`.
    pub fn constraint(&self, table: &Name, name: &str) -> Option<&KnownConstraint> {
        self.tables.get(table)?.constraints.get(name)
    }

    /// The table a unique index belongs to, and its sorted columns.
    pub fn unique_index(&self, name: &str) -> Option<(&Name, &[String])> {
        self.tables
            .iter()
            .find_map(|(t, tab)| tab.unique_indexes.get(name).map(|c| (t, c.as_slice())))
    }

    /// Records a constraint on `table` (a named one, or a key PostgreSQL names).
    fn add_constraint(&mut self, table: &Name, con: &ConstraintDef) {
        let Some(t) = self.tables.get_mut(table) else { return };
        let Some(name) = con.name.clone().or_else(|| default_constraint_name(&table.name, con)) else {
            return;
        };
        let mut columns = con.columns.clone();
        columns.sort();
        if matches!(con.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique) && !con.using_index {
            t.unique_indexes.insert(name.clone(), columns.clone());
        }
        if con.kind == ConstraintKind::PrimaryKey {
            for c in &columns {
                if let Some(col) = t.columns.get_mut(c) {
                    col.not_null = true;
                }
            }
        }
        t.constraints.insert(
            name,
            KnownConstraint {
                kind: con.kind,
                columns,
            },
        );
    }

    /// Replays one action.
    pub fn apply(&mut self, action: &Action) {
        match action {
            Action::CreateTable { .. } => self.create_table(action),
            Action::Create { .. }
            | Action::CreateIndex { .. }
            | Action::ViewColumns { .. }
            | Action::RoutineArgs { .. } => self.apply_create(action),
            Action::Insert { table, columns, rows } if !rows.is_empty() => {
                let seed = Seed {
                    columns: columns.clone(),
                    rows: rows.clone(),
                };
                self.seeding.push((table.clone(), seed));
            }
            Action::EnumLabels { .. }
            | Action::AddEnumValue { .. }
            | Action::RenameEnumValue { .. }
            | Action::SetSchema { .. } => self.apply_to_type(action),
            Action::AddColumn { .. }
            | Action::DropColumn { .. }
            | Action::AlterColumnType { .. }
            | Action::SetNotNull { .. }
            | Action::DropDefault { .. }
            | Action::AlterColumnOther { .. }
            | Action::RenameColumn { .. } => self.apply_to_column(action),
            Action::AddConstraint { .. } | Action::ValidateConstraint { .. } => self.apply_to_constraint(action),
            Action::Drop { kind, names, on, .. } => {
                for n in names {
                    self.drop_one(*kind, n, on.as_ref());
                }
            }
            Action::Rename { .. } => self.apply_rename(action),
            _ => {}
        }
    }

    /// Creating a table, with its columns and constraints.
    fn create_table(&mut self, action: &Action) {
        let Action::CreateTable {
            table,
            columns,
            constraints,
            temporary,
            if_not_exists,
            columns_known,
            ..
        } = action
        else {
            return;
        };
        if *if_not_exists && self.tables.contains_key(table) {
            return;
        }
        let mut t = Table {
            created_in_change: true,
            defined: true,
            columns_known: *columns_known,
            temporary: *temporary,
            ..Table::default()
        };
        for c in columns {
            t.columns.insert(c.name.clone(), Column::from_def(c));
        }
        for con in constraints {
            if let (Some(name), Some(col)) = (&con.name, &con.not_null_column) {
                t.not_null_checks.insert(name.clone(), (col.clone(), !con.not_valid));
            }
            if let Some(name) = &con.name {
                self.created
                    .insert((ObjectKind::Constraint, Name::new(None, name.clone())));
            }
        }
        self.touched.push(table.clone());
        self.tables.insert(table.clone(), t);
        for con in columns
            .iter()
            .flat_map(inline_constraints)
            .chain(constraints.iter().cloned())
        {
            self.add_constraint(table, &con);
        }
    }

    /// Creating a view, an index, a routine or another object.
    fn apply_create(&mut self, action: &Action) {
        match action {
            Action::Create {
                kind,
                name,
                or_replace,
                if_not_exists,
                ..
            } => {
                // `OR REPLACE` and `IF NOT EXISTS` leave an object of an earlier change in place.
                let kept = (*or_replace || *if_not_exists) && self.earlier.contains(&(*kind, name.clone()));
                if !kept {
                    self.created.insert((*kind, name.clone()));
                }
                let materialized = *kind == ObjectKind::MaterializedView;
                if matches!(kind, ObjectKind::View | ObjectKind::MaterializedView)
                    && !(*if_not_exists && self.views.contains_key(name))
                {
                    let shape = ViewShape {
                        materialized,
                        columns: None,
                        query: None,
                    };
                    self.views.insert(name.clone(), shape);
                }
            }
            Action::CreateIndex {
                name: Some(name),
                table,
                unique,
                columns,
                ..
            } => {
                self.created.insert((ObjectKind::Index, name.clone()));
                if let (true, Some(t)) = (*unique, self.tables.get_mut(table)) {
                    let mut columns = columns.clone();
                    columns.sort();
                    t.unique_indexes.insert(name.name.clone(), columns);
                }
            }
            Action::ViewColumns { view, columns, query } => {
                if let Some(v) = self.views.get_mut(view) {
                    v.columns = columns.clone();
                    v.query = query.clone();
                }
            }
            Action::RoutineArgs {
                name,
                args,
                returns,
                created: true,
            } => {
                let key = name.name.to_lowercase();
                match returns {
                    Some(r) => {
                        let args = args.iter().map(|a| a.ty.clone()).collect();
                        self.returns.insert(key, (args, r.clone()));
                    }
                    None => {
                        self.returns.remove(&key);
                    }
                }
            }
            _ => {}
        }
    }

    /// A type's labels, renamed labels or new schema.
    fn apply_to_type(&mut self, action: &Action) {
        match action {
            Action::EnumLabels { ty, labels } => {
                self.enums.insert(ty.clone(), labels.clone());
            }
            Action::AddEnumValue { ty, value } => {
                if let Some(labels) = self.enums.get_mut(ty).filter(|l| !l.contains(value)) {
                    labels.push(value.clone());
                }
            }
            Action::RenameEnumValue { ty, from, to } => {
                if let Some(l) = self.enums.get_mut(ty).and_then(|l| l.iter_mut().find(|l| *l == from)) {
                    l.clone_from(to);
                }
            }
            Action::SetSchema {
                kind: ObjectKind::Type,
                name,
                schema,
            } => self.rename_type(name, Name::new(Some(schema.clone()), name.name.clone())),
            _ => {}
        }
    }

    /// Adding, changing, renaming or dropping a column.
    fn apply_to_column(&mut self, action: &Action) {
        match action {
            Action::AddColumn { table, column } => {
                if column.if_not_exists && self.column(table, &column.name).is_some() {
                    return;
                }
                self.touched.push(table.clone());
                let t = self.tables.entry(table.clone()).or_default();
                t.columns.insert(column.name.clone(), Column::from_def(column));
                for con in inline_constraints(column) {
                    self.add_constraint(table, &con);
                }
            }
            Action::DropColumn { table, column, .. } => {
                if let Some(t) = self.tables.get_mut(table) {
                    t.columns.remove(column);
                    t.set_not_null.remove(column);
                }
            }
            Action::AlterColumnType { table, column, ty, .. } => {
                if let Some(c) = self.tables.get_mut(table).and_then(|t| t.columns.get_mut(column)) {
                    c.ty = ty.clone();
                }
            }
            Action::SetNotNull { table, column } => {
                let t = self.tables.entry(table.clone()).or_default();
                t.set_not_null.insert(column.clone());
                if let Some(c) = t.columns.get_mut(column) {
                    c.not_null = true;
                }
            }
            Action::DropDefault { table, column } => {
                if let Some(c) = self.tables.get_mut(table).and_then(|t| t.columns.get_mut(column)) {
                    c.has_default = false;
                }
            }
            Action::AlterColumnOther { table, column, what } => {
                let Some(t) = self.tables.get_mut(table) else { return };
                if what.starts_with("DROP NOT NULL") {
                    t.set_not_null.remove(column);
                }
                if let Some(c) = t.columns.get_mut(column) {
                    if what.starts_with("SET DEFAULT") || what.starts_with("ADD GENERATED") {
                        c.has_default = true;
                    } else if what.starts_with("DROP NOT NULL") {
                        c.not_null = false;
                    }
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

    /// Adding or validating a constraint.
    fn apply_to_constraint(&mut self, action: &Action) {
        match action {
            Action::AddConstraint { table, constraint } => {
                if let (Some(name), Some(col)) = (&constraint.name, &constraint.not_null_column) {
                    let t = self.tables.entry(table.clone()).or_default();
                    t.not_null_checks
                        .insert(name.clone(), (col.clone(), !constraint.not_valid));
                }
                if let Some(name) = &constraint.name {
                    self.created
                        .insert((ObjectKind::Constraint, Name::new(None, name.clone())));
                }
                self.add_constraint(table, constraint);
            }
            Action::ValidateConstraint { table, name } => {
                if let Some(chk) = self.tables.get_mut(table).and_then(|t| t.not_null_checks.get_mut(name)) {
                    chk.1 = true;
                }
            }
            _ => {}
        }
    }

    /// Renaming a table, a type or another object.
    fn apply_rename(&mut self, action: &Action) {
        match action {
            Action::Rename {
                kind: ObjectKind::Table,
                from,
                to,
                ..
            } => {
                if let Some(t) = self.tables.remove(from) {
                    let to = Name::new(from.schema.clone(), to.clone());
                    if let Some(seeds) = self.seeded.remove(from) {
                        self.seeded.insert(to.clone(), seeds);
                    }
                    self.touched.push(to.clone());
                    self.tables.insert(to, t);
                }
            }
            Action::Rename {
                kind: ObjectKind::Type,
                from,
                to,
                ..
            } => {
                self.rename_type(from, Name::new(from.schema.clone(), to.clone()));
                let key = (ObjectKind::Type, from.clone());
                let to = (ObjectKind::Type, Name::new(from.schema.clone(), to.clone()));
                if self.created.remove(&key) {
                    self.created.insert(to);
                } else if self.earlier.remove(&key) {
                    self.earlier.insert(to);
                }
            }
            Action::Rename { kind, from, to, on } => {
                // A constraint's index carries its name, and the other way round.
                for t in self.tables.values_mut() {
                    if let Some(cols) = t.unique_indexes.remove(&from.name) {
                        t.unique_indexes.insert(to.clone(), cols);
                    }
                }
                if let Some(t) = on.as_ref().and_then(|o| self.tables.get_mut(o)) {
                    if let Some(con) = t.constraints.remove(&from.name) {
                        t.constraints.insert(to.clone(), con);
                    }
                }
                let to = Name::new(from.schema.clone(), to.clone());
                if matches!(kind, ObjectKind::View | ObjectKind::MaterializedView) {
                    if let Some(v) = self.views.remove(from) {
                        self.views.insert(to.clone(), v);
                    }
                }
                if self.created.remove(&(*kind, from.clone())) {
                    self.created.insert((*kind, to));
                } else if self.earlier.remove(&(*kind, from.clone())) {
                    self.earlier.insert((*kind, to));
                }
            }
            _ => {}
        }
    }

    /// Dropping one object.
    fn drop_one(&mut self, kind: ObjectKind, n: &Name, on: Option<&Name>) {
        match kind {
            ObjectKind::Table => {
                self.tables.remove(n);
                self.seeded.remove(n);
                self.seeding.retain(|(t, _)| t != n);
            }
            ObjectKind::View | ObjectKind::MaterializedView => {
                // The types are read before the view goes: its columns'
                // tables cannot have changed while it stood on them.
                let earlier = !self.created.contains(&(kind, n.clone()));
                if let Some(v) = self
                    .views
                    .get(n)
                    .filter(|_| earlier && !self.dropped_views.contains_key(n))
                {
                    let types = self.view_types(v);
                    let shape = v.clone();
                    self.dropped_views.insert(n.clone(), DroppedView { shape, types });
                }
                self.views.remove(n);
            }
            ObjectKind::Constraint => {
                if let Some(t) = on.and_then(|o| self.tables.get_mut(o)) {
                    t.not_null_checks.remove(&n.name);
                    t.constraints.remove(&n.name);
                    t.unique_indexes.remove(&n.name);
                }
            }
            ObjectKind::Index => {
                for t in self.tables.values_mut() {
                    t.unique_indexes.remove(&n.name);
                }
            }
            ObjectKind::Type => {
                self.enums.remove(n);
                self.type_renamed_from.remove(n);
            }
            _ => {}
        }
        self.created.remove(&(kind, n.clone()));
        self.earlier.remove(&(kind, n.clone()));
    }
}

impl Catalog {
    /// A type renamed or moved to another schema: its labels move, and the
    /// columns of that type (which refer to it, not to its name) follow it.
    fn rename_type(&mut self, from: &Name, to: Name) {
        if let Some(labels) = self.enums.remove(from) {
            self.enums.insert(to.clone(), labels);
        }
        self.type_renamed_from.remove(from);
        self.type_renamed_from.insert(to.clone(), from.clone());
        let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        let written = match &to.schema {
            Some(s) => format!("{}.{}", quote(s), quote(&to.name)),
            None => quote(&to.name),
        };
        for c in self.tables.values_mut().flat_map(|t| t.columns.values_mut()) {
            if c.ty.user_type_name().as_ref() == Some(from) {
                let array = if c.ty.array { "[]" } else { "" };
                c.ty = SqlType::parse(&format!("{written}{array}"));
            }
        }
    }
}

/// NOT NULL as declared, or as PostgreSQL implies it for identity and serial columns.
fn implicitly_not_null(c: &ColumnDef) -> bool {
    c.not_null
        || c.generated == Some(Generated::Identity)
        || matches!(c.ty.base.as_str(), "serial" | "bigserial" | "smallserial" | "serial2")
}

/// The constraints a column definition declares inline (`id int PRIMARY KEY`).
fn inline_constraints(col: &ColumnDef) -> Vec<ConstraintDef> {
    let mk = |kind, on: bool| {
        on.then(|| ConstraintDef {
            name: None,
            kind,
            not_valid: false,
            using_index: false,
            not_null_column: None,
            columns: vec![col.name.clone()],
        })
    };
    [
        mk(ConstraintKind::PrimaryKey, col.primary_key),
        mk(ConstraintKind::Unique, col.unique),
        mk(ConstraintKind::ForeignKey, col.references),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The name PostgreSQL gives an unnamed key constraint: `<table>_pkey`,
/// `<table>_<columns>_key`, `<table>_<columns>_fkey`, shortened as
/// [`pg_object_name`] does.
pub fn default_constraint_name(table: &str, con: &ConstraintDef) -> Option<String> {
    let columns = con.columns.join("_");
    match con.kind {
        ConstraintKind::PrimaryKey => Some(pg_object_name(table, None, "pkey")),
        ConstraintKind::Unique if !con.columns.is_empty() => Some(pg_object_name(table, Some(&columns), "key")),
        ConstraintKind::ForeignKey if !con.columns.is_empty() => Some(pg_object_name(table, Some(&columns), "fkey")),
        _ => None,
    }
}

/// `<name1>_<name2>_<label>` cut to 63 bytes as PostgreSQL's
/// `makeObjectName` does: the longer of the two names loses its last
/// character until the whole fits. It names a serial column's sequence
/// (`<table>_<column>_seq`) and unnamed constraints and indexes.
pub fn pg_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let overhead = label.len() + 1 + usize::from(name2.is_some());
    let avail = 63usize.saturating_sub(overhead);
    let (mut n1, mut n2) = (name1.len(), name2.map_or(0, str::len));
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    // Identifiers are cut on a character boundary, as pg_mbcliplen does.
    let cut = |s: &str, mut n: usize| {
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        s[..n].to_string()
    };
    match name2 {
        Some(n) => format!("{}_{}_{label}", cut(name1, n1), cut(n, n2)),
        None => format!("{}_{label}", cut(name1, n1)),
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
            columns: vec![ColumnDef::new("name", SqlType::parse("varchar(10)"))],
            constraints: vec![],
            unlogged: false,
            temporary: false,
            if_not_exists: false,
            columns_known: true,
        });
        assert!(c.table_is_new(&users));
        c.begin_change();
        assert!(!c.table_is_new(&users));
        assert_eq!(c.column_type(&users, "name").unwrap().mods, vec![10]);
    }

    fn create(kind: ObjectKind, name: &str, or_replace: bool) -> Action {
        Action::Create {
            kind,
            name: Name::new(None, name),
            or_replace,
            if_not_exists: false,
            on: None,
        }
    }

    #[test]
    fn or_replace_keeps_an_object_of_an_earlier_change() {
        let mut c = Catalog::default();
        let f = Name::new(None, "f");
        c.apply(&create(ObjectKind::Function, "f", false));
        c.begin_change();
        c.apply(&create(ObjectKind::Function, "f", true));
        assert!(!c.is_new(ObjectKind::Function, &f));
        // Unknown before: a helper created by this change.
        c.apply(&create(ObjectKind::Function, "helper", true));
        assert!(c.is_new(ObjectKind::Function, &Name::new(None, "helper")));
    }

    #[test]
    fn temporary_tables_end_with_their_change() {
        let mut c = Catalog::default();
        let t = Name::new(None, "staging");
        c.apply(&Action::CreateTable {
            table: t.clone(),
            columns: vec![],
            constraints: vec![],
            unlogged: false,
            temporary: true,
            if_not_exists: false,
            columns_known: true,
        });
        assert!(c.table_is_new(&t));
        c.begin_change();
        assert!(c.table(&t).is_none());
    }

    #[test]
    fn create_table_if_not_exists_keeps_the_existing_table() {
        let mut c = Catalog::default();
        let t = Name::new(None, "members");
        let mk = |if_not_exists| Action::CreateTable {
            table: t.clone(),
            columns: vec![],
            constraints: vec![],
            unlogged: false,
            temporary: false,
            if_not_exists,
            columns_known: true,
        };
        c.apply(&mk(false));
        c.begin_change();
        c.apply(&mk(true));
        assert!(!c.table_is_new(&t));
    }

    #[test]
    fn keys_are_known_by_the_names_postgres_gives_them() {
        let mut c = Catalog::default();
        let t = Name::new(None, "memberships");
        let mut member = ColumnDef::new("member_id", SqlType::parse("bigint"));
        member.references = true;
        c.apply(&Action::CreateTable {
            table: t.clone(),
            columns: vec![member, ColumnDef::new("team_id", SqlType::parse("bigint"))],
            constraints: vec![ConstraintDef {
                name: None,
                kind: ConstraintKind::PrimaryKey,
                not_valid: false,
                using_index: false,
                not_null_column: None,
                columns: vec!["team_id".into(), "member_id".into()],
            }],
            unlogged: false,
            temporary: false,
            if_not_exists: false,
            columns_known: true,
        });
        let pk = c.constraint(&t, "memberships_pkey").unwrap();
        assert_eq!(pk.columns, ["member_id", "team_id"]);
        assert!(c.column_is_not_null(&t, "team_id"));
        assert_eq!(
            c.constraint(&t, "memberships_member_id_fkey").map(|k| k.kind),
            Some(ConstraintKind::ForeignKey)
        );
        c.apply(&Action::AlterColumnOther {
            table: t.clone(),
            column: "team_id".into(),
            what: "DROP NOT NULL".into(),
        });
        assert!(!c.column_is_not_null(&t, "team_id"));
    }

    #[test]
    fn enum_labels_follow_the_type() {
        let mut c = Catalog::default();
        let status = Name::new(None, "Status");
        let old = Name::new(None, "Status_old");
        let t = Name::new(None, "posts");
        c.apply(&Action::EnumLabels {
            ty: status.clone(),
            labels: vec!["draft".into(), "live".into()],
        });
        c.apply(&Action::CreateTable {
            table: t.clone(),
            columns: vec![ColumnDef::new("state", SqlType::parse("public.\"Status\""))],
            constraints: vec![],
            unlogged: false,
            temporary: false,
            if_not_exists: false,
            columns_known: true,
        });
        c.apply(&Action::AddEnumValue {
            ty: status.clone(),
            value: "gone".into(),
        });
        c.apply(&Action::RenameEnumValue {
            ty: status.clone(),
            from: "live".into(),
            to: "published".into(),
        });
        c.apply(&Action::Rename {
            kind: ObjectKind::Type,
            from: status.clone(),
            to: "Status_old".into(),
            on: None,
        });
        assert_eq!(c.enums[&old], ["draft", "published", "gone"]);
        assert!(!c.enums.contains_key(&status));
        // The column refers to the type, not to its name.
        let ty = c.column_type(&t, "state").unwrap().clone();
        assert_eq!(ty.user_type_name(), Some(old.clone()));
        assert!(c.type_in_use(&old));
        c.apply(&Action::EnumLabels {
            ty: status.clone(),
            labels: vec!["draft".into(), "published".into()],
        });
        let new = SqlType::parse("\"Status\"");
        assert_eq!(c.enum_labels_removed(&ty, &new), Some(vec!["gone".to_string()]));
        assert_eq!(c.enum_rebuilt(&old), Some((&status, vec!["gone".to_string()])));
        // Unquoted names fold to lower case; a built-in type is no enum.
        assert_eq!(
            SqlType::parse("Status").user_type_name(),
            Some(Name::new(None, "status"))
        );
        assert_eq!(c.enum_labels(&SqlType::parse("text")), None);
    }

    #[test]
    fn long_names_are_cut_as_postgres_cuts_them() {
        let t = "scheduler_dependency_tracker_fri";
        assert_eq!(
            pg_object_name(t, Some("circuit_1_final_prover_job_id"), "seq"),
            "scheduler_dependency_tracker__circuit_1_final_prover_job_id_seq"
        );
        assert_eq!(
            pg_object_name(t, Some("circuit_10_final_prover_job_id"), "fkey"),
            "scheduler_dependency_tracker__circuit_10_final_prover_job__fkey"
        );
        assert_eq!(pg_object_name("members", None, "pkey"), "members_pkey");
    }
}
