//! Prisma schema files (`*.prisma`): `model` and `view` blocks are tables
//! (named by `@@map`, else the model name), their scalar fields columns
//! (named by `@map`, else the field name); a relation field (its type is
//! another model) is no column, but the fields its `@relation(fields: […])`
//! lists are. `enum` blocks are types whose values `@map` may rename.

use std::collections::HashSet;

use super::scan::{Kind, Lang, Toks};
use super::{Def, DefKind};

/// Whether the file is a Prisma schema.
pub fn applies(path: &str, _text: &str) -> bool {
    path.ends_with(".prisma")
}

/// What the file defines; `applies` has said it is one of ours.
pub fn defs(_path: &str, text: &str) -> Vec<Def> {
    let t = Toks::new(text, Lang::Prisma);
    let blocks = blocks(&t);
    // Models, views and composite types: a field of one of these types is a relation.
    let models: HashSet<&str> = blocks.iter().filter(|b| b.keyword != "enum").map(|b| b.name).collect();
    let mut out = Vec::new();
    for b in &blocks {
        match b.keyword {
            "model" | "view" => model(&t, b, &models, &mut out),
            "enum" => enumeration(&t, b, &mut out),
            _ => {}
        }
    }
    out
}

/// `model Name { … }` and its kin, at the top level.
struct Block<'a> {
    keyword: &'a str,
    name: &'a str,
    /// Token index of the name.
    at: usize,
    /// Token index of `{`.
    open: usize,
}

fn blocks<'a>(t: &Toks<'a>) -> Vec<Block<'a>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if t.is(i, Kind::Ident) && t.is(i + 1, Kind::Ident) && t.punct(i + 2, b'{') {
            let keyword = t.text(i);
            if matches!(keyword, "model" | "view" | "enum" | "type") {
                out.push(Block {
                    keyword,
                    name: t.text(i + 1),
                    at: i + 1,
                    open: i + 2,
                });
            }
            i = t.close(i + 2) + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// One `@attr(…)` or `@@attr(…)` at `i`: its name (`db.VarChar` for a
/// namespaced one), the token index of its `(` if it has arguments, and the
/// index after it.
fn attribute<'a>(t: &Toks<'a>, i: usize) -> Option<(&'a str, Option<usize>, usize)> {
    let mut j = i;
    while t.punct(j, b'@') {
        j += 1;
    }
    if j == i || !t.is(j, Kind::Ident) {
        return None;
    }
    let first = t.start(j);
    j += 1;
    while t.punct(j, b'.') && t.is(j + 1, Kind::Ident) {
        j += 2;
    }
    let name = &t.src[first..t.t[j - 1].end];
    if t.punct(j, b'(') {
        Some((name, Some(j), t.close(j) + 1))
    } else {
        Some((name, None, j))
    }
}

/// The first string argument of the attribute whose `(` is at `open`:
/// `@map("x")` and `@map(name: "x")` alike.
fn first_string<'a>(t: &Toks<'a>, open: Option<usize>) -> Option<&'a str> {
    let open = open?;
    (open + 1..t.close(open)).find_map(|k| t.string(k))
}

/// A scalar field, or the field list of a relation.
struct Field<'a> {
    name: &'a str,
    at: usize,
    column: Option<&'a str>,
    relation: bool,
    /// The `fields: [a, b]` of a `@relation`: names and token indices.
    fields: Vec<usize>,
}

fn model<'a>(t: &Toks<'a>, b: &Block<'_>, models: &HashSet<&str>, out: &mut Vec<Def>) {
    let end = t.close(b.open).min(t.len());
    let mut table = b.name;
    let mut fields: Vec<Field<'a>> = Vec::new();
    let mut i = b.open + 1;
    while i < end {
        if t.punct(i, b'@') {
            let Some((name, args, next)) = attribute(t, i) else {
                i += 1;
                continue;
            };
            if name == "map" && t.punct(i + 1, b'@') {
                table = first_string(t, args).unwrap_or(table);
            }
            i = next;
            continue;
        }
        if !t.is(i, Kind::Ident) || !t.is(i + 1, Kind::Ident) {
            i += 1;
            continue;
        }
        // `name Type`, `Type?`, `Type[]`, `Unsupported("…")`, then attributes.
        let mut field = Field {
            name: t.text(i),
            at: i,
            column: None,
            relation: models.contains(t.text(i + 1)),
            fields: Vec::new(),
        };
        let mut j = i + 2;
        if t.punct(j, b'(') {
            j = t.close(j) + 1;
        }
        while t.punct(j, b'?') || t.punct(j, b'[') || t.punct(j, b']') {
            j += 1;
        }
        while t.punct(j, b'@') && !t.punct(j + 1, b'@') {
            let Some((name, args, next)) = attribute(t, j) else {
                break;
            };
            match name {
                "map" => field.column = first_string(t, args).or(field.column),
                "relation" => field.fields = relation_fields(t, args),
                _ => {}
            }
            j = next;
        }
        fields.push(field);
        i = j.max(i + 1);
    }
    out.push(Def::new(DefKind::Relation, "", table, t.start(b.at)));
    let column_of = |name: &'a str| -> &'a str {
        fields
            .iter()
            .find(|f| f.name == name && !f.relation)
            .map_or(name, |f| f.column.unwrap_or(f.name))
    };
    for f in &fields {
        if !f.relation {
            out.push(Def::new(
                DefKind::Column,
                table,
                f.column.unwrap_or(f.name),
                t.start(f.at),
            ));
        }
        for &k in &f.fields {
            out.push(Def::new(DefKind::Column, table, column_of(t.text(k)), t.start(k)));
        }
    }
}

/// The identifiers in the `fields: [...]` argument of `@relation(...)`.
fn relation_fields(t: &Toks<'_>, args: Option<usize>) -> Vec<usize> {
    let Some(open) = args else {
        return Vec::new();
    };
    let end = t.close(open);
    let Some(k) = (open + 1..end).find(|&k| t.ident(k, "fields") && t.punct(k + 1, b':') && t.punct(k + 2, b'['))
    else {
        return Vec::new();
    };
    (k + 3..t.close(k + 2)).filter(|&j| t.is(j, Kind::Ident)).collect()
}

fn enumeration(t: &Toks<'_>, b: &Block<'_>, out: &mut Vec<Def>) {
    let end = t.close(b.open).min(t.len());
    let mut name = b.name;
    let mut values: Vec<(&str, usize)> = Vec::new();
    let mut i = b.open + 1;
    while i < end {
        if t.punct(i, b'@') {
            let Some((attr, args, next)) = attribute(t, i) else {
                i += 1;
                continue;
            };
            if attr == "map" {
                let mapped = first_string(t, args);
                if t.punct(i + 1, b'@') {
                    name = mapped.unwrap_or(name);
                } else if let (Some(last), Some(mapped)) = (values.last_mut(), mapped) {
                    last.0 = mapped;
                }
            }
            i = next;
        } else {
            if t.is(i, Kind::Ident) {
                values.push((t.text(i), i));
            }
            i += 1;
        }
    }
    out.push(Def::new(DefKind::Type, "", name, t.start(b.at)));
    for (value, k) in values {
        out.push(Def::new(DefKind::EnumValue, name, value, t.start(k)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        defs("prisma/schema.prisma", text)
            .iter()
            .map(|d| format!("{:?} {}.{} @{}", d.kind, d.owner, d.name, &text[d.at..d.at + 3]))
            .collect()
    }

    #[test]
    fn maps_rename_tables_columns_and_enum_values() {
        let text = r#"
model Member {
  id       Int     @id @default(autoincrement())
  oldField String? @map("old_field") @db.VarChar(200)
  // legacy   String
  role     Role    @default(USER)
  posts    Post[]
  @@map("members")
  @@schema("app")
}

model Post {
  id       Int    @id
  authorId Int    @map("author_id")
  author   Member @relation(fields: [authorId], references: [id])
}

enum Role {
  USER  @map("user")
  ADMIN
  @@map("member_role")
}
"#;
        assert_eq!(
            names(text),
            [
                "Relation .members @Mem",
                "Column members.id @id ",
                "Column members.old_field @old",
                "Column members.role @rol",
                "Relation .Post @Pos",
                "Column Post.id @id ",
                "Column Post.author_id @aut",
                "Column Post.author_id @aut",
                "Type .member_role @Rol",
                "EnumValue member_role.user @USE",
                "EnumValue member_role.ADMIN @ADM",
            ]
        );
    }

    #[test]
    fn other_files_are_not_prisma() {
        assert!(!applies("schema.ts", "model A { x Int }"));
    }
}
