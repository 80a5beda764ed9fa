#!/usr/bin/env python3
"""Deterministic generator of a large repository for the contract benchmark.

    python3 bench/gen_contract_repo.py OUT_DIR [--files 50000] [--kib 4]
                                       [--dropped 20] [--seed 1]

Writes OUT_DIR with:

* migrations/001_init.sql: `members` with --dropped legacy columns (the
  ones bench/contract_vs_ripgrep.sh drops) and ordinary columns, and
  `orders`, `invoices`, `events` with ordinary columns;
* --files source files (TypeScript, Python, Go, Ruby, Java, Rust), about
  --kib KiB each, of ordinary code: functions, comments, SQL in string
  literals (template literals, triple quotes, raw strings, heredocs, text
  blocks) over the ordinary columns, identifiers. About one file in 200
  uses a legacy column, in SQL tied to `members` or as a camelCase field;
* docs/*.md that mention every legacy column (not code: must not count);
* bench/dropped.txt: the legacy column names, one a line.

Only the standard library is used; the same arguments give the same bytes.
"""

import argparse
import os
import random

WORDS = (
    "account balance cache client config cursor event handler invoice item "
    "ledger member order payment queue record report request session total "
    "user value window batch bucket channel digest export filter import"
).split()
ORDINARY = ["id", "email", "created_at", "updated_at", "total", "currency", "kind", "region", "owner_id", "note"]
TABLES = ["orders", "invoices", "events", "members"]


def legacy_names(n):
    base = ["score", "rank", "flags", "token", "label", "tier", "quota", "badge", "level", "alias"]
    return ["legacy_%s_%02d" % (base[i % len(base)], i) for i in range(n)]


def camel(name):
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def sql(rng, legacy=None):
    table = rng.choice(TABLES)
    cols = rng.sample(ORDINARY, 3)
    if legacy:
        table = "members"
        cols[rng.randrange(3)] = legacy
    shape = rng.randrange(3)
    if shape == 0:
        return "SELECT %s FROM %s WHERE id = $1" % (", ".join(cols), table)
    if shape == 1:
        return "UPDATE %s SET %s = $1 WHERE id = $2" % (table, cols[0])
    return "INSERT INTO %s (%s) VALUES ($1, $2, $3)" % (table, ", ".join(cols))


def block(lang, rng, legacy=None):
    w1, w2 = rng.choice(WORDS), rng.choice(WORDS)
    q = sql(rng, legacy if legacy and rng.random() < 0.7 else None)
    field = camel(legacy) if legacy and "legacy" not in q else rng.choice(ORDINARY)
    if lang == "ts":
        return (
            "// %s the %s before it is sent\n"
            "export async function %s%s(db: Db, id: number) {\n"
            "  const rows = await db.query(`\n    %s\n  `, [id]);\n"
            "  return rows.map((r) => r.%s);\n}\n\n" % (w1, w2, w1, w2.capitalize(), q, field)
        )
    if lang == "py":
        return (
            "# %s the %s before it is sent\n"
            "def %s_%s(cur, id):\n"
            "    cur.execute(\"\"\"\n        %s\n    \"\"\", (id,))\n"
            "    return [r.%s for r in cur.fetchall()]\n\n\n" % (w1, w2, w1, w2, q, field)
        )
    if lang == "go":
        return (
            "// %s%s reads the %s.\n"
            "func %s%s(db *sql.DB, id int) (string, error) {\n"
            "\tq := `%s`\n\tvar v string\n\terr := db.QueryRow(q, id).Scan(&v)\n"
            "\t_ = row.%s\n\treturn v, err\n}\n\n" % (w1.capitalize(), w2.capitalize(), w2, w1.capitalize(), w2.capitalize(), q, field)
        )
    if lang == "rb":
        return (
            "  # %s the %s\n"
            "  def %s_%s(id)\n    conn.exec_params(<<~SQL, [id])\n      %s\n    SQL\n"
            "    record.%s\n  end\n\n" % (w1, w2, w1, w2, q, field)
        )
    if lang == "java":
        return (
            "    /** %s the %s. */\n"
            "    public String %s%s(long id) {\n"
            "        String q = \"\"\"\n            %s\n            \"\"\";\n"
            "        return jdbc.queryForObject(q, String.class, id) + row.%s;\n    }\n\n"
            % (w1, w2, w1, w2.capitalize(), q, field)
        )
    return (
        "/// %s the %s.\n"
        "pub fn %s_%s(db: &Db, id: i64) -> Result<String> {\n"
        "    let q = r#\"%s\"#;\n    db.query_one(q, &[&id]).map(|r| r.%s)\n}\n\n" % (w1, w2, w1, w2, q, field)
    )


EXT = {"ts": "ts", "py": "py", "go": "go", "rb": "rb", "java": "java", "rs": "rs"}
HEAD = {
    "ts": "import { Db } from '../db';\n\n",
    "py": "\"\"\"Queries.\"\"\"\n\n",
    "go": "package queries\n\nimport \"database/sql\"\n\n",
    "rb": "class Queries\n",
    "java": "package app.queries;\n\npublic class Queries {\n",
    "rs": "use crate::db::Db;\n\n",
}
TAIL = {"rb": "end\n", "java": "}\n"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--files", type=int, default=50000)
    ap.add_argument("--kib", type=int, default=4)
    ap.add_argument("--dropped", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    legacy = legacy_names(a.dropped)
    os.makedirs(os.path.join(a.out, "migrations"), exist_ok=True)
    cols = ",\n  ".join(["id bigint PRIMARY KEY"] + ["%s text" % c for c in ORDINARY[1:]] + ["%s text" % c for c in legacy])
    with open(os.path.join(a.out, "migrations", "001_init.sql"), "w") as f:
        f.write("CREATE TABLE members (\n  %s\n);\n" % cols)
        for t in TABLES[:-1]:
            f.write("CREATE TABLE %s (id bigint PRIMARY KEY, %s);\n" % (t, ", ".join("%s text" % c for c in ORDINARY[1:])))
    os.makedirs(os.path.join(a.out, "docs"), exist_ok=True)
    with open(os.path.join(a.out, "docs", "schema.md"), "w") as f:
        f.write("# Schema\n\n" + "".join("- `members.%s`: legacy\n" % c for c in legacy))
    os.makedirs(os.path.join(a.out, "bench"), exist_ok=True)
    with open(os.path.join(a.out, "bench", "dropped.txt"), "w") as f:
        f.write("".join(c + "\n" for c in legacy))
    langs = list(EXT)
    for i in range(a.files):
        lang = langs[i % len(langs)]
        d = os.path.join(a.out, "src", "pkg%03d" % (i % 500), "mod%02d" % (i // 500 % 20))
        os.makedirs(d, exist_ok=True)
        # The last legacy column is used by one file only, which history removes.
        uses = legacy[rng.randrange(len(legacy) - 1)] if rng.random() < 0.005 else None
        body = [HEAD[lang]]
        size = len(body[0])
        first = True
        while size < a.kib * 1024:
            b = block(lang, rng, uses if first else None)
            first = False
            body.append(b)
            size += len(b)
        body.append(TAIL.get(lang, ""))
        with open(os.path.join(d, "q%05d.%s" % (i, EXT[lang])), "w") as f:
            f.write("".join(body))


if __name__ == "__main__":
    main()
