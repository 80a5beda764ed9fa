#!/usr/bin/env bash
# Benchmark, not a test: `shipgate dry-run` of 200 migration files on a
# seeded database, on a throwaway local PostgreSQL cluster.
#
#   bench/dryrun.sh
#
# Environment:
#   SHIPGATE_BIN   shipgate binary (default target/release/shipgate, built if missing)
#   FILES          migration files to generate (default 200)
#   TABLES         seeded tables (default 20)
#   ROWS           rows per seeded table (default 20000)
#   SEED           generator seed (default 1)
#
# The migrations are typical release work on the seeded tables: new columns
# and defaults, plain and partial indexes, NOT VALID constraints validated
# later, batched backfills, new tables filled from old ones, views, trigger
# functions, comments; a few type changes (table rewrites) and a few deletes
# (row-count parity errors), so the report has something to say. Everything
# runs in one transaction that is rolled back: the database is unchanged.
# The dry run exits 1 (it finds blocking problems, as designed); the script
# exits non-zero only when the benchmark itself could not run.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
SHIPGATE_BIN=${SHIPGATE_BIN:-target/release/shipgate}
FILES=${FILES:-200}
TABLES=${TABLES:-20}
ROWS=${ROWS:-20000}
SEED=${SEED:-1}

if [ ! -x "$SHIPGATE_BIN" ]; then
  echo "building $SHIPGATE_BIN" >&2
  cargo build --release --quiet
fi
PG_BIN=${SHIPGATE_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}

work=$(mktemp -d)
chmod 755 "$work"
cleanup() {
  scripts/pg-cluster.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
[ -z "${KEEP:-}" ] || trap - EXIT

scripts/pg-cluster.sh start "$work/pg" >/dev/null
port=$(cat "$work/pg/port")
psql() { "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -X -q -v ON_ERROR_STOP=1 "$@"; }
psql -d postgres -c "CREATE DATABASE bench"

python3 - "$work" "$FILES" "$TABLES" "$ROWS" "$SEED" <<'PY'
import os, random, sys

work, files, tables, rows, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
r = random.Random(seed)
names = ["t%02d" % i for i in range(1, tables + 1)]

with open(os.path.join(work, "seed.sql"), "w") as f:
    for t in names:
        f.write(f"""CREATE TABLE {t} (
  id bigint PRIMARY KEY,
  account_id int NOT NULL,
  status text NOT NULL DEFAULT 'open',
  amount numeric(12,2) NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  note text
);
INSERT INTO {t} (id, account_id, status, amount, created_at, note)
SELECT g, g % 500, (ARRAY['open','paid','void'])[1 + g % 3], (g % 1000) / 10.0,
       now() - g * interval '1 minute', 'row ' || g
FROM generate_series(1, {rows}) g;
""")
    f.write("ANALYZE;\n")

mig = os.path.join(work, "repo", "supabase", "migrations")
os.makedirs(mig)
statements = 0
for k in range(1, files + 1):
    out = []
    if r.random() < 0.8:
        out.append("SET lock_timeout = '5s';")
    for i in range(r.randint(3, 8)):
        t = r.choice(names)
        op = r.random()
        tag = f"{k}_{i}"
        if op < 0.22:
            out.append(f"ALTER TABLE {t} ADD COLUMN c_{tag} text;")
            if r.random() < 0.5:
                out.append(f"ALTER TABLE {t} ALTER COLUMN c_{tag} SET DEFAULT 'x';")
        elif op < 0.38:
            where = " WHERE status = 'open'" if r.random() < 0.3 else ""
            out.append(f"CREATE INDEX i_{tag} ON {t} (account_id, created_at){where};")
        elif op < 0.50:
            out.append(f"ALTER TABLE {t} ADD CONSTRAINT chk_{tag} CHECK (amount >= 0) NOT VALID;")
            out.append(f"ALTER TABLE {t} VALIDATE CONSTRAINT chk_{tag};")
        elif op < 0.62:
            out.append(f"UPDATE {t} SET note = 'backfill {k}' WHERE id % 97 = {k % 97};")
        elif op < 0.72:
            out.append(f"CREATE TABLE n_{tag} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                       f"{t}_id bigint NOT NULL REFERENCES {t} (id), payload jsonb NOT NULL DEFAULT '{{}}');")
            out.append(f"INSERT INTO n_{tag} ({t}_id) SELECT id FROM {t} WHERE id <= {r.randint(10, 500)};")
        elif op < 0.80:
            out.append(f"CREATE OR REPLACE VIEW v_{tag} AS SELECT id, status FROM {t} WHERE status = 'paid';")
        elif op < 0.87:
            out.append(f"COMMENT ON TABLE {t} IS 'touched by migration {k}';")
        elif op < 0.94:
            out.append(f"""CREATE FUNCTION f_{tag}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.note := coalesce(NEW.note, 'set by trigger');
  RETURN NEW;
END $$;""")
            out.append(f"CREATE TRIGGER trg_{tag} BEFORE INSERT ON {t} FOR EACH ROW EXECUTE FUNCTION f_{tag}();")
        elif op < 0.97:
            out.append(f"ALTER TABLE {t} ALTER COLUMN amount TYPE numeric({r.randint(13, 18)},2);")
        else:
            out.append(f"DELETE FROM {t} WHERE id = {r.randint(1, rows)};")
    statements += len(out)
    with open(os.path.join(mig, "2024%010d_m%03d.sql" % (k, k)), "w") as f:
        f.write("\n".join(out) + "\n")
print(f"{files} files, {statements} statements", file=sys.stderr)
PY

psql -d bench -f "$work/seed.sql"
url="postgres://postgres@127.0.0.1:$port/bench"
dump_before=$("$PG_BIN/pg_dump" -h 127.0.0.1 -p "$port" -U postgres --restrict-key=bench -d bench 2>/dev/null | md5sum)

# Warm-up (file cache, server buffers), then the timed run.
"$SHIPGATE_BIN" dry-run --database-url "$url" --repo "$work/repo" --format json -q >"$work/warmup.json" || true
start=$(date +%s.%N)
set +e
"$SHIPGATE_BIN" dry-run --database-url "$url" --repo "$work/repo" --format json -q >"$work/report.json"
code=$?
set -e
end=$(date +%s.%N)
dump_after=$("$PG_BIN/pg_dump" -h 127.0.0.1 -p "$port" -U postgres --restrict-key=bench -d bench 2>/dev/null | md5sum)

python3 - "$work/report.json" "$start" "$end" "$code" "$TABLES" "$ROWS" <<'PY'
import json, sys
report, start, end, code, tables, rows = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
d = json.load(open(report))
dr = d["dry_run"]
migs = dr["migrations"]
stmts = [s for m in migs for s in m["statements"]]
ran = [s for s in stmts if s["status"] == "ran"]
by_rule = {}
for f in d["findings"]:
    by_rule[f["rule"]] = by_rule.get(f["rule"], 0) + 1
applied = sum(1 for m in migs if m["status"] == "applied")
print(f"dry-run of {len(migs)} migration files ({applied} applied), {len(stmts)} statements ({len(ran)} run), "
      f"on {tables} tables x {rows} rows")
print(f"wall time: {end - start:.2f} s (shipgate's own measure: {dr['duration_ms'] / 1000:.2f} s; "
      f"time in statements: {sum(s['duration_ms'] for s in ran) / 1000:.2f} s), exit {code}, verdict {d['verdict']}")
print("findings: " + ", ".join(f"{k} {v}" for k, v in sorted(by_rule.items())))
PY
if [ "$dump_before" = "$dump_after" ]; then
  echo "database unchanged after the run (pg_dump before = after)"
else
  echo "WARNING: pg_dump differs after the run" >&2
fi
