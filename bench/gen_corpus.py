#!/usr/bin/env python3
"""Deterministic generator of a realistic corpus of PostgreSQL migration files.

    python3 bench/gen_corpus.py OUT_DIR [--files 3000] [--seed 1]

Writes OUT_DIR/supabase/migrations/<YYYYMMDDHHMMSS>_<slug>.sql, one project
history in the order the files are named. Only the standard library is used,
and the output depends only on --seed and --files (no clock, no hash order):
the same arguments give byte-identical files.

What is in it, mixed the way real repositories mix it:

* styles that drift over the history: hand-written Supabase migrations
  (lower case, `public.` names, RLS policies using auth.uid()), `supabase db
  diff` output (quoted "public"."t" names, PRIMARY KEY USING INDEX, FKs added
  NOT VALID then validated, one GRANT per privilege and role), pg_dump /
  Rails structure.sql (upper case, sequences, ALTER TABLE ONLY, fk_rails_*
  names, SET header), Flyway (upper case, unqualified) and golang-migrate
  (BEGIN/COMMIT, SET lock_timeout, IF NOT EXISTS, CONCURRENTLY outside
  transactions);
* CREATE TABLE with many column types, identity/serial/uuid keys, defaults,
  CHECK/UNIQUE/FK constraints, generated columns, partitioned tables;
  CREATE INDEX (btree, gin, brin, partial, expression, INCLUDE, some
  CONCURRENTLY); ALTER TABLE ADD COLUMN / SET NOT NULL / defaults; ADD
  CONSTRAINT ... NOT VALID + VALIDATE CONSTRAINT; enums and ALTER TYPE ADD
  VALUE; plpgsql and SQL functions with dollar-quoted bodies; triggers; RLS
  policies; GRANT/REVOKE; COMMENT ON; seed INSERTs; UPDATE backfills; DO
  blocks; views and materialized views; SET lock_timeout;
* a small share of destructive statements (DROP COLUMN, DROP TABLE, RENAME,
  ALTER COLUMN TYPE, TRUNCATE, DROP NOT NULL ...), a bit more than half of
  them carrying a `MIGRATION_APPROVED` comment in one of the forms of the
  contract (trailing, preceding line, block comment with rule ids).

The generator keeps a model of the schema, so every statement refers to
objects that exist at that point of the history: applied in order with psql
to a Supabase-like database (schema auth with auth.users and auth.uid(),
roles anon/authenticated/service_role, search_path public, extensions) the
corpus runs without errors.  Each file has 5 to 80 statements.
"""

import argparse
import datetime
import os
import random
import sys

MAX_STATEMENTS = 80
MIN_STATEMENTS = 5
IDENT_MAX = 63

# --------------------------------------------------------------------------
# word lists
# --------------------------------------------------------------------------

ENTITIES = [
    ("account", "accounts"), ("organization", "organizations"), ("team", "teams"),
    ("project", "projects"), ("workspace", "workspaces"), ("member", "members"),
    ("invoice", "invoices"), ("invoice_item", "invoice_items"), ("payment", "payments"),
    ("subscription", "subscriptions"), ("product", "products"),
    ("product_variant", "product_variants"), ("order", "orders"),
    ("order_item", "order_items"), ("cart", "carts"), ("cart_item", "cart_items"),
    ("customer", "customers"), ("address", "addresses"), ("shipment", "shipments"),
    ("warehouse", "warehouses"), ("inventory_item", "inventory_items"),
    ("supplier", "suppliers"), ("purchase_order", "purchase_orders"), ("post", "posts"),
    ("comment", "comments"), ("reaction", "reactions"), ("message", "messages"),
    ("conversation", "conversations"), ("channel", "channels"),
    ("notification", "notifications"), ("webhook", "webhooks"),
    ("webhook_delivery", "webhook_deliveries"), ("api_key", "api_keys"),
    ("session", "sessions"), ("device", "devices"), ("document", "documents"),
    ("document_version", "document_versions"), ("folder", "folders"),
    ("attachment", "attachments"), ("task", "tasks"), ("milestone", "milestones"),
    ("sprint", "sprints"), ("issue", "issues"), ("release", "releases"),
    ("deployment", "deployments"), ("environment", "environments"),
    ("experiment", "experiments"), ("report", "reports"), ("dashboard", "dashboards"),
    ("widget", "widgets"), ("alert", "alerts"), ("incident", "incidents"),
    ("schedule", "schedules"), ("appointment", "appointments"), ("booking", "bookings"),
    ("room", "rooms"), ("venue", "venues"), ("ticket", "tickets"), ("course", "courses"),
    ("lesson", "lessons"), ("enrollment", "enrollments"), ("quiz", "quizzes"),
    ("submission", "submissions"), ("grade", "grades"), ("patient", "patients"),
    ("prescription", "prescriptions"), ("clinic", "clinics"), ("vehicle", "vehicles"),
    ("driver", "drivers"), ("trip", "trips"), ("route", "routes"), ("stop", "stops"),
    ("listing", "listings"), ("review", "reviews"), ("coupon", "coupons"),
    ("refund", "refunds"), ("payout", "payouts"), ("transaction", "transactions"),
    ("ledger_entry", "ledger_entries"), ("wallet", "wallets"), ("template", "templates"),
    ("email", "emails"), ("job", "jobs"), ("job_run", "job_runs"), ("import", "imports"),
    ("export", "exports"), ("integration", "integrations"),
    ("oauth_token", "oauth_tokens"), ("invitation", "invitations"),
    ("tenant", "tenants"), ("domain", "domains"), ("certificate", "certificates"),
    ("backup", "backups"), ("contract", "contracts"), ("lead", "leads"),
    ("opportunity", "opportunities"), ("contact", "contacts"), ("company", "companies"),
    ("note", "notes"), ("activity", "activities"), ("calendar", "calendars"),
    ("survey", "surveys"), ("survey_response", "survey_responses"),
    ("question", "questions"), ("answer", "answers"), ("vote", "votes"),
    ("badge", "badges"), ("achievement", "achievements"), ("playlist", "playlists"),
    ("track", "tracks"), ("album", "albums"), ("artist", "artists"),
    ("episode", "episodes"), ("podcast", "podcasts"), ("video", "videos"),
    ("recipe", "recipes"), ("ingredient", "ingredients"), ("menu", "menus"),
    ("restaurant", "restaurants"), ("store", "stores"), ("asset", "assets"),
    ("upload", "uploads"), ("campaign", "campaigns"), ("segment", "segments"),
    ("audience", "audiences"), ("form", "forms"), ("form_field", "form_fields"),
    ("workflow", "workflows"), ("workflow_step", "workflow_steps"),
    ("approval", "approvals"), ("expense", "expenses"), ("budget", "budgets"),
    ("employee", "employees"), ("department", "departments"), ("shift", "shifts"),
    ("timesheet", "timesheets"), ("license", "licenses"), ("seat", "seats"),
]

LOOKUPS = [
    ("plan", "plans"), ("country", "countries"), ("currency", "currencies"),
    ("language", "languages"), ("role", "roles"), ("permission", "permissions"),
    ("category", "categories"), ("tag", "tags"), ("label", "labels"),
    ("region", "regions"), ("timezone", "timezones"), ("payment_method", "payment_methods"),
    ("ticket_status", "ticket_statuses"), ("industry", "industries"),
    ("unit_of_measure", "units_of_measure"), ("tax_rate", "tax_rates"),
    ("shipping_method", "shipping_methods"), ("priority", "priorities"),
]

LOG_NOUNS = ["events", "page_views", "audit_events", "metric_samples", "api_requests",
             "login_attempts", "email_events", "usage_records", "search_queries",
             "click_events", "sensor_readings", "billing_events"]

DERIVED_SUFFIXES = ["history", "snapshots", "settings", "stats", "archive", "events",
                    "links", "audits", "queue", "daily_rollups", "versions", "imports",
                    "preferences", "limits", "quotas", "checkpoints"]

COLS = {
    "text": ["name", "title", "description", "slug", "email", "phone", "notes",
             "display_name", "avatar_url", "website_url", "locale", "timezone", "bio",
             "address_line1", "address_line2", "city", "postal_code", "country_code",
             "currency_code", "reference", "external_id", "sku", "summary", "body",
             "subject", "content", "source", "channel", "provider", "token_hash",
             "status_reason", "first_name", "last_name", "company_name", "job_title",
             "color", "icon", "url", "storage_path", "mime_type", "checksum", "username",
             "handle", "short_code", "invite_code", "stripe_customer_id",
             "stripe_price_id", "cancellation_reason", "utm_source", "user_agent",
             "error_message", "vat_number", "iban", "headline", "caption", "alt_text"],
    "bool": ["is_active", "is_archived", "enabled", "is_verified", "is_public",
             "email_verified", "has_onboarded", "marketing_opt_in", "is_default",
             "is_primary", "is_pinned", "is_featured", "requires_approval", "is_internal",
             "auto_renew", "notifications_enabled", "is_locked", "is_test", "is_billable"],
    "int": ["quantity", "position", "sort_order", "retry_count", "attempts", "priority",
            "seats", "max_members", "version_number", "duration_seconds", "views_count",
            "comments_count", "likes_count", "members_count", "failure_count", "capacity",
            "rank", "step", "level", "max_retries", "page_count", "rating"],
    "bigint": ["size_bytes", "amount_cents", "total_cents", "balance_cents", "byte_count",
               "sequence_number", "external_number", "storage_used_bytes"],
    "numeric": ["price", "amount", "balance", "tax_rate", "discount_percent", "weight_kg",
                "latitude", "longitude", "score", "exchange_rate", "unit_price",
                "total_amount", "fee", "hourly_rate", "conversion_rate"],
    "ts": ["published_at", "archived_at", "expires_at", "last_seen_at", "confirmed_at",
           "started_at", "completed_at", "cancelled_at", "scheduled_for", "processed_at",
           "verified_at", "last_login_at", "sent_at", "read_at", "resolved_at", "paid_at",
           "due_at", "locked_at", "synced_at", "trial_ends_at", "approved_at",
           "delivered_at", "failed_at", "last_activity_at"],
    "date": ["birth_date", "due_date", "start_date", "end_date", "effective_on",
             "valid_from", "valid_until", "billing_date", "issued_on", "hired_on"],
    "jsonb": ["metadata", "settings", "preferences", "payload", "attributes", "config",
              "raw_response", "properties", "context", "extra", "options", "headers",
              "custom_fields", "feature_overrides"],
    "json": ["legacy_payload", "raw_event", "response_body"],
    "uuid": ["external_uuid", "correlation_id", "request_id", "idempotency_key", "trace_id",
             "batch_id"],
    "text[]": ["tags", "scopes", "aliases", "keywords", "allowed_origins", "cc_emails",
               "categories_list"],
    "inet": ["ip_address", "last_ip", "signup_ip"],
    "interval": ["retention_period", "grace_period", "reminder_offset", "sla_duration"],
    "bytea": ["signature", "encrypted_secret", "thumbnail"],
    "time": ["opens_at", "closes_at", "quiet_hours_start", "quiet_hours_end"],
}
KIND_WEIGHTS = [("text", 30), ("bool", 10), ("int", 9), ("bigint", 4), ("numeric", 7),
                ("ts", 10), ("date", 4), ("jsonb", 6), ("json", 1), ("uuid", 3),
                ("text[]", 3), ("inet", 1), ("interval", 1), ("bytea", 1), ("time", 1)]
# a few column names that are reserved words and must always be quoted
RESERVED_COLS = [("order", "int"), ("limit", "int"), ("user", "text"), ("check", "bool")]
RESERVED = {"order", "limit", "user", "check", "group", "default", "select", "table",
            "from", "where", "end", "to", "all", "and", "or", "desc", "asc", "column",
            "constraint", "primary", "references", "unique", "grant", "with", "window"}
PREFIXES = ["billing", "shipping", "primary", "secondary", "last", "previous", "legacy",
            "public", "internal", "external", "default", "original"]

ENUM_SETS = {
    "status": [["pending", "active", "suspended", "cancelled"],
               ["draft", "published", "archived"],
               ["queued", "running", "succeeded", "failed"],
               ["open", "in_progress", "resolved", "closed"],
               ["trialing", "active", "past_due", "canceled", "unpaid"]],
    "visibility": [["private", "internal", "public"]],
    "role": [["owner", "admin", "member", "viewer"], ["admin", "editor", "guest"]],
    "priority": [["low", "medium", "high", "urgent"]],
    "kind": [["standard", "premium", "enterprise"], ["email", "sms", "push", "in_app"],
             ["debit", "credit"]],
    "channel": [["web", "ios", "android", "api"]],
}
EXTRA_ENUM_VALUES = ["archived", "deleted", "blocked", "expired", "on_hold", "refunded",
                     "partially_refunded", "scheduled", "retrying", "escalated", "snoozed",
                     "awaiting_review", "rejected", "migrated", "disabled", "paused"]

ON_DELETE = ["CASCADE", "CASCADE", "SET NULL", "RESTRICT", "NO ACTION", None]

REASONS = [
    "column unused since v{a}.{b}, confirmed in #{n}",
    "data migrated to {col} in {date}",
    "table replaced by {tbl}, see runbook {n}",
    "confirmed with @data-platform in PR #{n}",
    "backfilled and verified on staging, ticket OPS-{n}",
    "legacy feature removed in release {a}.{b}.0",
    "no readers left (checked pg_stat_user_tables, {date})",
    "archive copied to cold storage, see runbook {n}",
    "approved by @dba-team, change window {date}",
    "rewrites a small table (< {n} rows), lock is fine",
    "données migrées vers {col} — validé par l'équipe ({date})",
    "safe: table is empty in every environment",
]
COMMENTS_TEXT = [
    "Stores {p} for each {s}.", "One row per {s}; soft-deleted rows keep deleted_at.",
    "Denormalised copy, rebuilt nightly.", "Owned by the {team} team.",
    "Do not write from application code; use the {s}_api functions.",
    "Set by the billing worker; never edited by hand.",
    "Legacy column kept for the mobile app <= 3.2", "ISO 4217 code, e.g. 'EUR'",
    "Nullable until the backfill finishes; see migration notes.",
    "Cached value – recomputed by trigger", "Timestamp (UTC) of the last change",
    "Encrypted with pgcrypto; key lives in the vault", "Contains PII: handle with care",
    "Free-form JSON; schema documented in docs/{s}.md",
    "Kept for audit; do not delete -- finance needs 7 years of history",
    "Données personnelles : à purger après 30 jours", "Renamed from {s}_ref in 2023",
]
TEAMS = ["billing", "growth", "platform", "data", "identity", "payments", "search",
         "mobile", "infra", "crm", "support"]
SEED_WORDS = ["Starter", "Pro", "Business", "Enterprise", "Basic", "Premium", "Free",
              "Team", "Growth", "Scale", "Standard", "Plus", "Lite", "Ultimate", "Legacy",
              "Nordic", "Alpine", "Atlantic", "Pacific", "Central", "Northern", "Southern",
              "Café", "Zürich", "München", "São Paulo", "Kraków", "Malmö", "Ōsaka", "Açaí"]


class Col:
    __slots__ = ("name", "kind", "sqltype", "nullable", "default", "pins", "fk", "pk",
                 "generated", "enum")

    def __init__(self, name, kind, sqltype, nullable=True, default=None):
        self.name = name
        self.kind = kind
        self.sqltype = sqltype
        self.nullable = nullable
        self.default = default
        self.pins = 0          # views, policies, generated columns depending on it
        self.fk = None         # Table it references
        self.pk = False
        self.generated = False
        self.enum = None       # Enum object for enum columns


class Table:
    def __init__(self, name, schema, ttype, singular):
        self.name = name
        self.schema = schema
        self.ttype = ttype      # entity | lookup | join | partitioned | flags
        self.singular = singular
        self.cols = []
        self.pk_kind = None     # uuid | bigint | int | None
        self.rows = 0
        self.rls = False
        self.policies = []
        self.triggers = []
        self.indexes = []
        self.constraints = []
        self.referrers = []     # list of (Table, Col)
        self.views = []
        self.seq = None
        self.seeded = 0
        self.months = []        # partitioned: (year, month) partitions
        self.alive = True

    def col(self, name):
        for c in self.cols:
            if c.name == name:
                return c
        return None

    def cols_of(self, *kinds):
        return [c for c in self.cols if c.kind in kinds and not c.generated]


class Enum:
    def __init__(self, name, values, family):
        self.name = name
        self.family = family
        self.values = list(values)
        self.used = 0


class View:
    def __init__(self, name, schema, materialized, pinned_cols, tables):
        self.name = name
        self.schema = schema
        self.materialized = materialized
        self.pinned_cols = pinned_cols
        self.tables = tables


class Model:
    def __init__(self):
        self.tables = []
        self.used_names = set()     # membership tests only, never iterated
        self.enums = []
        self.functions = {}         # name -> (args, used_by_triggers)
        self.extensions = []
        self.schemas = ["public"]
        self.roles = []             # roles created by the corpus itself
        self.pending = []           # (Table, conname, [Col]) NOT VALID constraints
        self.views = []
        self.updated_at_fn = None
        self.audit_fn = None
        self.audit_table = None
        self.entity_pool = list(ENTITIES)
        self.lookup_pool = list(LOOKUPS)
        self.log_pool = list(LOG_NOUNS)

    def live_tables(self, *ttypes):
        return [t for t in self.tables if t.alive and (not ttypes or t.ttype in ttypes)]

    def claim(self, base):
        base = base[:IDENT_MAX]
        name = base
        i = 2
        while name in self.used_names:
            suffix = "_%d" % i
            name = base[:IDENT_MAX - len(suffix)] + suffix
            i += 1
        self.used_names.add(name)
        return name


# --------------------------------------------------------------------------
# styles
# --------------------------------------------------------------------------

STYLES = {
    # case, qualify, quote_cols, txn probability, lock_timeout probability,
    # if-not-exists probability, concurrently probability
    "supabase_hand": dict(case="lower", qualify="public", quote=False, txn=0.1, lock=0.15,
                          ine=0.5, conc=0.3, sep="\n\n"),
    "supabase_diff": dict(case="lower", qualify="quoted", quote=True, txn=0.0, lock=0.0,
                          ine=0.0, conc=0.0, sep="\n\n"),
    "pg_dump": dict(case="upper", qualify="public", quote=False, txn=0.1, lock=0.1,
                    ine=0.0, conc=0.1, sep="\n\n"),
    "flyway": dict(case="upper", qualify="none", quote=False, txn=0.05, lock=0.2, ine=0.2,
                   conc=0.3, sep="\n"),
    "golang_migrate": dict(case="mixed", qualify="none", quote=False, txn=0.6, lock=0.6,
                           ine=0.8, conc=0.7, sep="\n\n"),
}
STYLE_WEIGHTS = [("supabase_hand", 32), ("supabase_diff", 18), ("pg_dump", 14),
                 ("flyway", 14), ("golang_migrate", 22)]

FILE_KINDS = [("create_table", 22), ("add_columns", 17), ("add_index", 9),
              ("foreign_keys", 6), ("enum", 5), ("function", 6), ("rls", 7),
              ("grants", 3), ("seed", 5), ("backfill", 6), ("destructive", 7),
              ("view", 3), ("maintenance", 4)]


def wchoice(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    acc = 0
    for item, w in pairs:
        acc += w
        if x <= acc:
            return item
    return pairs[-1][0]


# --------------------------------------------------------------------------
# text helpers
# --------------------------------------------------------------------------

def lower_sql(text):
    """Lower-case everything outside string literals, quoted identifiers and
    comments (identifiers are generated in lower case, so only keywords,
    types and builtin names change)."""
    out = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "'":
            j = i + 1
            while j < n:
                if text[j] == "'":
                    if j + 1 < n and text[j + 1] == "'":
                        j += 2
                        continue
                    break
                j += 1
            out.append(text[i:j + 1])
            i = j + 1
        elif ch == '"':
            j = text.find('"', i + 1)
            j = n - 1 if j < 0 else j
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("--", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(text[i:j])
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(text[i:j])
            i = j
        else:
            j = i
            while j < n and text[j] not in "'\"-/":
                j += 1
            if j == i:
                j = i + 1
            out.append(text[i:j].lower())
            i = j
    return "".join(out)


def text_limit(sqltype):
    """n of varchar(n)/char(n), None when unlimited"""
    if "(" in sqltype and "[]" not in sqltype and sqltype.startswith(("char", "varchar")):
        return int(sqltype.split("(")[1].split(")")[0])
    if sqltype in ("char", "character"):
        return 1
    return None


def is_bpchar(sqltype):
    return sqltype.startswith(("char(", "character(")) or sqltype in ("char", "character")


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


# --------------------------------------------------------------------------
# one migration file
# --------------------------------------------------------------------------

class FileGen:
    def __init__(self, rng, model, style_name, idx, date):
        self.rng = rng
        self.m = model
        self.style_name = style_name
        self.st = STYLES[style_name]
        self.idx = idx
        self.date = date
        self.out = []           # list of statement texts (with attached comments)
        self.pending_prefix = []
        self.focus = []         # tables touched in this file
        self.in_txn = False
        self.slug = None
        self.lower = (self.st["case"] == "lower" or
                      (self.st["case"] == "mixed" and rng.random() < 0.5))

    # ---- rendering --------------------------------------------------------

    def q(self, name):
        """an identifier (column, constraint, index name)"""
        if name in RESERVED or self.st["quote"]:
            return '"%s"' % name
        return name

    def rel(self, schema, name):
        qual = self.st["qualify"]
        if qual == "quoted":
            return '"%s"."%s"' % (schema, name)
        if qual == "public" or schema != "public":
            return "%s.%s" % (schema, name)
        return name

    def t(self, table):
        return self.rel(table.schema, table.name)

    def fn(self, name):
        return self.rel("public", name)

    def typ(self, col):
        if col.enum is not None:
            return self.rel("public", col.enum.name)
        return col.sqltype

    def ine(self):
        return " IF NOT EXISTS" if self.rng.random() < self.st["ine"] else ""

    # ---- emission ---------------------------------------------------------

    def n(self):
        return len(self.out)

    def room(self):
        return MAX_STATEMENTS - len(self.out) - self.reserve

    def comment(self, text):
        self.pending_prefix.append("-- " + text)

    def emit(self, stmt, trailing=None, before=None):
        parts = list(self.pending_prefix)
        self.pending_prefix = []
        if before:
            parts.append(before)
        line = stmt
        if trailing:
            line += " " + trailing
        parts.append(line)
        self.out.append("\n".join(parts))

    def reason(self):
        r = self.rng
        tmpl = r.choice(REASONS)
        tbl = r.choice(self.m.live_tables()).name if self.m.tables else "accounts"
        return tmpl.format(a=r.randint(1, 9), b=r.randint(0, 30), n=r.randint(10, 9999),
                           col=r.choice(COLS["text"]), tbl=tbl,
                           date="20%02d-%02d-%02d" % (r.randint(21, 25), r.randint(1, 12),
                                                      r.randint(1, 28)))

    def destructive(self, stmt, rule):
        """emit a destructive statement, approved a bit more than half the time"""
        r = self.rng.random()
        if r < 0.25:
            self.emit(stmt, trailing="-- MIGRATION_APPROVED: " + self.reason())
        elif r < 0.45:
            self.emit(stmt, before="-- MIGRATION_APPROVED: " + self.reason())
        elif r < 0.53:
            self.emit(stmt, before="/* MIGRATION_APPROVED(%s): %s */" % (rule, self.reason()))
        elif r < 0.56:
            self.emit(stmt, before="/*\n * MIGRATION_APPROVED: %s\n */" % self.reason())
        elif r < 0.565:
            self.emit(stmt, trailing="-- MIGRATION_APPROVED:")   # blank reason: an error
        else:
            self.emit(stmt)

    # ---- helpers on the model -------------------------------------------

    def pick_table(self, *ttypes, exclude=(), pred=None):
        cands = [t for t in self.m.live_tables(*ttypes)
                 if t not in exclude and (pred is None or pred(t))]
        if not cands:
            return None
        focus = [t for t in self.focus if t in cands]
        if focus and self.rng.random() < 0.7:
            return self.rng.choice(focus)
        # recent tables are touched more often
        if self.rng.random() < 0.6:
            cands = cands[-25:]
        return self.rng.choice(cands)

    def touch(self, t):
        if t is not None and t not in self.focus:
            self.focus.append(t)

    def new_col_name(self, t, kind):
        existing = {c.name for c in t.cols}
        pool = [c for c in COLS[kind] if c not in existing]
        if pool:
            return self.rng.choice(pool)
        for _ in range(20):
            name = "%s_%s" % (self.rng.choice(PREFIXES), self.rng.choice(COLS[kind]))
            if name not in existing:
                return name[:IDENT_MAX]
        i = 2
        while "%s_%d" % (COLS[kind][0], i) in existing:
            i += 1
        return "%s_%d" % (COLS[kind][0], i)

    def sqltype_for(self, kind, name):
        r = self.rng
        if kind == "text":
            if name in ("email", "username", "handle") and "citext" in self.m.extensions \
                    and r.random() < 0.5:
                return "citext"
            if name in ("country_code",):
                return r.choice(["char(2)", "character(2)", "text", "varchar(2)"])
            if name in ("currency_code",):
                return r.choice(["char(3)", "text", "varchar(3)"])
            return r.choice(["text"] * 6 + ["varchar(255)", "character varying(255)",
                                            "varchar(64)", "varchar(120)",
                                            "character varying", "varchar(2048)"])
        return r.choice({
            "bool": ["boolean", "boolean", "bool"],
            "int": ["integer", "integer", "int", "int4", "smallint"],
            "bigint": ["bigint", "bigint", "int8"],
            "numeric": ["numeric(12,2)", "numeric(12,2)", "numeric(10,4)", "numeric",
                        "decimal(12,2)", "double precision", "real", "numeric(14,6)"],
            "ts": ["timestamptz", "timestamptz", "timestamp with time zone",
                   "timestamp without time zone", "timestamp(6) with time zone",
                   "timestamp", "timestamp(6) without time zone"],
            "date": ["date"],
            "jsonb": ["jsonb"],
            "json": ["json"],
            "uuid": ["uuid"],
            "text[]": ["text[]", "text[]", "varchar[]", "character varying(255)[]"],
            "inet": ["inet"],
            "interval": ["interval"],
            "bytea": ["bytea"],
            "time": ["time", "time without time zone", "time with time zone", "timetz"],
        }[kind])

    def default_for(self, col):
        r = self.rng
        k = col.kind
        if col.enum is not None:
            return "%s::%s" % (sql_str(col.enum.values[0]), self.rel("public", col.enum.name))
        if k == "text":
            if is_bpchar(col.sqltype):
                return None
            limit = text_limit(col.sqltype) or 1000
            special = {"locale": "'en'::text", "timezone": "'UTC'", "currency_code": "'USD'",
                       "color": "'#3b82f6'::text"}.get(col.name)
            if special and len(special.split("'")[1]) <= limit:
                return special
            return r.choice(["''::text", "''"] + (["'unknown'::text"] if limit >= 7 else []))
        if k == "bool":
            return r.choice(["false", "false", "true"])
        if k in ("int", "bigint"):
            return r.choice(["0", "0", "1"])
        if k == "numeric":
            return r.choice(["0", "0.0", "0.00"])
        if k == "ts":
            if "without" in col.sqltype or col.sqltype.startswith("timestamp") and \
                    "with" not in col.sqltype:
                return r.choice(["now()", "CURRENT_TIMESTAMP",
                                 "(now() AT TIME ZONE 'utc'::text)"])
            return r.choice(["now()", "now()", "CURRENT_TIMESTAMP",
                             "timezone('utc'::text, now())", "statement_timestamp()"])
        if k == "date":
            return "CURRENT_DATE"
        if k == "jsonb":
            return r.choice(["'{}'::jsonb", "'{}'::jsonb", "'[]'::jsonb",
                             "'{\"version\": 1}'::jsonb", "jsonb_build_object()"])
        if k == "json":
            return "'{}'::json"
        if k == "uuid":
            if "uuid-ossp" in self.m.extensions and r.random() < 0.4:
                return "uuid_generate_v4()"
            return "gen_random_uuid()"
        if k == "text[]":
            return r.choice(["'{}'::text[]", "ARRAY[]::text[]", "'{}'"])
        if k == "interval":
            return r.choice(["'30 days'::interval", "interval '1 hour'", "'00:15:00'"])
        if k == "time":
            return None
        return None

    def make_col(self, t, kind=None, name=None):
        r = self.rng
        if kind is None:
            kind = wchoice(r, KIND_WEIGHTS)
        if name is None:
            name = self.new_col_name(t, kind)
        col = Col(name, kind, self.sqltype_for(kind, name))
        if r.random() < 0.35:
            col.default = self.default_for(col)
            if col.default is not None and r.random() < 0.6:
                col.nullable = False
        elif r.random() < 0.15 and t.rows == 0:
            col.nullable = False
        self.fix_nullability(t, col)
        return col

    def fix_nullability(self, t, col):
        # rows exist, or will be inserted by seeds that do not name this column
        if (t.rows or t.ttype == "lookup") and not col.nullable and col.default is None:
            col.nullable = True

    def enum_col(self, t, enum=None):
        r = self.rng
        if enum is None:
            enums = self.m.enums
            if not enums:
                return None
            enum = r.choice(enums[-12:])
        base = enum.family
        name = base if t.col(base) is None else enum.name
        if t.col(name) is not None:
            return None
        col = Col(name, "enum", enum.name)
        col.enum = enum
        if r.random() < 0.75:
            col.default = self.default_for(col)
            col.nullable = r.random() < 0.3
        self.fix_nullability(t, col)
        enum.used += 1
        return col

    def col_def(self, col, inline_fk=True):
        parts = [self.q(col.name), self.typ(col)]
        if col.generated:
            parts.append(col.default)
            return " ".join(parts)
        if col.pk and col.kind == "identity":
            pass
        if not col.nullable:
            parts.append("NOT NULL")
        if col.default is not None and not col.generated:
            parts.append("DEFAULT " + col.default)
        if col.fk is not None and inline_fk:
            ref = "REFERENCES %s(%s)" % (self.t(col.fk) if isinstance(col.fk, Table)
                                         else col.fk, self.q("id"))
            od = self.rng.choice(ON_DELETE)
            if od and not (od == "SET NULL" and not col.nullable):
                ref += " ON DELETE " + od
            parts.append(ref)
        return " ".join(parts)

    def index_name(self, t, cols, unique=False):
        s = self.style_name
        colpart = "_".join(cols)
        if s == "pg_dump" and self.rng.random() < 0.6:
            base = "index_%s_on_%s" % (t.name, "_and_".join(cols))
        elif s in ("flyway",) and self.rng.random() < 0.5:
            base = "idx_%s_%s" % (t.name, colpart)
        else:
            base = "%s_%s_%s" % (t.name, colpart, "key" if unique else "idx")
        return self.m.claim(base)

    # ---- units: tables ----------------------------------------------------

    def new_table_name(self, ttype):
        r = self.rng
        m = self.m
        if ttype == "lookup":
            if m.lookup_pool:
                s, p = m.lookup_pool.pop(r.randrange(len(m.lookup_pool)))
                if p not in m.used_names:
                    return s, m.claim(p)
            ttype = "entity"
        if ttype == "partitioned":
            if m.log_pool:
                p = m.log_pool.pop(r.randrange(len(m.log_pool)))
                if p not in m.used_names:
                    return p[:-1], m.claim(p)
            p = "%s_events" % r.choice(ENTITIES)[0]
            return p[:-1], m.claim(p)
        if m.entity_pool and r.random() < 0.8:
            s, p = m.entity_pool.pop(r.randrange(len(m.entity_pool)))
            if p not in m.used_names:
                return s, m.claim(p)
        # derived name: parent_singular + child plural, or noun + suffix
        for _ in range(30):
            if r.random() < 0.5:
                s1, _p1 = r.choice(ENTITIES)
                s2, p2 = r.choice(ENTITIES)
                if s1 == s2:
                    continue
                name, sing = "%s_%s" % (s1, p2), "%s_%s" % (s1, s2)
            else:
                s1, p1 = r.choice(ENTITIES + LOOKUPS)
                suf = r.choice(DERIVED_SUFFIXES)
                name, sing = "%s_%s" % (s1, suf), "%s_%s" % (s1, suf.rstrip("s"))
            if name not in m.used_names and len(name) < 50:
                return sing, m.claim(name)
        s, p = r.choice(ENTITIES)
        return s, m.claim(p + "_v2")

    def pick_schema(self):
        others = [s for s in self.m.schemas if s != "public"]
        if others and self.rng.random() < 0.08:
            return self.rng.choice(others)
        return "public"

    def add_pk(self, t):
        r = self.rng
        supa = self.style_name.startswith("supabase")
        if self.style_name == "pg_dump" and r.random() < 0.7:
            mode = "sequence"
        else:
            mode = wchoice(r, [("uuid", 6 if supa else 3), ("identity", 3), ("bigserial", 2),
                               ("serial", 1)])
        if mode == "uuid":
            c = Col("id", "uuid", "uuid", nullable=False,
                    default="gen_random_uuid()" if "uuid-ossp" not in self.m.extensions
                    or r.random() < 0.6 else "uuid_generate_v4()")
            t.pk_kind = "uuid"
        elif mode == "identity":
            c = Col("id", "bigint", "bigint", nullable=False)
            c.default = r.choice(["GENERATED ALWAYS AS IDENTITY",
                                  "GENERATED BY DEFAULT AS IDENTITY"])
            c.generated = False
            t.pk_kind = "bigint"
            c.sqltype = "bigint"
            c.kind = "identity"
        elif mode in ("bigserial", "serial"):
            c = Col("id", "serial", mode, nullable=True)
            t.pk_kind = "bigint" if mode == "bigserial" else "int"
            t.seq = self.m.claim("%s_id_seq" % t.name)
        else:
            c = Col("id", "bigint", "bigint", nullable=False)
            t.pk_kind = "bigint"
            t.seq = "sequence"
        c.pk = True
        c.pins += 1
        t.cols.append(c)
        return mode

    def fk_col(self, t, parent, name=None):
        if name is None:
            name = parent.singular + "_id"
            if t.col(name) is not None:
                name = "%s_%s_id" % (self.rng.choice(["parent", "owner", "source", "target",
                                                      "default", "primary"]), parent.singular)
            if t.col(name) is not None:
                return None
        name = name[:IDENT_MAX]
        typ = {"uuid": "uuid", "bigint": "bigint", "int": "integer"}[parent.pk_kind]
        c = Col(name, "fk", typ, nullable=self.rng.random() < 0.35)
        c.fk = parent
        parent.referrers.append((t, c))
        return c

    def ref_parent_candidates(self, exclude):
        return [p for p in self.m.live_tables("entity", "lookup")
                if p.pk_kind is not None and p not in exclude]

    def u_create_table(self, ttype=None):
        r = self.rng
        m = self.m
        if ttype is None:
            ttype = wchoice(r, [("entity", 80), ("lookup", 8), ("join", 8),
                                ("partitioned", 2)])
            if ttype == "join" and len(self.ref_parent_candidates(())) < 4:
                ttype = "entity"
        if ttype == "join":
            return self.u_create_join_table()
        if ttype == "partitioned":
            return self.u_create_partitioned()
        singular, name = self.new_table_name(ttype)
        if ttype == "lookup" and name.endswith("_v2"):
            ttype = "entity"
        t = Table(name, self.pick_schema(), ttype, singular)
        pk_mode = self.add_pk(t)
        separate_fks = []
        if ttype == "lookup":
            code = Col("code", "text", r.choice(["text", "varchar(32)", "character varying(64)"]),
                       nullable=False)
            code.pins += 1
            nm = Col("name", "text", "text", nullable=False)
            nm.pins += 1
            t.cols += [code, nm]
            if r.random() < 0.6:
                t.cols.append(Col("description", "text", "text"))
            if r.random() < 0.6:
                so = Col("sort_order", "int", "integer", nullable=False, default="0")
                t.cols.append(so)
            if r.random() < 0.5:
                t.cols.append(Col("is_active", "bool", "boolean", nullable=False,
                                  default="true"))
        else:
            parents = self.ref_parent_candidates((t,))
            nfk = min(len(parents), wchoice(r, [(0, 3), (1, 5), (2, 3), (3, 1)]))
            recent = parents[-30:]
            for p in r.sample(recent, min(nfk, len(recent))):
                c = self.fk_col(t, p)
                if c is not None:
                    t.cols.append(c)
            if self.style_name.startswith("supabase") and r.random() < 0.35 \
                    and t.col("user_id") is None:
                c = Col("user_id", "authfk", "uuid", nullable=r.random() < 0.2)
                c.fk = "auth.users"
                c.pins += 1
                t.cols.append(c)
            for _ in range(r.choice([2, 3, 3, 4, 5, 6, 8, 10, 12])):
                t.cols.append(self.make_col(t))
            if r.random() < 0.04:
                rname, rkind = r.choice(RESERVED_COLS)
                if t.col(rname) is None:
                    t.cols.append(Col(rname, rkind, self.sqltype_for(rkind, rname)))
            if r.random() < 0.3 and m.enums:
                c = self.enum_col(t)
                if c is not None:
                    t.cols.append(c)
        if r.random() < 0.9:
            t.cols.append(Col("created_at", "ts",
                              r.choice(["timestamptz", "timestamp with time zone",
                                        "timestamp(6) without time zone"]),
                              nullable=False, default="now()"))
            t.col("created_at").pins += 1
        if r.random() < 0.7:
            uc = Col("updated_at", "ts", t.col("created_at").sqltype if t.col("created_at")
                     else "timestamptz", nullable=r.random() < 0.3, default="now()")
            uc.pins += 1
            t.cols.append(uc)
        if ttype == "entity" and r.random() < 0.15:
            t.cols.append(Col("deleted_at", "ts", "timestamptz"))
        if ttype == "entity" and r.random() < 0.06:
            src = [c for c in t.cols if c.name in ("title", "name", "body", "description",
                                                   "content", "summary")]
            if src and t.col("search_vector") is None:
                s = src[0]
                g = Col("search_vector", "tsvector", "tsvector")
                g.generated = True
                g.default = "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, " \
                            "COALESCE(%s, ''::text))) STORED" % self.q(s.name)
                if not s.sqltype.startswith(("text", "varchar", "character varying")):
                    g.default = "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, " \
                                "COALESCE(%s::text, ''::text))) STORED" % self.q(s.name)
                s.pins += 1
                t.cols.append(g)
        # table constraints
        tcons = []
        diff = self.style_name == "supabase_diff"
        dump = self.style_name == "pg_dump"
        for c in t.cols:
            if c.kind == "numeric" and r.random() < 0.25 and c.name not in (
                    "latitude", "longitude"):
                cn = m.claim("%s_%s_check" % (t.name, c.name))
                tcons.append("CONSTRAINT %s CHECK (%s >= (0)::numeric)" % (self.q(cn),
                                                                           self.q(c.name)))
            if c.name in ("slug", "email", "handle", "username", "external_id",
                          "short_code") and ttype == "entity" and r.random() < 0.5:
                cn = m.claim("%s_%s_key" % (t.name, c.name))
                fkc = [x for x in t.cols if x.kind == "fk"]
                if fkc and r.random() < 0.5:
                    tcons.append("CONSTRAINT %s UNIQUE (%s, %s)" % (
                        self.q(cn), self.q(fkc[0].name), self.q(c.name)))
                else:
                    tcons.append("CONSTRAINT %s UNIQUE (%s)" % (self.q(cn), self.q(c.name)))
        if t.col("start_date") and t.col("end_date") and r.random() < 0.7:
            cn = m.claim("%s_dates_check" % t.name)
            tcons.append("CONSTRAINT %s CHECK (end_date >= start_date)" % self.q(cn))
        if ttype == "lookup":
            cn = m.claim("%s_code_key" % t.name)
            tcons.append("CONSTRAINT %s UNIQUE (code)" % self.q(cn))
        # column definitions
        lines = []
        inline_fk = not (diff or dump) and r.random() < 0.65
        pkname = m.claim("%s_pkey" % t.name)
        for c in t.cols:
            if c.pk:
                d = "%s %s" % (self.q("id"), {"sequence": "bigint NOT NULL",
                                              "bigserial": "bigserial",
                                              "serial": "serial"}.get(pk_mode, c.sqltype))
                if pk_mode == "uuid":
                    d = "%s uuid %sDEFAULT %s" % (self.q("id"), "NOT NULL " if diff else "",
                                                  c.default)
                elif pk_mode == "identity":
                    d = "%s bigint %s" % (self.q("id"), c.default)
                if not (diff or dump):
                    d += " PRIMARY KEY" if r.random() < 0.7 else ""
                    if not d.endswith("PRIMARY KEY"):
                        tcons.insert(0, "CONSTRAINT %s PRIMARY KEY (id)" % self.q(pkname))
                lines.append(d)
            elif c.kind in ("fk", "authfk"):
                if inline_fk or c.kind == "authfk" and not (diff or dump):
                    lines.append(self.col_def(c, inline_fk=True))
                else:
                    lines.append(self.col_def(c, inline_fk=False))
                    separate_fks.append(c)
            else:
                lines.append(self.col_def(c))
        if separate_fks and not (diff or dump) and r.random() < 0.6:
            for c in separate_fks:
                cn = m.claim("%s_%s_fkey" % (t.name, c.name))
                target = self.t(c.fk) if isinstance(c.fk, Table) else c.fk
                od = r.choice(ON_DELETE)
                if od == "SET NULL" and not c.nullable:
                    od = "CASCADE"
                tcons.append("CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s(id)%s" % (
                    self.q(cn), self.q(c.name), target, " ON DELETE " + od if od else ""))
            separate_fks = []
        body = ",\n    ".join(lines + tcons)
        ine = self.ine()
        if dump:
            self.emit("--\n-- Name: %s; Type: TABLE; Schema: %s; Owner: -\n--\n" % (
                t.name, t.schema) + "CREATE TABLE %s (\n    %s\n);" % (self.t(t), body))
        else:
            self.emit("CREATE TABLE%s %s (\n    %s\n);" % (ine, self.t(t), body))
        m.tables.append(t)
        self.touch(t)
        if self.slug is None:
            self.slug = "create_%s" % t.name
        if pk_mode == "sequence":
            seq = m.claim("%s_id_seq" % t.name)
            t.seq = seq
            self.emit("CREATE SEQUENCE %s\n    START WITH 1\n    INCREMENT BY 1\n"
                      "    NO MINVALUE\n    NO MAXVALUE\n    CACHE 1;" % self.rel(t.schema, seq))
            self.emit("ALTER SEQUENCE %s OWNED BY %s.id;" % (self.rel(t.schema, seq),
                                                             self.t(t)))
            self.emit("ALTER TABLE ONLY %s ALTER COLUMN id SET DEFAULT nextval('%s'::regclass);"
                      % (self.t(t), self.rel(t.schema, seq)))
        if diff:
            if r.random() < 0.7:
                self.emit("alter table %s enable row level security;" % self.t(t))
                t.rls = True
            self.emit("CREATE UNIQUE INDEX %s ON %s USING btree (id);" % (
                pkname, self.rel(t.schema, t.name)))
            self.emit('alter table %s add constraint "%s" PRIMARY KEY using index "%s";' % (
                self.t(t), pkname, pkname))
        elif dump:
            self.emit("ALTER TABLE ONLY %s\n    ADD CONSTRAINT %s PRIMARY KEY (id);" % (
                self.t(t), pkname))
        for c in separate_fks:
            od = r.choice(ON_DELETE)
            if od == "SET NULL" and not c.nullable:
                od = "CASCADE"
            target = self.t(c.fk) if isinstance(c.fk, Table) else c.fk
            if dump:
                cn = m.claim("fk_rails_%010x" % r.getrandbits(40))
                self.emit("ALTER TABLE ONLY %s\n    ADD CONSTRAINT %s FOREIGN KEY (%s) "
                          "REFERENCES %s(id)%s;" % (self.t(t), cn, c.name, target,
                                                    " ON DELETE " + od if od else ""))
            else:
                cn = m.claim("%s_%s_fkey" % (t.name, c.name))
                self.emit('alter table %s add constraint "%s" FOREIGN KEY (%s) REFERENCES %s(id)'
                          '%s not valid;' % (self.t(t), cn, c.name,
                                             target.replace('"', '') if target == "auth.users"
                                             else self.rel(c.fk.schema, c.fk.name),
                                             " ON DELETE " + od if od else ""))
                self.emit('alter table %s validate constraint "%s";' % (self.t(t), cn))
        if ttype == "lookup" and self.room() > 3:
            self.u_seed(t)
        return t

    def u_create_join_table(self):
        r = self.rng
        m = self.m
        parents = self.ref_parent_candidates(())
        a, b = r.sample(parents[-40:], 2) if len(parents[-40:]) >= 2 else r.sample(parents, 2)
        name = m.claim("%s_%s" % (a.singular, b.name) if len(a.singular + b.name) < 55
                       else "%s_links" % a.singular)
        t = Table(name, a.schema, "join", name.rstrip("s"))
        ca = self.fk_col(t, a)
        cb = self.fk_col(t, b)
        if cb is None or ca.name == cb.name:
            cb = self.fk_col(t, b, name="related_%s_id" % b.singular)
        ca.nullable = cb.nullable = False
        ca.pins += 1
        cb.pins += 1
        t.cols += [ca, cb]
        lines = [self.col_def(ca, inline_fk=False) + " REFERENCES %s(id) ON DELETE CASCADE"
                 % self.t(a),
                 self.col_def(cb, inline_fk=False) + " REFERENCES %s(id) ON DELETE CASCADE"
                 % self.t(b)]
        if r.random() < 0.5:
            rc = self.enum_col(t) if m.enums and r.random() < 0.5 else None
            if rc is not None:
                t.cols.append(rc)
                lines.append(self.col_def(rc))
        t.cols.append(Col("created_at", "ts", "timestamptz", nullable=False, default="now()"))
        t.col("created_at").pins += 1
        lines.append(self.col_def(t.col("created_at")))
        pk = m.claim("%s_pkey" % name)
        lines.append("CONSTRAINT %s PRIMARY KEY (%s, %s)" % (self.q(pk), self.q(ca.name),
                                                             self.q(cb.name)))
        self.emit("CREATE TABLE%s %s (\n    %s\n);" % (self.ine(), self.t(t),
                                                      ",\n    ".join(lines)))
        m.tables.append(t)
        self.touch(t)
        if self.slug is None:
            self.slug = "create_%s" % t.name
        # the second column of a composite key needs its own index
        ix = self.index_name(t, [cb.name])
        self.emit("CREATE INDEX %s ON %s (%s);" % (ix, self.t(t), self.q(cb.name)))
        t.indexes.append(ix)
        return t

    def u_create_partitioned(self):
        r = self.rng
        m = self.m
        singular, name = self.new_table_name("partitioned")
        t = Table(name, self.pick_schema(), "partitioned", singular)
        t.pk_kind = None
        idc = Col("id", "serial", "bigserial")
        idc.pk = True
        idc.pins += 1
        occ = Col("occurred_at", "ts", "timestamptz", nullable=False, default="now()")
        occ.pins += 1
        t.cols += [idc, occ]
        parents = self.ref_parent_candidates(())
        if parents and r.random() < 0.7:
            p = r.choice(parents[-30:])
            c = Col(p.singular + "_id", "fk", {"uuid": "uuid", "bigint": "bigint",
                                                "int": "integer"}[p.pk_kind])
            c.pins += 1
            t.cols.append(c)   # no FK on purpose: high-volume table
        for _ in range(r.randint(2, 5)):
            t.cols.append(self.make_col(t, kind=r.choice(["text", "jsonb", "int", "inet",
                                                          "text", "jsonb"])))
        t.seq = m.claim("%s_id_seq" % name)
        pk = m.claim("%s_pkey" % name)
        lines = [self.col_def(c) for c in t.cols]
        lines.append("CONSTRAINT %s PRIMARY KEY (id, occurred_at)" % self.q(pk))
        self.emit("CREATE TABLE %s (\n    %s\n) PARTITION BY RANGE (occurred_at);" % (
            self.t(t), ",\n    ".join(lines)))
        m.tables.append(t)
        self.touch(t)
        if self.slug is None:
            self.slug = "create_%s" % t.name
        y, mo = self.date.year, self.date.month
        t.months = []
        for _ in range(r.randint(2, 6)):
            self.u_add_partition(t, (y, mo))
            mo += 1
            if mo == 13:
                y, mo = y + 1, 1
        if r.random() < 0.5:
            dname = m.claim("%s_default" % name)
            self.emit("CREATE TABLE %s PARTITION OF %s DEFAULT;" % (self.rel(t.schema, dname),
                                                                     self.t(t)))
        ix = self.index_name(t, ["occurred_at"])
        self.emit("CREATE INDEX %s ON %s USING brin (occurred_at);" % (ix, self.t(t)))
        return t

    def u_add_partition(self, t, ym=None):
        if ym is None:
            if t.months:
                y, mo = t.months[-1]
                mo += 1
                if mo == 13:
                    y, mo = y + 1, 1
            else:
                y, mo = self.date.year, self.date.month
        else:
            y, mo = ym
        ny, nmo = (y + 1, 1) if mo == 12 else (y, mo + 1)
        pname = self.m.claim("%s_%04d_%02d" % (t.name, y, mo))
        self.m.claim(pname + "_pkey")
        t.months.append((y, mo))
        self.emit("CREATE TABLE%s %s PARTITION OF %s\n    FOR VALUES FROM ('%04d-%02d-01') "
                  "TO ('%04d-%02d-01');" % (self.ine(), self.rel(t.schema, pname), self.t(t),
                                            y, mo, ny, nmo))

    # ---- units: columns ---------------------------------------------------

    def u_add_column(self, t=None):
        r = self.rng
        m = self.m
        t = t or self.pick_table("entity", "lookup", "join", "partitioned")
        if t is None:
            return
        self.touch(t)
        choice = r.random()
        ine = " IF NOT EXISTS" if r.random() < self.st["ine"] else ""
        if choice < 0.15 and t.ttype in ("entity", "join"):
            parents = self.ref_parent_candidates((t,))
            if parents:
                p = r.choice(parents[-30:])
                c = self.fk_col(t, p)
                if c is not None:
                    c.nullable = True
                    t.cols.append(c)
                    if r.random() < 0.5:
                        # safe pattern: column, then FK NOT VALID, validate later
                        self.emit("ALTER TABLE %s ADD COLUMN%s %s %s;" % (
                            self.t(t), ine, self.q(c.name), c.sqltype))
                        self.u_fk_not_valid(t, c)
                    else:
                        self.emit("ALTER TABLE %s ADD COLUMN%s %s %s REFERENCES %s(id)%s;" % (
                            self.t(t), ine, self.q(c.name), c.sqltype, self.t(p),
                            r.choice(["", " ON DELETE SET NULL", " ON DELETE CASCADE"])))
                    if self.slug is None:
                        self.slug = "add_%s_to_%s" % (c.name, t.name)
                    return c
        if choice < 0.25 and m.enums and t.ttype != "partitioned":
            c = self.enum_col(t)
            if c is not None:
                t.cols.append(c)
                if t.rows and not c.nullable and c.default is None:
                    c.nullable = True
                self.emit("ALTER TABLE %s ADD COLUMN%s %s;" % (self.t(t), ine, self.col_def(c)))
                if self.slug is None:
                    self.slug = "add_%s_to_%s" % (c.name, t.name)
                return c
        c = self.make_col(t)
        if t.rows and not c.nullable and c.default is None:
            c.nullable = True
        t.cols.append(c)
        if r.random() < 0.2 and self.room() > 2:
            # several columns in one ALTER TABLE, as diff tools and Rails do
            c2 = self.make_col(t)
            if t.rows and not c2.nullable and c2.default is None:
                c2.nullable = True
            t.cols.append(c2)
            self.emit("ALTER TABLE %s\n    ADD COLUMN%s %s,\n    ADD COLUMN%s %s;" % (
                self.t(t), ine, self.col_def(c), ine, self.col_def(c2)))
        elif self.style_name == "supabase_diff":
            self.emit('alter table %s add column %s;' % (self.t(t), self.col_def(c)))
        else:
            self.emit("ALTER TABLE %s ADD COLUMN%s %s;" % (self.t(t), ine, self.col_def(c)))
        if self.slug is None:
            self.slug = "add_%s_to_%s" % (c.name, t.name)
        if c.kind == "ts" and c.name == "deleted_at" and r.random() < 0.5:
            pass
        return c

    def backfill_expr(self, t, c):
        r = self.rng
        k = c.kind
        qn = self.q
        if c.enum is not None:
            return "%s::%s" % (sql_str(c.enum.values[0]), self.rel("public", c.enum.name))
        if k == "text":
            if c.name == "display_name" and t.col("first_name") and t.col("last_name"):
                return "concat_ws(' ', %s, %s)" % (qn("first_name"), qn("last_name"))
            others = [o for o in t.cols_of("text") if o is not c and o.kind == "text"
                      and not is_bpchar(o.sqltype)]
            limit = text_limit(c.sqltype)
            if others and r.random() < 0.5 and limit is None:
                return "COALESCE(%s, '')" % qn(r.choice(others).name)
            if is_bpchar(c.sqltype):
                return sql_str(("USD" if limit == 3 else "X" * (limit or 1))[:limit or 1])
            return r.choice([v for v in ["''", "'unknown'", "'n/a'"]
                             if limit is None or len(v) - 2 <= limit])
        if k == "bool":
            ts = [o for o in t.cols_of("ts") if o.name not in ("created_at", "updated_at")]
            if ts and r.random() < 0.5:
                return "(%s IS NOT NULL)" % qn(r.choice(ts).name)
            return r.choice(["false", "true"])
        if k in ("int", "bigint"):
            kids = [(ct, cc) for ct, cc in t.referrers if ct.alive and cc in ct.cols]
            if kids and r.random() < 0.5 and t.pk_kind is not None:
                ct, cc = r.choice(kids)
                return "(SELECT count(*) FROM %s x WHERE x.%s = %s.id)" % (
                    self.t(ct), qn(cc.name), t.name)
            return "0"
        if k == "numeric":
            return "0"
        if k == "ts":
            if t.col("created_at") and r.random() < 0.6:
                return "COALESCE(%s, now())" % qn("created_at")
            return "now()"
        if k == "date":
            if t.col("created_at") and r.random() < 0.5:
                return "(%s)::date" % qn("created_at")
            return "CURRENT_DATE"
        if k == "jsonb":
            return r.choice(["'{}'::jsonb", "jsonb_build_object('migrated', true)"])
        if k == "json":
            return "'{}'::json"
        if k == "uuid":
            return "gen_random_uuid()"
        if k == "text[]":
            return "'{}'"
        if k == "interval":
            return "'1 day'::interval"
        return None

    def u_backfill(self, t=None, c=None, set_not_null=None):
        r = self.rng
        if t is None:
            t = self.pick_table("entity", "lookup", "join",
                                pred=lambda x: any(not cc.generated and not cc.pk
                                                   and cc.kind not in ("fk", "authfk",
                                                                       "identity", "serial",
                                                                       "tsvector", "inet",
                                                                       "bytea", "time")
                                                   for cc in x.cols))
            if t is None:
                return
        if c is None:
            cands = [cc for cc in t.cols if not cc.generated and not cc.pk and cc.kind not in (
                "fk", "authfk", "identity", "serial", "tsvector", "inet", "bytea", "time")]
            if not cands:
                return
            c = r.choice(cands)
        expr = self.backfill_expr(t, c)
        if expr is None:
            return
        self.touch(t)
        if self.slug is None:
            self.slug = "backfill_%s_%s" % (t.name, c.name)
        where = "%s IS NULL" % self.q(c.name)
        if t.col("created_at") and r.random() < 0.3:
            where += " AND %s < '%04d-%02d-01'" % (self.q("created_at"), self.date.year,
                                                   self.date.month)
        mode = r.random()
        if mode < 0.25 and t.pk_kind is not None and self.room() > 1:
            tag = r.choice(["$$", "$do$", "$backfill$"])
            self.emit(
                "DO %s\nDECLARE\n    batch_size integer := %d;\n    affected integer;\n"
                "    total bigint := 0;\nBEGIN\n    LOOP\n"
                "        UPDATE %s\n        SET %s = %s\n"
                "        WHERE id IN (\n            SELECT id FROM %s\n"
                "            WHERE %s\n            LIMIT batch_size\n        );\n"
                "        GET DIAGNOSTICS affected = ROW_COUNT;\n"
                "        total := total + affected;\n        EXIT WHEN affected = 0;\n"
                "        RAISE NOTICE 'backfilled %% rows so far; continuing', total;\n"
                "    END LOOP;\nEND\n%s;" % (tag, r.choice([500, 1000, 5000, 10000]),
                                             self.t(t), self.q(c.name), expr, self.t(t), where,
                                             tag))
        elif mode < 0.35:
            self.emit("UPDATE %s SET %s = %s WHERE %s; -- idempotent, safe to re-run" % (
                self.t(t), self.q(c.name), expr, where))
        else:
            self.emit("UPDATE %s\nSET %s = %s\nWHERE %s;" % (self.t(t), self.q(c.name), expr,
                                                            where))
        if set_not_null is None:
            set_not_null = r.random() < 0.35
        if set_not_null and c.nullable and self.room() > 0 and not is_bpchar(
                c.sqltype) and " AND " not in where and (
                t.ttype != "lookup" or c.default is not None):
            self.emit("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL;" % (self.t(t),
                                                                        self.q(c.name)))
            c.nullable = False

    def u_set_default(self, t=None):
        r = self.rng
        t = t or self.pick_table("entity", "lookup")
        if t is None:
            return
        cands = [c for c in t.cols if not c.pk and not c.generated and c.kind in (
            "text", "bool", "int", "bigint", "numeric", "ts", "jsonb", "uuid")]
        if not cands:
            return
        c = r.choice(cands)
        self.touch(t)
        if c.default is not None and r.random() < 0.3 and not (
                t.ttype == "lookup" and not c.nullable) and c.name not in ("created_at",
                                                                          "updated_at"):
            self.emit("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT;" % (self.t(t),
                                                                        self.q(c.name)))
            c.default = None
            if self.slug is None:
                self.slug = "drop_default_%s_%s" % (t.name, c.name)
            return
        d = self.default_for(c)
        if d is None:
            return
        c.default = d
        self.emit("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s;" % (self.t(t), self.q(c.name),
                                                                      d))
        if self.slug is None:
            self.slug = "set_default_%s_%s" % (t.name, c.name)

    # ---- units: constraints ----------------------------------------------

    def u_fk_not_valid(self, t=None, c=None):
        r = self.rng
        m = self.m
        if c is None:
            t = t or self.pick_table("entity", "join")
            if t is None:
                return
            parents = self.ref_parent_candidates((t,))
            if not parents:
                return
            p = r.choice(parents[-30:])
            c = self.fk_col(t, p)
            if c is None:
                return
            c.nullable = True
            t.cols.append(c)
            self.emit("ALTER TABLE %s ADD COLUMN %s %s;" % (self.t(t), self.q(c.name),
                                                            c.sqltype))
        self.touch(t)
        cn = m.claim("%s_%s_fkey" % (t.name, c.name))
        od = r.choice(ON_DELETE)
        self.emit("ALTER TABLE %s\n    ADD CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s(id)%s"
                  " NOT VALID;" % (self.t(t), self.q(cn), self.q(c.name), self.t(c.fk),
                                   " ON DELETE " + od if od else ""))
        if self.slug is None:
            self.slug = "add_%s_%s_fkey" % (t.name, c.name)
        if r.random() < 0.6 and self.room() > 0:
            self.emit("ALTER TABLE %s VALIDATE CONSTRAINT %s;" % (self.t(t), self.q(cn)))
        else:
            m.pending.append((t, cn, [c]))

    def u_check_not_valid(self, t=None):
        r = self.rng
        m = self.m
        t = t or self.pick_table("entity", pred=lambda x: x.cols_of("numeric", "int", "text",
                                                                    "date"))
        if t is None:
            return
        cands = t.cols_of("numeric", "int", "text")
        if not cands:
            return
        c = r.choice(cands)
        self.touch(t)
        if c.kind == "text":
            expr = r.choice(["char_length(%s) <= %d" % (self.q(c.name), r.choice([64, 255, 1000])),
                             "%s <> ''" % self.q(c.name)])
            if c.name == "email":
                expr = "%s ~* '^[^@\\s]+@[^@\\s]+$'" % self.q(c.name)
        elif c.kind == "numeric":
            expr = "%s >= 0" % self.q(c.name)
        else:
            expr = "%s BETWEEN 0 AND %d" % (self.q(c.name), r.choice([100, 1000, 32767]))
        cn = m.claim("%s_%s_check" % (t.name, c.name))
        not_valid = r.random() < 0.7
        self.emit("ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s)%s;" % (
            self.t(t), self.q(cn), expr, " NOT VALID" if not_valid else ""))
        if self.slug is None:
            self.slug = "add_%s_check" % cn.replace("_check", "")
        if not_valid:
            if r.random() < 0.6 and self.room() > 0:
                self.emit("ALTER TABLE %s VALIDATE CONSTRAINT %s;" % (self.t(t), self.q(cn)))
            else:
                m.pending.append((t, cn, [c]))

    def u_validate_pending(self):
        m = self.m
        if not m.pending:
            return False
        t, cn, cols = m.pending.pop(0)
        if not t.alive or any(c not in t.cols for c in cols):
            return False
        self.touch(t)
        self.emit("ALTER TABLE %s VALIDATE CONSTRAINT %s;" % (self.t(t), self.q(cn)))
        if self.slug is None:
            self.slug = "validate_%s" % cn
        return True

    def u_idempotent_constraint(self, t=None):
        """DO block adding a constraint only if it is missing"""
        r = self.rng
        t = t or self.pick_table("entity", pred=lambda x: any(
            c.name in ("slug", "email", "handle", "username", "external_id", "code", "sku",
                       "reference", "short_code") for c in x.cols))
        if t is None:
            return
        cands = [c for c in t.cols if c.name in ("slug", "email", "handle", "username",
                                                 "external_id", "code", "sku", "reference",
                                                 "short_code")]
        c = r.choice(cands)
        cn = self.m.claim("%s_%s_unique" % (t.name, c.name))
        self.touch(t)
        self.emit(
            "DO $$\nBEGIN\n    IF NOT EXISTS (\n        SELECT 1 FROM pg_constraint\n"
            "        WHERE conname = '%s'\n    ) THEN\n"
            "        ALTER TABLE %s ADD CONSTRAINT %s UNIQUE (%s);\n    END IF;\nEND\n$$;"
            % (cn, self.t(t), self.q(cn), self.q(c.name)))
        if self.slug is None:
            self.slug = "ensure_%s" % cn

    # ---- units: indexes ---------------------------------------------------

    def u_index(self, t=None):
        r = self.rng
        m = self.m
        t = t or self.pick_table("entity", "lookup", "join", "partitioned")
        if t is None:
            return
        self.touch(t)
        conc = (not self.in_txn and t.ttype != "partitioned"
                and r.random() < self.st["conc"])
        unique = False
        using = ""
        where = ""
        include = ""
        fks = [c for c in t.cols if c.kind in ("fk", "authfk")]
        shape = r.random()
        cols = None
        expr = None
        if shape < 0.35 and fks:
            c = r.choice(fks)
            cols = [c.name]
            if t.col("created_at") and r.random() < 0.4:
                cols.append("created_at")
                expr = "%s, %s DESC" % (self.q(c.name), self.q("created_at"))
        elif shape < 0.45 and t.cols_of("jsonb", "text[]", "tsvector") + [
                c for c in t.cols if c.kind == "tsvector"]:
            c = r.choice(t.cols_of("jsonb", "text[]") + [x for x in t.cols
                                                        if x.kind == "tsvector"])
            using = " USING gin"
            cols = [c.name]
            if c.kind == "jsonb" and r.random() < 0.4:
                expr = "%s jsonb_path_ops" % self.q(c.name)
        elif shape < 0.5 and "pg_trgm" in m.extensions and [
                c for c in t.cols_of("text") if c.sqltype in ("text", "varchar(255)")]:
            c = r.choice([c for c in t.cols_of("text") if c.sqltype in ("text", "varchar(255)")])
            using = " USING gin"
            cols = [c.name, "trgm"]
            expr = "%s gin_trgm_ops" % self.q(c.name)
        elif shape < 0.58 and [c for c in t.cols_of("text") if c.name in (
                "email", "username", "handle", "slug", "name")]:
            c = r.choice([c for c in t.cols_of("text") if c.name in (
                "email", "username", "handle", "slug", "name")])
            cols = ["lower", c.name]
            expr = "lower(%s)" % self.q(c.name)
            if c.sqltype == "citext":
                expr = "(%s::text)" % self.q(c.name)
        elif shape < 0.64 and ((t.ttype == "entity" and t.col("created_at"))
                               or t.ttype == "partitioned"):
            col = "created_at" if t.col("created_at") else "occurred_at"
            using = " USING brin"
            cols = [col]
        else:
            cands = [c for c in t.cols if c.kind in ("text", "ts", "enum", "bool", "int",
                                                     "bigint", "date", "uuid", "numeric")
                     and not c.pk and not c.generated]
            if not cands:
                if fks:
                    cols = [fks[0].name]
                else:
                    return
            else:
                picked = r.sample(cands, min(len(cands), r.choice([1, 1, 1, 2, 2, 3])))
                cols = [c.name for c in picked]
                if len(cols) == 1 and picked[0].name in ("slug", "email", "external_id",
                                                         "handle", "username", "sku",
                                                         "short_code", "invite_code") \
                        and t.rows == 0 and t.ttype == "entity" and r.random() < 0.6:
                    unique = True
        if t.ttype == "partitioned" and using != " USING brin":
            unique = False
        if cols is None:
            return
        if expr is None:
            expr = ", ".join(self.q(c) for c in cols)
        if t.col("deleted_at") and r.random() < 0.5 and using == "":
            where = " WHERE (%s IS NULL)" % self.q("deleted_at")
            cols = cols + ["active"]
        elif r.random() < 0.08 and using == "" and t.cols_of("bool"):
            b = r.choice(t.cols_of("bool"))
            where = " WHERE %s" % self.q(b.name)
        if using == "" and not where and r.random() < 0.06 and t.ttype != "partitioned":
            extra = [c for c in t.cols if c.name not in cols and c.kind in ("text", "ts", "int")
                     and not c.generated]
            if extra:
                include = " INCLUDE (%s)" % self.q(r.choice(extra).name)
        name = self.index_name(t, [c.replace("_id", "") if len(cols) > 2 else c for c in cols],
                               unique)
        t.indexes.append(name)
        ine = self.ine()
        if self.style_name == "supabase_diff":
            using = using or " USING btree"
            stmt = "CREATE %sINDEX %s ON %s%s (%s)%s%s;" % (
                "UNIQUE " if unique else "", name, self.rel(t.schema, t.name), using, expr,
                include, where)
        else:
            stmt = "CREATE %sINDEX%s%s %s ON %s%s (%s)%s%s;" % (
                "UNIQUE " if unique else "", " CONCURRENTLY" if conc else "", ine, name,
                self.t(t), using, expr, include, where)
        self.emit(stmt)
        if self.slug is None:
            self.slug = "add_index_%s" % name if not name.startswith("index_") else "add_" + name
        if unique and r.random() < 0.3 and not where and using == "" and self.room() > 0 \
                and len(cols) == 1:
            # promote the unique index to a constraint (zero-downtime pattern)
            self.emit("ALTER TABLE %s ADD CONSTRAINT %s UNIQUE USING INDEX %s;" % (
                self.t(t), self.q(name), self.q(name)))
            t.indexes.remove(name)

    def u_drop_index(self, t=None):
        t = t or self.pick_table(pred=lambda x: x.indexes)
        if t is None:
            return
        self.touch(t)
        name = self.rng.choice(t.indexes)
        t.indexes.remove(name)
        conc = not self.in_txn and self.rng.random() < 0.6 and t.ttype != "partitioned"
        self.emit("DROP INDEX%s IF EXISTS %s;" % (" CONCURRENTLY" if conc else "",
                                                  self.rel(t.schema, name)))
        if self.slug is None:
            self.slug = "drop_%s" % name

    # ---- units: comments, grants, policies -------------------------------

    def comment_text(self, t):
        r = self.rng
        return r.choice(COMMENTS_TEXT).format(p=t.name.replace("_", " "), s=t.singular,
                                              team=r.choice(TEAMS))

    def column_comment(self, t, c):
        r = self.rng
        words = c.name.replace("_", " ")
        if c.pk:
            return r.choice(["Primary key", "Surrogate key; never reused",
                             "Primary key (%s)" % c.sqltype])
        if c.kind in ("fk", "authfk"):
            target = c.fk.name if isinstance(c.fk, Table) else str(c.fk or "parent")
            return r.choice(["References %s.id" % target, "Owning %s" % words[:-3],
                             "FK to %s; ON DELETE behaviour documented in ADR-%d" % (
                                 target, r.randint(1, 80))])
        if c.kind == "ts":
            return r.choice(["When the %s was %s (UTC)" % (t.singular.replace("_", " "),
                                                          words.replace(" at", "")),
                             "Timestamp (UTC) of the last change", "NULL until it happens"])
        if c.kind == "bool":
            return r.choice(["Whether the %s is %s" % (t.singular.replace("_", " "),
                                                       words.replace("is ", "")),
                             "Feature toggle; default off"])
        if c.kind in ("int", "bigint", "numeric"):
            return r.choice(["Cached value – recomputed by trigger",
                             "Amount in minor units (cents)" if "cents" in c.name
                             else "Must be >= 0", "Denormalised count; see %s" % t.name])
        if c.kind in ("jsonb", "json"):
            return r.choice(["Free-form JSON; schema documented in docs/%s.md" % t.singular,
                             "Arbitrary key/value pairs set by integrations",
                             "{\"version\": 1} shaped document"])
        if c.kind == "enum":
            return "Lifecycle state; see type %s" % c.sqltype
        if c.kind == "text":
            return r.choice(["%s of the %s" % (words.capitalize(), t.singular.replace("_", " ")),
                             "Contains PII: handle with care", "ISO 4217 code, e.g. 'EUR'"
                             if "currency" in c.name else "Shown in the UI as-is",
                             "Données personnelles : à purger après 30 jours",
                             "Legacy column kept for the mobile app <= 3.2"])
        return self.comment_text(t)

    def u_comment(self, t=None):
        r = self.rng
        t = t or self.pick_table()
        if t is None:
            return
        self.touch(t)
        if r.random() < 0.35:
            self.emit("COMMENT ON TABLE %s IS %s;" % (self.t(t), sql_str(self.comment_text(t))))
        else:
            c = r.choice(t.cols)
            txt = self.column_comment(t, c)
            if r.random() < 0.02:
                txt = "Before dropping read the policy; MIGRATION_APPROVED: needs sign-off"
            self.emit("COMMENT ON COLUMN %s.%s IS %s;" % (self.t(t), self.q(c.name),
                                                           sql_str(txt)))
        if self.slug is None:
            self.slug = "document_%s" % t.name

    def roles_for(self):
        if self.style_name.startswith("supabase") or not self.m.roles:
            return ["anon", "authenticated", "service_role"]
        return list(self.m.roles)

    def u_grant(self, t=None):
        r = self.rng
        t = t or self.pick_table()
        if t is None:
            return
        self.touch(t)
        roles = self.roles_for()
        if self.slug is None:
            self.slug = "grant_%s_privileges" % t.name
        if self.style_name == "supabase_diff":
            privs = ["delete", "insert", "references", "select", "trigger", "truncate", "update"]
            rs = roles[:] if r.random() < 0.7 else [r.choice(roles)]
            for role in rs:
                for p in privs:
                    if self.room() <= 0:
                        return
                    self.emit('grant %s on table %s to "%s";' % (p, self.t(t), role))
            return
        x = r.random()
        if x < 0.35:
            self.emit("GRANT SELECT ON TABLE %s TO %s;" % (self.t(t), r.choice(roles)))
        elif x < 0.55:
            self.emit("GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %s;" % (
                self.t(t), ", ".join(r.sample(roles, min(2, len(roles))))))
        elif x < 0.7:
            self.emit("REVOKE ALL ON TABLE %s FROM %s;" % (self.t(t), r.choice(
                roles + ["PUBLIC"])))
        elif x < 0.8 and t.seq and t.seq != "sequence":
            self.emit("GRANT USAGE, SELECT ON SEQUENCE %s TO %s;" % (
                self.rel(t.schema, t.seq), r.choice(roles)))
        elif x < 0.9:
            self.emit("GRANT SELECT ON ALL TABLES IN SCHEMA %s TO %s;" % (t.schema,
                                                                           r.choice(roles)))
        else:
            self.emit("ALTER DEFAULT PRIVILEGES IN SCHEMA %s GRANT SELECT ON TABLES TO %s;" % (
                t.schema, r.choice(roles)))

    def u_enable_rls(self, t=None):
        t = t or self.pick_table("entity", "join", "lookup", pred=lambda x: not x.rls)
        if t is None:
            return
        self.touch(t)
        t.rls = True
        self.emit("ALTER TABLE %s ENABLE ROW LEVEL SECURITY;" % self.t(t))
        if self.rng.random() < 0.15 and self.room() > 0:
            self.emit("ALTER TABLE %s FORCE ROW LEVEL SECURITY;" % self.t(t))
        if self.slug is None:
            self.slug = "enable_rls_on_%s" % t.name

    def u_policy(self, t=None):
        r = self.rng
        t = t or self.pick_table("entity", "join", "lookup")
        if t is None:
            return
        self.touch(t)
        if not t.rls and self.room() > 1:
            self.u_enable_rls(t)
        supa = self.style_name.startswith("supabase") or r.random() < 0.3
        owner = t.col("user_id") if t.col("user_id") and t.col("user_id").kind == "authfk" \
            else None
        fk_uuid = [c for c in t.cols if c.kind == "fk" and c.sqltype == "uuid"]
        nice = t.name.replace("_", " ")
        choices = []
        if supa and owner is not None:
            uid = r.choice(["auth.uid()", "(select auth.uid())", "( SELECT auth.uid() AS uid)"])
            choices += [
                ('Users can view their own %s' % nice, "FOR SELECT TO authenticated",
                 "USING (%s = user_id)" % uid),
                ('Users can insert their own %s' % nice, "FOR INSERT TO authenticated",
                 "WITH CHECK (%s = user_id)" % uid),
                ('Users can update own %s' % nice, "FOR UPDATE",
                 "USING (%s = user_id) WITH CHECK (%s = user_id)" % (uid, uid)),
                ('Users can delete own %s' % nice, "FOR DELETE", "USING (%s = user_id)" % uid),
            ]
        if supa:
            choices += [
                ('Enable read access for all users', "FOR SELECT", "USING (true)"),
                ('Authenticated users can read %s' % nice, "FOR SELECT TO authenticated",
                 "USING (true)"),
                ('Service role has full access', "FOR ALL TO service_role",
                 "USING (true) WITH CHECK (true)"),
                ("Only service role can write", "FOR INSERT",
                 "WITH CHECK ((auth.jwt() ->> 'role'::text) = 'service_role'::text)"),
            ]
        if fk_uuid:
            c = r.choice(fk_uuid)
            setting = "app.current_%s_id" % c.fk.singular if isinstance(c.fk, Table) \
                else "app.current_tenant"
            choices.append(("%s_isolation" % t.name[:40], "AS PERMISSIVE FOR ALL",
                            "USING (%s = current_setting('%s', true)::uuid)" % (
                                self.q(c.name), setting)))
            c.pins += 1
        if t.col("deleted_at"):
            choices.append(("hide soft-deleted %s" % nice, "AS RESTRICTIVE FOR SELECT",
                            "USING (deleted_at IS NULL)"))
            t.col("deleted_at").pins += 1
        if t.col("is_public") and t.col("is_public").kind == "bool":
            choices.append(("Public %s are viewable by everyone" % nice, "FOR SELECT",
                            "USING (is_public)"))
            t.col("is_public").pins += 1
        if not choices:
            choices.append(("%s_read_all" % t.name[:40], "FOR SELECT", "USING (true)"))
        name, cmd, clause = r.choice(choices)
        name = name[:IDENT_MAX]
        if name in t.policies:
            if self.room() > 1:
                self.emit('DROP POLICY IF EXISTS "%s" ON %s;' % (name, self.t(t)))
            else:
                return
        else:
            t.policies.append(name)
        if owner is not None and "user_id" in clause:
            owner.pins += 1
        self.emit('CREATE POLICY "%s" ON %s\n    %s\n    %s;' % (name, self.t(t), cmd, clause))
        if self.slug is None:
            self.slug = "add_%s_policies" % t.name

    # ---- units: functions and triggers -----------------------------------

    def ensure_updated_at_fn(self):
        m = self.m
        if m.updated_at_fn is not None:
            return m.updated_at_fn
        name = self.rng.choice(["set_updated_at", "handle_updated_at",
                                "update_updated_at_column", "trigger_set_timestamp"])
        m.updated_at_fn = name
        m.functions[name] = ("", 0)
        self.emit("CREATE OR REPLACE FUNCTION %s()\nRETURNS trigger\nLANGUAGE plpgsql\n"
                  "AS $$\nBEGIN\n    NEW.updated_at = now();\n    RETURN NEW;\nEND;\n$$;"
                  % self.fn(name))
        return name

    def u_trigger_updated_at(self, t=None):
        r = self.rng
        t = t or self.pick_table("entity", "lookup", pred=lambda x: x.col("updated_at") and not [
            tr for tr in x.triggers if "updated_at" in tr or "timestamp" in tr])
        if t is None:
            return
        self.touch(t)
        if "moddatetime" in self.m.extensions and self.style_name.startswith("supabase") \
                and r.random() < 0.5:
            tn = "handle_updated_at"
            if tn in t.triggers:
                return
            t.triggers.append(tn)
            self.emit("CREATE TRIGGER %s BEFORE UPDATE ON %s\n    FOR EACH ROW EXECUTE "
                      "PROCEDURE moddatetime (updated_at);" % (tn, self.t(t)))
        else:
            if self.room() < 3:
                return
            fn = self.ensure_updated_at_fn()
            tn = r.choice(["set_%s_updated_at" % t.name, "%s_set_updated_at" % t.name,
                           "update_%s_updated_at" % t.name, "set_timestamp"])[:IDENT_MAX]
            if tn in t.triggers:
                return
            t.triggers.append(tn)
            if r.random() < 0.3:
                self.emit("DROP TRIGGER IF EXISTS %s ON %s;" % (tn, self.t(t)))
            self.emit("CREATE TRIGGER %s\n    BEFORE UPDATE ON %s\n    FOR EACH ROW\n"
                      "    EXECUTE %s %s();" % (tn, self.t(t), r.choice(["FUNCTION",
                                                                        "PROCEDURE"]),
                                                self.fn(fn)))
            self.m.functions[fn] = ("", self.m.functions[fn][1] + 1)
        if self.slug is None:
            self.slug = "add_updated_at_trigger_to_%s" % t.name

    def u_audit(self, t=None):
        r = self.rng
        m = self.m
        t = t or self.pick_table("entity", pred=lambda x: "audit" not in " ".join(x.triggers))
        if t is None or self.room() < 4:
            return
        self.touch(t)
        if m.audit_table is None:
            name = m.claim(r.choice(["audit_log", "audit_logs", "change_log"]))
            at = Table(name, "public", "entity", name.rstrip("s"))
            idc = Col("id", "identity", "bigint", nullable=False)
            idc.pk = True
            idc.pins += 1
            at.pk_kind = "bigint"
            at.cols = [idc]
            for nm, kind, typ in [("table_name", "text", "text"), ("operation", "text", "text"),
                                  ("old_data", "jsonb", "jsonb"), ("new_data", "jsonb",
                                                                   "jsonb"),
                                  ("changed_by", "uuid", "uuid"), ("changed_at", "ts",
                                                                   "timestamptz")]:
                c = Col(nm, kind, typ, nullable=nm in ("old_data", "new_data", "changed_by"))
                c.pins += 1
                at.cols.append(c)
            at.col("changed_at").default = "now()"
            self.emit("CREATE TABLE%s %s (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY "
                      "KEY,\n    table_name text NOT NULL,\n    operation text NOT NULL CHECK "
                      "(operation IN ('INSERT', 'UPDATE', 'DELETE')),\n    old_data jsonb,\n"
                      "    new_data jsonb,\n    changed_by uuid,\n    changed_at timestamptz "
                      "NOT NULL DEFAULT now()\n);" % (self.ine(), self.rel("public", name)))
            m.claim("%s_operation_check" % name)
            m.claim("%s_pkey" % name)
            m.tables.append(at)
            m.audit_table = at
        if m.audit_fn is None:
            m.audit_fn = r.choice(["audit_trigger", "log_changes", "record_audit_event"])
            m.functions[m.audit_fn] = ("", 0)
            at = m.audit_table
            self.emit(
                "CREATE OR REPLACE FUNCTION %s()\nRETURNS trigger\nLANGUAGE plpgsql\n"
                "SECURITY DEFINER\nSET search_path = public, pg_temp\nAS $function$\n"
                "DECLARE\n    v_old jsonb;\n    v_new jsonb;\nBEGIN\n"
                "    -- one row per change; the '--' and ';' in strings below are data\n"
                "    IF TG_OP IN ('UPDATE', 'DELETE') THEN\n        v_old := to_jsonb(OLD);\n"
                "    END IF;\n    IF TG_OP IN ('INSERT', 'UPDATE') THEN\n"
                "        v_new := to_jsonb(NEW);\n    END IF;\n"
                "    INSERT INTO %s (table_name, operation, old_data, new_data, changed_by)\n"
                "    VALUES (TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, TG_OP, v_old, v_new,\n"
                "            NULLIF(current_setting('request.jwt.claim.sub', true), '')::uuid);\n"
                "    RETURN COALESCE(NEW, OLD);\nEXCEPTION WHEN others THEN\n"
                "    RAISE WARNING 'audit failed on %%; -- ignored: %%', TG_TABLE_NAME, SQLERRM;\n"
                "    RETURN COALESCE(NEW, OLD);\nEND;\n$function$;" % (
                    self.fn(m.audit_fn), self.t(at)))
        tn = "%s_audit" % t.name
        t.triggers.append(tn)
        self.emit("CREATE TRIGGER %s\n    AFTER INSERT OR UPDATE OR DELETE ON %s\n"
                  "    FOR EACH ROW EXECUTE FUNCTION %s();" % (tn[:IDENT_MAX], self.t(t),
                                                               self.fn(m.audit_fn)))
        m.functions[m.audit_fn] = ("", m.functions[m.audit_fn][1] + 1)
        if self.slug is None:
            self.slug = "audit_%s" % t.name

    def u_function(self, t=None):
        r = self.rng
        m = self.m
        t = t or self.pick_table("entity", pred=lambda x: x.pk_kind is not None)
        if t is None:
            return
        self.touch(t)
        pk_type = {"uuid": "uuid", "bigint": "bigint", "int": "integer"}[t.pk_kind]
        kind = r.random()
        fks = [c for c in t.cols if c.kind == "fk" and isinstance(c.fk, Table) and c.fk.alive]
        if kind < 0.3 and fks:
            c = r.choice(fks)
            name = m.claim("count_%s_for_%s" % (t.name, c.fk.singular))
            arg_type = {"uuid": "uuid", "bigint": "bigint", "int": "integer"}[c.fk.pk_kind]
            m.functions[name] = (arg_type, 0)
            self.emit("CREATE OR REPLACE FUNCTION %s(p_%s_id %s)\nRETURNS bigint\n"
                      "LANGUAGE sql\nSTABLE\nAS $$\n    SELECT count(*)\n    FROM %s\n"
                      "    WHERE %s = p_%s_id\n$$;" % (self.fn(name), c.fk.singular, arg_type,
                                                     self.t(t), self.q(c.name), c.fk.singular))
            if self.room() > 1 and r.random() < 0.5:
                role = r.choice(self.roles_for())
                self.emit("REVOKE EXECUTE ON FUNCTION %s(%s) FROM PUBLIC;" % (self.fn(name),
                                                                             arg_type))
                self.emit("GRANT EXECUTE ON FUNCTION %s(%s) TO %s;" % (self.fn(name), arg_type,
                                                                       role))
        elif kind < 0.55 and t.col("deleted_at"):
            name = m.claim("soft_delete_%s" % t.singular)
            m.functions[name] = (pk_type, 0)
            self.emit(
                "CREATE OR REPLACE FUNCTION %s(p_id %s)\nRETURNS void\nLANGUAGE plpgsql\n"
                "SECURITY DEFINER\nSET search_path = ''\nAS $$\nBEGIN\n"
                "    UPDATE %s\n    SET deleted_at = now()\n"
                "    WHERE id = p_id AND deleted_at IS NULL;\n    IF NOT FOUND THEN\n"
                "        RAISE EXCEPTION '%s %% not found; nothing to delete', p_id\n"
                "            USING ERRCODE = 'P0002';\n    END IF;\nEND;\n$$;" % (
                    self.fn(name), pk_type, "%s.%s" % (t.schema, t.name), t.singular))
        elif kind < 0.75:
            texts = [c for c in t.cols_of("text") if not is_bpchar(c.sqltype)]
            if not texts:
                return
            c = r.choice(texts)
            name = m.claim("search_%s" % t.name)
            m.functions[name] = ("text, integer", 0)
            tag = r.choice(["$$", "$fn$", "$body$"])
            self.emit(
                "CREATE OR REPLACE FUNCTION %s(p_query text, p_limit integer DEFAULT 20)\n"
                "RETURNS TABLE (id %s, %s text)\nLANGUAGE plpgsql\nSTABLE\nAS %s\nBEGIN\n"
                "    IF p_query IS NULL OR length(trim(p_query)) = 0 THEN\n"
                "        RETURN;\n    END IF;\n    RETURN QUERY\n"
                "        SELECT t.id, t.%s::text\n        FROM %s AS t\n"
                "        WHERE t.%s ILIKE '%%' || p_query || '%%'\n"
                "        ORDER BY t.%s\n        LIMIT p_limit;\nEND;\n%s;" % (
                    self.fn(name), pk_type, self.q(c.name), tag, self.q(c.name), self.t(t),
                    self.q(c.name), self.q(c.name), tag))
        else:
            name = m.claim("%s_dynamic_stats" % t.singular)
            m.functions[name] = ("text", 0)
            self.emit(
                "CREATE OR REPLACE FUNCTION %s(p_column text)\nRETURNS bigint\n"
                "LANGUAGE plpgsql\nAS $func$\nDECLARE\n    result bigint;\nBEGIN\n"
                "    -- dynamic SQL: quote_ident keeps it safe; 'DROP TABLE x;' here is text\n"
                "    EXECUTE format('SELECT count(DISTINCT %%I) FROM %%I.%%I', p_column, "
                "'%s', '%s')\n        INTO result;\n    RETURN result;\nEND\n$func$;" % (
                    self.fn(name), t.schema, t.name))
        if self.slug is None:
            self.slug = "create_%s_function" % name

    # ---- units: enums -----------------------------------------------------

    def u_create_enum(self, attach=True):
        r = self.rng
        m = self.m
        fam = r.choice(list(ENUM_SETS))
        values = r.choice(ENUM_SETS[fam])
        owner = r.choice(ENTITIES)[0]
        name = m.claim("%s_%s" % (owner, fam))
        e = Enum(name, values, fam)
        m.enums.append(e)
        vals = ", ".join(sql_str(v) for v in values)
        if r.random() < 0.3:
            self.emit("DO $$\nBEGIN\n    CREATE TYPE %s AS ENUM (%s);\nEXCEPTION\n"
                      "    WHEN duplicate_object THEN null;\nEND\n$$;" % (
                          self.rel("public", name), vals))
        else:
            self.emit("CREATE TYPE %s AS ENUM (%s);" % (self.rel("public", name), vals))
        if self.slug is None:
            self.slug = "create_%s_enum" % name
        if attach and self.room() > 1:
            t = self.pick_table("entity", pred=lambda x: x.col(fam) is None)
            if t is not None:
                c = self.enum_col(t, e)
                if c is not None:
                    if t.rows and c.default is None:
                        c.nullable = True
                    t.cols.append(c)
                    self.touch(t)
                    self.emit("ALTER TABLE %s ADD COLUMN %s;" % (self.t(t), self.col_def(c)))
        return e

    def u_alter_enum(self):
        r = self.rng
        m = self.m
        if not m.enums:
            return self.u_create_enum()
        e = r.choice(m.enums)
        fresh = [v for v in EXTRA_ENUM_VALUES if v not in e.values]
        if not fresh:
            return
        v = r.choice(fresh)
        pos = ""
        x = r.random()
        if x < 0.2:
            pos = " BEFORE %s" % sql_str(r.choice(e.values))
        elif x < 0.4:
            pos = " AFTER %s" % sql_str(r.choice(e.values))
        ine = " IF NOT EXISTS" if r.random() < 0.6 else ""
        self.emit("ALTER TYPE %s ADD VALUE%s %s%s;" % (self.rel("public", e.name), ine,
                                                       sql_str(v), pos))
        e.values.append(v)
        if self.slug is None:
            self.slug = "add_%s_to_%s" % (v, e.name)

    # ---- units: data ------------------------------------------------------

    def u_seed(self, t=None):
        r = self.rng
        t = t or self.pick_table("lookup")
        if t is None:
            return
        self.touch(t)
        cols = ["code", "name"]
        if t.col("sort_order"):
            cols.append("sort_order")
        if t.col("description") and r.random() < 0.5:
            cols.append("description")
        nrows = r.randint(2, 25)
        rows = []
        for _ in range(nrows):
            t.seeded += 1
            word = r.choice(SEED_WORDS)
            vals = [sql_str("%s_%d" % (t.singular[:10], t.seeded)), sql_str("%s %d" % (word,
                                                                                   t.seeded))]
            if "sort_order" in cols:
                vals.append(str(t.seeded * 10))
            if "description" in cols:
                vals.append(r.choice((["NULL"] if t.col("description").nullable else []) + [
                    sql_str("%s tier; it's the default" % word),
                    sql_str("Auto-generated -- do not edit")]))
            rows.append("(%s)" % ", ".join(vals))
        conflict = r.choice(["", " ON CONFLICT (code) DO NOTHING",
                             " ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name"])
        self.emit("INSERT INTO %s (%s) VALUES\n    %s%s;" % (
            self.t(t), ", ".join(self.q(c) for c in cols), ",\n    ".join(rows), conflict))
        t.rows += nrows
        if self.slug is None:
            self.slug = "seed_%s" % t.name

    # ---- units: views -----------------------------------------------------

    def u_view(self):
        r = self.rng
        m = self.m
        t = self.pick_table("entity", pred=lambda x: len(x.cols) > 3)
        if t is None:
            return
        self.touch(t)
        if r.random() < 0.25 and t.col("created_at") and self.room() > 2:
            name = m.claim("%s_daily_counts" % t.singular)
            schema = "analytics" if "analytics" in m.schemas else "public"
            t.col("created_at").pins += 1
            v = View(name, schema, True, [t.col("created_at")], [t])
            m.views.append(v)
            t.views.append(v)
            self.emit("CREATE MATERIALIZED VIEW %s AS\nSELECT date_trunc('day', %s) AS day,\n"
                      "       count(*) AS total\nFROM %s\nGROUP BY 1\nWITH DATA;" % (
                          self.rel(schema, name), self.q("created_at"), self.t(t)))
            ix = m.claim("%s_day_idx" % name)
            self.emit("CREATE UNIQUE INDEX %s ON %s (day);" % (ix, self.rel(schema, name)))
            self.emit("REFRESH MATERIALIZED VIEW CONCURRENTLY %s;" % self.rel(schema, name))
            if self.slug is None:
                self.slug = "create_%s" % name
            return
        cols = [c for c in t.cols if not c.generated][:r.randint(3, 8)]
        select = ["t.%s" % self.q(c.name) for c in cols]
        join = ""
        tables = [t]
        fks = [c for c in t.cols if c.kind == "fk" and isinstance(c.fk, Table) and c.fk.alive
               and c.fk.cols_of("text")]
        fc = r.choice(fks) if fks else None
        pc = r.choice(fc.fk.cols_of("text")) if fc else None
        if fc and t.col("%s_%s" % (fc.fk.singular, pc.name)) in cols:
            fc = None
        if fc and r.random() < 0.5:
            p = fc.fk
            select.append("p.%s AS %s_%s" % (self.q(pc.name), p.singular, pc.name))
            join = "\nLEFT JOIN %s p ON p.id = t.%s" % (self.t(p), self.q(fc.name))
            pc.pins += 1
            fc.pins += 1
            p.col("id").pins += 1
            tables.append(p)
            cols.append(fc)
            pinned = cols + [pc]
        else:
            pinned = list(cols)
        where = ""
        if t.col("deleted_at"):
            where = "\nWHERE t.deleted_at IS NULL"
            pinned.append(t.col("deleted_at"))
        prefix = r.choice(["active_", "v_", "", "current_"])
        name = m.claim("%s%s%s" % (prefix, t.name, "" if prefix else "_view"))
        for c in pinned:
            c.pins += 1
        v = View(name, t.schema, False, pinned, tables)
        m.views.append(v)
        for tt in tables:
            tt.views.append(v)
        opts = " WITH (security_invoker = true)" if self.style_name.startswith(
            "supabase") and r.random() < 0.5 else ""
        self.emit("CREATE OR REPLACE VIEW %s%s AS\nSELECT %s\nFROM %s t%s%s;" % (
            self.rel(t.schema, name), opts, ",\n       ".join(select), self.t(t), join, where))
        if self.slug is None:
            self.slug = "create_%s_view" % name

    def u_drop_view(self):
        m = self.m
        if not m.views:
            return False
        v = self.rng.choice(m.views)
        m.views.remove(v)
        for c in v.pinned_cols:
            c.pins -= 1
        for t in v.tables:
            if v in t.views:
                t.views.remove(v)
        self.destructive("DROP %sVIEW IF EXISTS %s;" % (
            "MATERIALIZED " if v.materialized else "", self.rel(v.schema, v.name)),
            "ban-drop-view")
        if self.slug is None:
            self.slug = "drop_%s" % v.name
        return True

    # ---- units: destructive ----------------------------------------------

    def droppable_cols(self, t):
        return [c for c in t.cols if c.pins == 0 and not c.pk and c.kind not in (
            "fk", "authfk", "identity", "serial") and not c.generated
            and c.name not in ("created_at", "updated_at", "deleted_at", "occurred_at")]

    def u_destructive(self):
        r = self.rng
        m = self.m
        op = wchoice(r, [("drop_column", 30), ("rename_column", 14), ("alter_type", 16),
                         ("drop_table", 9), ("rename_table", 5), ("drop_not_null", 6),
                         ("set_not_null", 6), ("truncate", 2), ("drop_view", 3),
                         ("drop_index", 5), ("rename_enum_value", 2), ("drop_fk_column", 2),
                         ("conditional_rename", 2)])
        if op == "drop_column":
            t = self.pick_table("entity", "lookup", pred=lambda x: self.droppable_cols(x))
            if t is None:
                return False
            c = r.choice(self.droppable_cols(t))
            t.cols.remove(c)
            if c.enum is not None:
                c.enum.used -= 1
            self.touch(t)
            ife = " IF EXISTS" if r.random() < 0.3 else ""
            m.pending = [p for p in m.pending if c not in p[2]]
            self.destructive("ALTER TABLE %s DROP COLUMN%s %s;" % (self.t(t), ife,
                                                                   self.q(c.name)),
                             "ban-drop-column")
            self.slug = self.slug or "remove_%s_from_%s" % (c.name, t.name)
        elif op == "drop_fk_column":
            t = self.pick_table("entity", pred=lambda x: [c for c in x.cols if c.kind == "fk"
                                                          and c.pins == 0])
            if t is None:
                return False
            c = r.choice([c for c in t.cols if c.kind == "fk" and c.pins == 0])
            t.cols.remove(c)
            if isinstance(c.fk, Table):
                c.fk.referrers = [(a, b) for a, b in c.fk.referrers if b is not c]
            m.pending = [p for p in m.pending if c not in p[2]]
            self.touch(t)
            self.destructive("ALTER TABLE %s DROP COLUMN %s;" % (self.t(t), self.q(c.name)),
                             "ban-drop-column")
            self.slug = self.slug or "remove_%s_from_%s" % (c.name, t.name)
        elif op == "rename_column":
            t = self.pick_table("entity", "lookup", pred=lambda x: self.droppable_cols(x))
            if t is None:
                return False
            c = r.choice(self.droppable_cols(t))
            new = None
            for _ in range(10):
                cand = r.choice(["%s_old" % c.name, "legacy_%s" % c.name,
                                 self.new_col_name(t, c.kind if c.kind in COLS else "text")])
                cand = cand[:IDENT_MAX]
                if t.col(cand) is None:
                    new = cand
                    break
            if new is None:
                return False
            self.touch(t)
            self.destructive("ALTER TABLE %s RENAME COLUMN %s TO %s;" % (
                self.t(t), self.q(c.name), self.q(new)), "renaming-column")
            self.slug = self.slug or "rename_%s_%s_to_%s" % (t.name, c.name, new)
            c.name = new
        elif op == "conditional_rename":
            t = self.pick_table("entity", pred=lambda x: self.droppable_cols(x))
            if t is None:
                return False
            c = r.choice(self.droppable_cols(t))
            new = "%s_legacy" % c.name
            if t.col(new) is not None or len(new) > IDENT_MAX:
                return False
            self.touch(t)
            self.destructive(
                "DO $$\nBEGIN\n    IF EXISTS (\n        SELECT 1 FROM information_schema.columns\n"
                "        WHERE table_schema = '%s' AND table_name = '%s' AND column_name = '%s'\n"
                "    ) THEN\n        ALTER TABLE %s RENAME COLUMN %s TO %s;\n    END IF;\n"
                "END\n$$;" % (t.schema, t.name, c.name, self.t(t), self.q(c.name), self.q(new)),
                "renaming-column")
            self.slug = self.slug or "rename_%s_%s" % (t.name, c.name)
            c.name = new
        elif op == "alter_type":
            def changeable(x):
                return [c for c in self.droppable_cols(x) if self.type_change(c)]
            t = self.pick_table("entity", "lookup", pred=changeable)
            if t is None:
                return False
            c = r.choice(changeable(t))
            new, using = self.type_change(c)
            self.touch(t)
            if c.kind == "json" and c.default is not None:
                if self.room() < 3:
                    return False
                self.emit("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT;" % (self.t(t),
                                                                            self.q(c.name)))
                self.destructive("ALTER TABLE %s ALTER COLUMN %s TYPE %s%s;" % (
                    self.t(t), self.q(c.name), new, using), "changing-column-type")
                self.emit("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT '{}'::jsonb;" % (
                    self.t(t), self.q(c.name)))
                c.default = "'{}'::jsonb"
            else:
                kw = r.choice(["TYPE", "TYPE", "SET DATA TYPE"])
                self.destructive("ALTER TABLE %s ALTER COLUMN %s %s %s%s;" % (
                    self.t(t), self.q(c.name), kw, new, using), "changing-column-type")
            if c.kind == "json":
                c.kind = "jsonb"
            if c.kind == "ts" and "timestamptz" in new:
                c.sqltype = "timestamptz"
            c.sqltype = new
            if new == "bigint":
                c.kind = "bigint"
            self.slug = self.slug or "change_%s_%s_type" % (t.name, c.name)
        elif op == "drop_table":
            t = self.pick_table("entity", "lookup", "join", pred=lambda x: not [
                a for a, b in x.referrers if a.alive and b in a.cols and a is not x]
                and not x.views and x is not m.audit_table and x.ttype != "partitioned")
            if t is None:
                return False
            t.alive = False
            for c in t.cols:
                if isinstance(c.fk, Table):
                    c.fk.referrers = [(a, b) for a, b in c.fk.referrers if a is not t]
                if c.enum is not None:
                    c.enum.used -= 1
            m.pending = [p for p in m.pending if p[0] is not t]
            x = r.random()
            self.destructive("DROP TABLE%s %s%s;" % (
                " IF EXISTS" if x < 0.5 else "", self.t(t), " CASCADE" if x > 0.85 else ""),
                "ban-drop-table")
            self.slug = self.slug or "drop_%s" % t.name
        elif op == "rename_table":
            t = self.pick_table("entity", "lookup")
            if t is None:
                return False
            old = t.name
            x = r.random()
            if x < 0.25:
                new = self.new_table_name("entity")[1]
            else:
                new = m.claim(r.choice(["%s_legacy" % old, "%s_v2" % old,
                                        "archived_%s" % old])[:50])
            self.touch(t)
            self.destructive("ALTER TABLE %s RENAME TO %s;" % (self.t(t), self.q(new)),
                             "renaming-table")
            t.name = new
            self.slug = self.slug or "rename_%s_to_%s" % (old, new)
        elif op == "drop_not_null":
            t = self.pick_table("entity", pred=lambda x: [c for c in x.cols if not c.nullable
                                                          and not c.pk and c.pins == 0
                                                          and c.kind != "authfk"])
            if t is None:
                return False
            c = r.choice([c for c in t.cols if not c.nullable and not c.pk and c.pins == 0
                          and c.kind != "authfk"])
            c.nullable = True
            self.touch(t)
            self.emit("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL;" % (self.t(t),
                                                                         self.q(c.name)))
            self.slug = self.slug or "make_%s_%s_nullable" % (t.name, c.name)
        elif op == "set_not_null":
            t = self.pick_table("entity", pred=lambda x: x.rows == 0 and [
                c for c in x.cols if c.nullable and not c.pk and not c.generated
                and c.kind not in ("serial",)])
            if t is None:
                return False
            c = r.choice([c for c in t.cols if c.nullable and not c.pk and not c.generated
                          and c.kind not in ("serial",)])
            c.nullable = False
            self.touch(t)
            self.emit("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL;" % (self.t(t),
                                                                        self.q(c.name)))
            self.slug = self.slug or "require_%s_%s" % (t.name, c.name)
        elif op == "truncate":
            t = self.pick_table("entity", pred=lambda x: not x.referrers and x.ttype != "lookup")
            if t is None:
                return False
            self.touch(t)
            self.destructive("TRUNCATE TABLE %s%s;" % (self.t(t), r.choice(
                ["", " RESTART IDENTITY"])), "ban-truncate")
            self.slug = self.slug or "truncate_%s" % t.name
        elif op == "drop_view":
            return self.u_drop_view()
        elif op == "drop_index":
            if self.pick_table(pred=lambda x: x.indexes) is None:
                return False
            self.u_drop_index()
        elif op == "rename_enum_value":
            if not m.enums:
                return False
            e = r.choice(m.enums)
            old = r.choice(e.values[1:] or e.values)
            new = old + "_legacy" if r.random() < 0.5 else "was_" + old
            if new in e.values:
                return False
            e.values[e.values.index(old)] = new
            self.destructive("ALTER TYPE %s RENAME VALUE %s TO %s;" % (
                self.rel("public", e.name), sql_str(old), sql_str(new)), "renaming-enum-value")
            self.slug = self.slug or "rename_%s_%s" % (e.name, old)
        return True

    def type_change(self, c):
        st = c.sqltype
        if c.default is not None and c.kind not in ("json", "int", "text", "numeric", "ts"):
            return None
        if c.kind == "text" and st.startswith(("varchar(", "character varying(")) and \
                "[]" not in st:
            return self.rng.choice(["text", "varchar(4096)"]), ""
        if c.kind == "text" and st == "text" and c.default is None:
            return "varchar(1024)", ""
        if c.kind == "int" and st in ("integer", "int", "int4", "smallint"):
            return "bigint", ""
        if c.kind == "ts" and st in ("timestamp", "timestamp without time zone",
                                     "timestamp(6) without time zone"):
            return "timestamptz", " USING %s AT TIME ZONE 'UTC'" % self.q(c.name) if \
                c.default is None else ""
        if c.kind == "numeric" and st.startswith(("numeric(", "decimal(")):
            return "numeric(18,4)", ""
        if c.kind == "json":
            return "jsonb", " USING %s::jsonb" % self.q(c.name)
        return None

    # ---- misc ---------------------------------------------------------------

    def u_roles(self):
        m = self.m
        new = [x for x in ["app_user", "app_readonly", "reporting", "migrator_ro"]
               if x not in m.roles]
        if not new:
            return False
        pick = new[:self.rng.randint(1, len(new))]
        body = "\n".join(
            "    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '%s') THEN\n"
            "        CREATE ROLE %s NOLOGIN;\n    END IF;" % (x, x) for x in pick)
        self.emit("DO\n$do$\nBEGIN\n%s\nEND\n$do$;" % body)
        m.roles += pick
        if self.slug is None:
            self.slug = "create_application_roles"
        return True

    def u_schema(self):
        m = self.m
        for s in ["private", "analytics"]:
            if s not in m.schemas:
                m.schemas.append(s)
                self.emit("CREATE SCHEMA IF NOT EXISTS %s;" % s)
                if self.slug is None:
                    self.slug = "create_%s_schema" % s
                return True
        return False

    def u_extension(self):
        m = self.m
        cands = [e for e in ["pgcrypto", "uuid-ossp", "citext", "pg_trgm", "btree_gist",
                             "moddatetime", "hstore"] if e not in m.extensions]
        if not cands:
            return False
        e = self.rng.choice(cands)
        m.extensions.append(e)
        if self.style_name.startswith("supabase") and self.rng.random() < 0.3:
            self.emit('create extension if not exists "%s" with schema "public";' % e)
        else:
            self.emit('CREATE EXTENSION IF NOT EXISTS "%s";' % e)
        if self.slug is None:
            self.slug = "enable_%s" % e.replace("-", "_")
        return True

    def u_analyze(self, t=None):
        t = t or self.pick_table()
        if t is None:
            return
        if not self.in_txn and self.rng.random() < 0.3:
            self.emit("VACUUM (ANALYZE) %s;" % self.t(t))
        else:
            self.emit("ANALYZE %s;" % self.t(t))

    # ---- file plans --------------------------------------------------------

    FILLERS = {
        "create_table": [("index", 6), ("comment", 5), ("grant", 2), ("policy", 3),
                         ("trigger", 2), ("add_column", 1), ("create_table", 2),
                         ("seed", 1)],
        "add_columns": [("add_column", 8), ("backfill", 3), ("index", 3), ("comment", 3),
                        ("set_default", 1), ("check", 1)],
        "add_index": [("index", 8), ("comment", 1), ("analyze", 1)],
        "foreign_keys": [("fk", 5), ("validate", 2), ("index", 3), ("check", 2)],
        "enum": [("alter_enum", 3), ("add_column", 2), ("comment", 1), ("create_enum", 1)],
        "function": [("function", 3), ("trigger", 3), ("audit", 2), ("grant", 1)],
        "rls": [("policy", 6), ("enable_rls", 2), ("grant", 2)],
        "grants": [("grant", 8), ("policy", 1)],
        "seed": [("seed", 5), ("comment", 1)],
        "backfill": [("backfill", 6), ("analyze", 1), ("set_default", 1), ("add_column", 1)],
        "destructive": [("destructive", 4), ("comment", 1), ("add_column", 1), ("index", 1),
                        ("backfill", 1)],
        "view": [("view", 3), ("grant", 2), ("comment", 1), ("function", 1)],
        "maintenance": [("comment", 4), ("set_default", 3), ("check", 2), ("validate", 2),
                        ("idempotent", 1), ("index", 2), ("destructive", 1),
                        ("partition", 1), ("drop_index", 1)],
    }

    def run_unit(self, name):
        r = self.rng
        if name == "index":
            self.u_index()
        elif name == "comment":
            self.u_comment()
        elif name == "grant":
            self.u_grant()
        elif name == "policy":
            self.u_policy()
        elif name == "enable_rls":
            self.u_enable_rls()
        elif name == "trigger":
            self.u_trigger_updated_at()
        elif name == "audit":
            self.u_audit()
        elif name == "add_column":
            c = self.u_add_column()
            if c is not None and c.nullable and r.random() < 0.3 and self.room() > 2:
                t = [x for x in self.focus if c in x.cols]
                if t:
                    self.u_backfill(t[0], c)
        elif name == "create_table":
            if self.room() > 20:
                self.u_create_table()
        elif name == "seed":
            self.u_seed()
        elif name == "backfill":
            self.u_backfill()
        elif name == "set_default":
            self.u_set_default()
        elif name == "check":
            self.u_check_not_valid()
        elif name == "fk":
            self.u_fk_not_valid()
        elif name == "validate":
            if not self.u_validate_pending():
                self.u_check_not_valid()
        elif name == "alter_enum":
            self.u_alter_enum()
        elif name == "create_enum":
            self.u_create_enum()
        elif name == "function":
            self.u_function()
        elif name == "view":
            if self.room() > 3:
                self.u_view()
        elif name == "destructive":
            self.u_destructive()
        elif name == "analyze":
            self.u_analyze()
        elif name == "idempotent":
            self.u_idempotent_constraint()
        elif name == "partition":
            t = self.pick_table("partitioned")
            if t is not None:
                self.touch(t)
                self.u_add_partition(t)
                if self.slug is None:
                    self.slug = "add_%s_partition" % t.name
            else:
                self.u_comment()
        elif name == "drop_index":
            self.u_drop_index()

    def build(self, kind, target):
        r = self.rng
        m = self.m
        st = self.st
        header = []
        self.reserve = 0
        if kind == "init":
            self.in_txn = False
        else:
            self.in_txn = r.random() < st["txn"]
        if self.in_txn:
            self.reserve += 1   # COMMIT
        # --- preamble
        if self.style_name == "pg_dump" and r.random() < 0.4:
            for s in ["SET statement_timeout = 0;", "SET lock_timeout = 0;",
                      "SET idle_in_transaction_session_timeout = 0;",
                      "SET client_encoding = 'UTF8';", "SET standard_conforming_strings = on;",
                      "SET check_function_bodies = false;", "SET xmloption = content;",
                      "SET client_min_messages = warning;", "SET row_security = off;"]:
                header.append(s)
        elif self.style_name == "flyway" and r.random() < 0.5:
            self.comment("Flyway V%d: %s" % (self.idx + 1, "generated"))
        elif self.style_name == "golang_migrate" and r.random() < 0.15:
            self.comment("+migrate Up")
        if self.in_txn:
            header.insert(0, "BEGIN;")
        if r.random() < st["lock"]:
            header.append("SET %slock_timeout = '%s';" % (
                "LOCAL " if self.in_txn and r.random() < 0.5 else "",
                r.choice(["3s", "5s", "10s", "2s", "1000ms"])))
            if r.random() < 0.4:
                header.append("SET %sstatement_timeout = '%s';" % (
                    "LOCAL " if self.in_txn and r.random() < 0.5 else "",
                    r.choice(["30s", "60s", "5min", "0"])))
        for h in header:
            self.emit(h)
        # --- core
        if kind == "init":
            self.slug = "init"
            for e in (["pgcrypto", "uuid-ossp"] if r.random() < 0.5 else ["pgcrypto"]):
                m.extensions.append(e)
                self.emit('create extension if not exists "%s" with schema extensions;' % e
                          if self.style_name.startswith("supabase")
                          else 'CREATE EXTENSION IF NOT EXISTS "%s";' % e)
            self.u_schema()
            self.ensure_updated_at_fn()
            if self.style_name.startswith("supabase"):
                self.supabase_profiles()
            else:
                self.u_roles()
                self.u_create_table("entity")
        elif kind == "create_table":
            if r.random() < 0.12:
                self.u_create_enum(attach=False)
            self.u_create_table()
        elif kind == "add_columns":
            c = self.u_add_column()
            if c is not None and c.nullable and r.random() < 0.4:
                t = [x for x in self.focus if c in x.cols]
                if t:
                    self.u_backfill(t[0], c, set_not_null=r.random() < 0.5)
        elif kind == "add_index":
            self.u_index()
        elif kind == "foreign_keys":
            if not self.u_validate_pending():
                self.u_fk_not_valid()
        elif kind == "enum":
            if r.random() < 0.5:
                self.u_alter_enum()
            else:
                self.u_create_enum()
        elif kind == "function":
            x = r.random()
            if x < 0.35:
                self.u_trigger_updated_at()
            elif x < 0.55:
                self.u_audit()
            else:
                self.u_function()
        elif kind == "rls":
            self.u_enable_rls()
            self.u_policy()
        elif kind == "grants":
            if r.random() < 0.3 and not self.style_name.startswith("supabase"):
                self.u_roles()
            self.u_grant()
        elif kind == "seed":
            self.u_seed()
        elif kind == "backfill":
            self.u_backfill()
        elif kind == "destructive":
            for _ in range(5):
                if self.u_destructive():
                    break
        elif kind == "view":
            self.u_view()
        elif kind == "maintenance":
            x = r.random()
            if x < 0.25 and self.u_extension():
                pass
            elif x < 0.35 and self.u_schema():
                pass
            elif x < 0.45 and self.u_roles():
                pass
            else:
                self.u_set_default()
        fillers = self.FILLERS.get(kind, self.FILLERS["maintenance"])
        guard = 0
        while len(self.out) < target - self.reserve and guard < 400:
            guard += 1
            if self.room() < 5:     # no unit emits more than 5 statements
                break
            before = len(self.out)
            self.run_unit(wchoice(r, fillers) if r.random() < 0.85 else
                          wchoice(r, self.FILLERS["maintenance"]))
            if len(self.out) == before and guard > 200:
                self.u_comment()
        if self.in_txn:
            self.emit("COMMIT;")
        if self.slug is None:
            self.slug = kind

    def supabase_profiles(self):
        m = self.m
        name = m.claim("profiles")
        t = Table(name, "public", "entity", "profile")
        idc = Col("id", "authfk", "uuid", nullable=False)
        idc.pk = True
        idc.pins += 2
        t.pk_kind = "uuid"
        t.cols.append(idc)
        for nm, kind in [("username", "text"), ("full_name", "text"), ("avatar_url", "text"),
                         ("website_url", "text")]:
            c = Col(nm, kind, "text")
            c.pins += 1
            t.cols.append(c)
        up = Col("updated_at", "ts", "timestamp with time zone")
        up.pins += 1
        t.cols.append(up)
        m.tables.append(t)
        self.touch(t)
        self.comment("Create a table for public profiles")
        self.emit("create table public.profiles (\n"
                  "  id uuid references auth.users on delete cascade not null primary key,\n"
                  "  updated_at timestamp with time zone,\n  username text unique,\n"
                  "  full_name text,\n  avatar_url text,\n  website_url text,\n\n"
                  "  constraint username_length check (char_length(username) >= 3)\n);")
        m.used_names.add("profiles_username_key")
        self.emit("alter table public.profiles enable row level security;")
        t.rls = True
        for pname, cmd, clause in [
                ("Public profiles are viewable by everyone.", "for select", "using (true)"),
                ("Users can insert their own profile.", "for insert",
                 "with check ((select auth.uid()) = id)"),
                ("Users can update own profile.", "for update",
                 "using ((select auth.uid()) = id)")]:
            t.policies.append(pname)
            self.emit('create policy "%s" on profiles\n  %s %s;' % (pname, cmd, clause))
        m.functions["handle_new_user"] = ("", 1)
        self.comment("This trigger automatically creates a profile entry when a new user "
                     "signs up via Supabase Auth.")
        self.emit("create function public.handle_new_user()\nreturns trigger\n"
                  "set search_path = ''\nas $$\nbegin\n"
                  "  insert into public.profiles (id, full_name, avatar_url)\n"
                  "  values (new.id, new.raw_user_meta_data->>'full_name', "
                  "new.raw_user_meta_data->>'avatar_url');\n  return new;\nend;\n"
                  "$$ language plpgsql security definer;")
        self.emit("create trigger on_auth_user_created\n  after insert on auth.users\n"
                  "  for each row execute procedure public.handle_new_user();")

    def render(self):
        sep = self.st["sep"]
        parts = list(self.out)
        if self.pending_prefix:
            parts.append("\n".join(self.pending_prefix))
        text = sep.join(parts) + "\n"
        if self.lower:
            text = lower_sql(text)
        return text


# --------------------------------------------------------------------------
# the corpus
# --------------------------------------------------------------------------

def statement_target(rng):
    x = rng.random()
    if x < 0.06:
        return rng.randint(40, 74)
    return min(74, MIN_STATEMENTS + int(rng.expovariate(1 / 9.0)))


def generate(out_dir, files, seed):
    rng = random.Random(seed)
    model = Model()
    dest = os.path.join(out_dir, "supabase", "migrations")
    os.makedirs(dest, exist_ok=True)
    when = datetime.datetime(2021, 3, 1, 9, 0, 0) + datetime.timedelta(
        minutes=rng.randint(0, 60 * 24 * 30))
    style = "supabase_hand"
    era_left = rng.randint(40, 300)
    total_statements = 0
    names = []
    for idx in range(files):
        if era_left <= 0:
            style = wchoice(rng, STYLE_WEIGHTS)
            era_left = rng.randint(40, 300)
        era_left -= 1
        file_style = style if rng.random() < 0.85 else wchoice(rng, STYLE_WEIGHTS)
        if idx == 0:
            file_style = "supabase_hand"
        when += datetime.timedelta(seconds=rng.choice([
            rng.randint(1, 120), rng.randint(60, 3600), rng.randint(3600, 86400 * 3),
            rng.randint(3600, 86400 * 3)]))
        fg = FileGen(rng, model, file_style, idx, when)
        if idx == 0:
            kind = "init"
        elif len(model.live_tables("entity")) < 6:
            kind = "create_table"
        else:
            kind = wchoice(rng, FILE_KINDS)
        target = statement_target(rng)
        fg.build(kind, target)
        if len(fg.out) < MIN_STATEMENTS:
            # pad with cheap, always-valid statements
            while len(fg.out) < MIN_STATEMENTS:
                fg.u_comment()
        slug = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in fg.slug.lower())
        slug = slug[:80].strip("_") or kind
        fname = "%s_%s.sql" % (when.strftime("%Y%m%d%H%M%S"), slug)
        text = fg.render()
        if idx % 97 == 13:
            text = text.replace("\n", "\r\n")     # a Windows contributor
        with open(os.path.join(dest, fname), "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        names.append(fname)
        total_statements += len(fg.out)
    return dest, names, total_statements


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--files", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.files < 1:
        ap.error("--files must be at least 1")
    dest, names, total = generate(args.out_dir, args.files, args.seed)
    print("wrote %d files, %d statements, to %s" % (len(names), total, dest), file=sys.stderr)


if __name__ == "__main__":
    main()
