//! ORM schema files as each ORM's documentation writes them, through
//! `contract::orm::references`: a dropped column is found on its own table
//! only, under the name the ORM gives it in the database (not the attribute
//! name), and a commented-out field is no reference (issue #13).

use shipgate::contract::orm::{is_schema_file, references};
use shipgate::contract::{Target, TargetKind, Via};

fn column(table: &str, name: &str) -> Target {
    Target {
        kind: TargetKind::Column,
        table: Some(table.into()),
        name: name.into(),
        distinctive: false,
    }
}

fn object(kind: TargetKind, owner: Option<&str>, name: &str) -> Target {
    Target {
        kind,
        table: owner.map(str::to_string),
        name: name.into(),
        distinctive: true,
    }
}

/// `(line, column)` of each reference to the one target, checking `via`.
fn find(path: &str, text: &str, target: Target, via: Via) -> Vec<(usize, usize)> {
    references(path, text, &[target])
        .into_iter()
        .map(|r| {
            assert_eq!((r.target, r.path.as_str(), r.via), (0, path, via));
            (r.line, r.column)
        })
        .collect()
}

const PRISMA: &str = r#"generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id        Int      @id @default(autoincrement())
  email     String   @unique
  firstName String?  @map("first_name")
  // nickname String?
  role      Role     @default(USER)
  posts     Post[]

  @@map("users")
}

model Post {
  id       Int    @id @default(autoincrement())
  email    String
  authorId Int    @map("author_id")
  author   User   @relation(fields: [authorId], references: [id])
}

enum Role {
  USER
  ADMIN @map("admin")

  @@map("user_role")
}
"#;

#[test]
fn prisma_fields_resolve_through_map_to_their_table() {
    let p = "prisma/schema.prisma";
    assert_eq!(find(p, PRISMA, column("users", "first_name"), Via::Prisma), [(13, 3)]);
    assert_eq!(find(p, PRISMA, column("users", "firstName"), Via::Prisma), []);
    // The same column name on another model.
    assert_eq!(find(p, PRISMA, column("users", "email"), Via::Prisma), [(12, 3)]);
    assert_eq!(find(p, PRISMA, column("Post", "email"), Via::Prisma), [(23, 3)]);
    assert_eq!(find(p, PRISMA, column("users", "nickname"), Via::Prisma), []);
    // A relation field is no column; the scalar field it names is, twice.
    assert_eq!(find(p, PRISMA, column("Post", "author"), Via::Prisma), []);
    assert_eq!(
        find(p, PRISMA, column("Post", "author_id"), Via::Prisma),
        [(24, 3), (25, 38)]
    );
    assert_eq!(
        find(p, PRISMA, object(TargetKind::Table, None, "users"), Via::Prisma),
        [(10, 7)]
    );
    assert_eq!(
        find(p, PRISMA, object(TargetKind::Table, None, "User"), Via::Prisma),
        []
    );
    assert_eq!(
        find(p, PRISMA, object(TargetKind::Type, None, "user_role"), Via::Prisma),
        [(28, 6)]
    );
    let admin = object(TargetKind::EnumValue, Some("user_role"), "admin");
    assert_eq!(find(p, PRISMA, admin.clone(), Via::Prisma), [(30, 3)]);
    assert_eq!(find("docs/schema.prisma.md", PRISMA, admin, Via::Prisma), []);
}

const DIESEL: &str = r#"// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::query_builder::QueryId, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "member_status"))]
    pub struct MemberStatus;
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::MemberStatus;

    members (id) {
        id -> Int4,
        #[max_length = 255]
        email -> Varchar,
        old_field -> Nullable<Text>,
        #[sql_name = "type"]
        kind -> Text,
        status -> MemberStatus,
    }
}

diesel::table! {
    posts (id) {
        id -> Int4,
        member_id -> Int4,
        // old_field -> Text,
        title -> Varchar,
    }
}

diesel::joinable!(posts -> members (member_id));
diesel::allow_tables_to_appear_in_same_query!(members, posts);
"#;

#[test]
fn diesel_columns_belong_to_their_table_and_sql_name_renames() {
    let p = "src/schema.rs";
    assert_eq!(find(p, DIESEL, column("members", "old_field"), Via::Diesel), [(17, 9)]);
    assert_eq!(find(p, DIESEL, column("posts", "old_field"), Via::Diesel), []);
    assert_eq!(find(p, DIESEL, column("members", "member_id"), Via::Diesel), []);
    assert_eq!(find(p, DIESEL, column("posts", "member_id"), Via::Diesel), [(27, 9)]);
    assert_eq!(find(p, DIESEL, column("members", "type"), Via::Diesel), [(19, 9)]);
    assert_eq!(find(p, DIESEL, column("members", "kind"), Via::Diesel), []);
    assert_eq!(
        find(p, DIESEL, object(TargetKind::Table, None, "posts"), Via::Diesel),
        [(25, 5)]
    );
}

const DRIZZLE: &str = r#"import { integer, pgEnum, pgTable, serial, text, uniqueIndex, varchar } from "drizzle-orm/pg-core";

export const roleEnum = pgEnum("role", ["guest", "user", "admin"]);

export const users = pgTable("users", {
  id: serial("id").primaryKey(),
  fullName: text("full_name"),
  oldField: varchar("old_field", { length: 256 }),
  role: roleEnum().default("guest"),
  // legacyScore: integer("legacy_score"),
}, (table) => [uniqueIndex("users_full_name_idx").on(table.fullName)]);

export const posts = pgTable("posts", {
  id: serial().primaryKey(),
  authorId: integer("author_id").references(() => users.id),
  oldField: text(),
});
"#;

#[test]
fn drizzle_columns_take_the_builder_name_else_the_key() {
    let p = "src/db/schema.ts";
    assert_eq!(find(p, DRIZZLE, column("users", "old_field"), Via::Drizzle), [(8, 3)]);
    assert_eq!(find(p, DRIZZLE, column("users", "oldField"), Via::Drizzle), []);
    // No name argument: the key, or its snake_case under `casing: "snake_case"`.
    assert_eq!(find(p, DRIZZLE, column("posts", "old_field"), Via::Drizzle), [(16, 3)]);
    assert_eq!(find(p, DRIZZLE, column("posts", "oldField"), Via::Drizzle), [(16, 3)]);
    assert_eq!(find(p, DRIZZLE, column("users", "author_id"), Via::Drizzle), []);
    assert_eq!(find(p, DRIZZLE, column("posts", "author_id"), Via::Drizzle), [(15, 3)]);
    assert_eq!(find(p, DRIZZLE, column("users", "legacy_score"), Via::Drizzle), []);
    assert_eq!(
        find(p, DRIZZLE, object(TargetKind::Table, None, "posts"), Via::Drizzle),
        [(13, 31)]
    );
    let admin = object(TargetKind::EnumValue, Some("role"), "admin");
    assert_eq!(find(p, DRIZZLE, admin, Via::Drizzle), [(3, 59)]);
}

const SQLALCHEMY: &str = r#"from typing import List, Optional

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    fullname: Mapped[Optional[str]] = mapped_column("full_name")
    old_field = Column("legacy_field", String)
    # nickname: Mapped[str]
    addresses: Mapped[List["Address"]] = relationship(back_populates="user")


class Address(Base):
    __tablename__ = "address"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_address: Mapped[str]
    name: Mapped[str]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    user: Mapped["User"] = relationship(back_populates="addresses")


user_keyword = Table(
    "user_keyword",
    Base.metadata,
    Column("user_id", ForeignKey("user_account.id"), primary_key=True),
    Column("keyword_id", ForeignKey("keyword.id"), primary_key=True),
)
"#;

#[test]
fn sqlalchemy_declarative_and_core_columns() {
    let p = "app/models.py";
    assert_eq!(
        find(p, SQLALCHEMY, column("user_account", "full_name"), Via::SqlAlchemy),
        [(16, 5)]
    );
    assert_eq!(
        find(p, SQLALCHEMY, column("user_account", "fullname"), Via::SqlAlchemy),
        []
    );
    assert_eq!(
        find(p, SQLALCHEMY, column("user_account", "legacy_field"), Via::SqlAlchemy),
        [(17, 5)]
    );
    assert_eq!(
        find(p, SQLALCHEMY, column("user_account", "old_field"), Via::SqlAlchemy),
        []
    );
    assert_eq!(
        find(p, SQLALCHEMY, column("address", "name"), Via::SqlAlchemy),
        [(27, 5)]
    );
    assert_eq!(
        find(p, SQLALCHEMY, column("user_account", "email_address"), Via::SqlAlchemy),
        []
    );
    assert_eq!(
        find(p, SQLALCHEMY, column("address", "email_address"), Via::SqlAlchemy),
        [(26, 5)]
    );
    assert_eq!(
        find(p, SQLALCHEMY, column("user_account", "nickname"), Via::SqlAlchemy),
        []
    );
    assert_eq!(
        find(p, SQLALCHEMY, column("user_account", "addresses"), Via::SqlAlchemy),
        []
    );
    assert_eq!(
        find(p, SQLALCHEMY, column("user_keyword", "keyword_id"), Via::SqlAlchemy),
        [(36, 13)]
    );
    let table = object(TargetKind::Table, None, "user_keyword");
    assert_eq!(find(p, SQLALCHEMY, table, Via::SqlAlchemy), [(33, 6)]);
}

const DJANGO: &str = r#"from django.db import models


class Musician(models.Model):
    first_name = models.CharField(max_length=50)
    last_name = models.CharField(max_length=50, db_column="surname")
    instrument = models.CharField(max_length=100)
    # nickname = models.CharField(max_length=50)


class Album(models.Model):
    artist = models.ForeignKey(Musician, on_delete=models.CASCADE)
    name = models.CharField(max_length=100)
    release_date = models.DateField()
    num_stars = models.IntegerField()
    instrument = models.CharField(max_length=100)

    class Meta:
        db_table = "music_albums"
"#;

#[test]
fn django_default_tables_db_table_db_column_and_foreign_keys() {
    for p in ["music/models.py", "music/models/__init__.py"] {
        assert_eq!(
            find(p, DJANGO, column("music_musician", "instrument"), Via::Django),
            [(7, 5)]
        );
        assert_eq!(
            find(p, DJANGO, column("music_albums", "instrument"), Via::Django),
            [(16, 5)]
        );
        assert_eq!(
            find(p, DJANGO, column("music_musician", "surname"), Via::Django),
            [(6, 5)]
        );
        assert_eq!(find(p, DJANGO, column("music_musician", "last_name"), Via::Django), []);
        assert_eq!(
            find(p, DJANGO, column("music_albums", "artist_id"), Via::Django),
            [(12, 5)]
        );
        assert_eq!(find(p, DJANGO, column("music_albums", "artist"), Via::Django), []);
        assert_eq!(find(p, DJANGO, column("music_musician", "nickname"), Via::Django), []);
        let musician = object(TargetKind::Table, None, "music_musician");
        assert_eq!(find(p, DJANGO, musician, Via::Django), [(4, 7)]);
        assert_eq!(
            find(p, DJANGO, object(TargetKind::Table, None, "music_album"), Via::Django),
            []
        );
    }
    // Not a models module: no Django references.
    assert_eq!(
        find(
            "music/views.py",
            DJANGO,
            column("music_musician", "instrument"),
            Via::Django
        ),
        []
    );
}

#[test]
fn each_reference_names_the_target_it_matched() {
    let targets = [
        column("orders", "email"),
        column("Post", "email"),
        column("users", "email"),
    ];
    let found: Vec<(usize, usize)> = references("schema.prisma", PRISMA, &targets)
        .iter()
        .map(|r| (r.target, r.line))
        .collect();
    assert_eq!(found, [(2, 12), (1, 23)]);
}

#[test]
fn schema_files_are_known_by_path_and_text_even_without_the_name() {
    // The Django column `artist_id` is not written in the file: the caller
    // must pass every schema file, not only those that contain the name.
    assert!(!DJANGO.contains("artist_id") && !DJANGO.contains("music_musician"));
    assert!(is_schema_file("music/models.py", DJANGO));
    assert!(is_schema_file("prisma/schema.prisma", PRISMA));
    assert!(is_schema_file("src/schema.rs", DIESEL));
    assert!(is_schema_file("src/db/schema.ts", DRIZZLE));
    assert!(is_schema_file("app/db.py", SQLALCHEMY));
    assert!(!is_schema_file(
        "src/members.ts",
        "const q = `SELECT id, old_field FROM members`;"
    ));
    assert!(!is_schema_file("music/views.py", "from .models import Album"));
    assert!(!is_schema_file("docs/schema.md", PRISMA));
}
