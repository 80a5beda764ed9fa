#!/usr/bin/env python3
"""Deterministic generator of a large repository for the flag-gate benchmark.

    python3 bench/gen_flags_repo.py OUT_DIR [--files 50000] [--flags 1000]
                                    [--kib 10] [--seed 1]

Writes OUT_DIR with:

* docs/flags.md: a registry of --flags flags in the CONTRACT.md format
  (owners, defaults, types, statuses, removal dates far in the future);
* --files source files (TypeScript, JavaScript, Python, Go, Ruby, Java,
  Kotlin, YAML and dotenv files), about --kib KiB each, in a tree of
  packages and modules, of ordinary code (functions, classes, comments,
  string literals, near-misses such as `isEnabled(name)` or
  `colorVariation("primary", 2)`), where about one file in six calls a flag
  SDK the way real code does (`isEnabled("x")`, `useFlag("x")`,
  `variation("x", ctx, false)`, `getBooleanValue(\n "x",\n false)`,
  `process.env.FEATURE_X`, ...), every documented flag at least once;
* a `.gitignore` hiding `dist/` and `node_modules/` (which hold more files,
  with references that must not count) and a few binary files.

Only the standard library is used; the same arguments give the same bytes.
"""

import argparse
import os
import random

LANGS = [
    # extension, weight
    ("ts", 26),
    ("tsx", 6),
    ("js", 10),
    ("py", 18),
    ("go", 14),
    ("rb", 8),
    ("java", 8),
    ("kt", 4),
    ("yml", 4),
    ("env", 2),
]

WORDS = (
    "account user order invoice payment cart item product price tax discount "
    "session token cache queue worker job event stream batch record report "
    "export import search index query filter page limit offset cursor result "
    "config setting option value handler service client server request response "
    "member workspace team project task comment message notification email "
    "ingest pipeline metric trace span log audit policy role permission"
).split()


def ident(rng, parts=2, style="camel"):
    ws = [rng.choice(WORDS) for _ in range(parts)]
    if style == "camel":
        return ws[0] + "".join(w.capitalize() for w in ws[1:])
    if style == "pascal":
        return "".join(w.capitalize() for w in ws)
    if style == "snake":
        return "_".join(ws)
    return "_".join(w.upper() for w in ws)


def filler_line(rng, lang):
    a, b, c = ident(rng), ident(rng, 3), ident(rng, 1)
    s, p = ident(rng, 2, "snake"), ident(rng, 2, "pascal")
    n = rng.randint(0, 9999)
    if lang in ("ts", "tsx", "js"):
        return rng.choice(
            [
                f"  const {a} = await {c}.{b}({n}, '{s}');",
                f"  if ({a}.{c} > {n}) {{ return {b}({a}); }}",
                f"  // {s.replace('_', ' ')}: keep {c} in sync with {p}",
                f"export function {b}({a}: {p}): number {{ return {a}.{c} * {n}; }}",
                f"  {a}.push({{ id: {n}, name: \"{s}\", kind: `{c}` }});",
                f"  logger.info(\"{s} done\", {{ {c}: {a} }});",
                f"  const {c}Enabled = button.isEnabled() && isEnabled({a});",
                f"  const {c}Style = colorVariation(\"{s}\", {n % 5});",
            ]
        )
    if lang == "py":
        return rng.choice(
            [
                f"    {s} = {c}.{ident(rng, 2, 'snake')}({n}, '{s}')",
                f"    if {s} > {n}:\n        return {c}_{s}({s})",
                f"    # {s.replace('_', ' ')}: see {p}",
                f"def {ident(rng, 3, 'snake')}({s}, {c}={n}):\n    return {s} * {c}",
                f"    logger.info(\"%s done\", \"{s}\")",
                f"    {s}.append({{'id': {n}, 'name': \"{s}\"}})",
            ]
        )
    if lang == "go":
        return rng.choice(
            [
                f"\t{a}, err := {c}.{p}(ctx, {n})",
                f"\tif err != nil {{\n\t\treturn fmt.Errorf(\"{s}: %w\", err)\n\t}}",
                f"// {p} handles {s.replace('_', ' ')}.",
                f"func {p}({a} int) int {{ return {a} * {n} }}",
                f"\tlog.Printf(\"{s} %d\", {n})",
            ]
        )
    if lang == "rb":
        return rng.choice(
            [
                f"    {s} = {c}.{ident(rng, 2, 'snake')}({n}, '{s}')",
                f"    return {s} if {s}.enabled?",
                f"  # {s.replace('_', ' ')}",
                f"  def {ident(rng, 2, 'snake')}({s})\n    {s} * {n}\n  end",
                f"    Rails.logger.info(\"{s} #{{{s}}}\")",
            ]
        )
    if lang in ("java", "kt"):
        return rng.choice(
            [
                f"        final {p} {a} = {c}.{b}({n}, \"{s}\");",
                f"        if ({a}.get{p}() > {n}) {{ return {b}({a}); }}",
                f"    // {s.replace('_', ' ')}",
                f"    public int {b}(int {a}) {{ return {a} * {n}; }}",
                f"        logger.isEnabled(Level.DEBUG);",
            ]
        )
    if lang == "yml":
        return rng.choice(
            [
                f"  {s}: {n}",
                f"  {c}_{s}: \"{p}\"",
                f"  # {s.replace('_', ' ')}",
                f"  - name: {s}\n    value: \"{n}\"",
            ]
        )
    return f"{ident(rng, 2, 'upper')}={n}"


def reference(rng, lang, flag):
    upper = flag.upper().replace("-", "_").replace(".", "_")
    if lang in ("ts", "tsx", "js"):
        return rng.choice(
            [
                f"  if (unleash.isEnabled(\"{flag}\")) {{ start(); }}",
                f"  const on = useFlag('{flag}', false);",
                f"  const v = await ldClient.variation(\"{flag}\", context, false);",
                f"  const b = await client.getBooleanValue(\n    \"{flag}\",\n    false,\n  );",
                f"  const e = process.env.FEATURE_{upper} === \"true\";",
                f"  const g = gb.isOn(`{flag}`);",
            ]
        )
    if lang == "py":
        return rng.choice(
            [
                f"    if client.is_enabled(\"{flag}\"):\n        start()",
                f"    on = os.environ.get(\"FEATURE_{upper}\") == \"true\"",
                f"    v = ld.variation('{flag}', ctx, False)",
            ]
        )
    if lang == "go":
        return rng.choice(
            [
                f"\tif unleash.IsEnabled(\"{flag}\") {{\n\t\tstart()\n\t}}",
                f"\tv, _ := client.BoolVariation(\"{flag}\", ctx, false)",
                f"\ton := os.Getenv(\"FEATURE_{upper}\") == \"true\"",
            ]
        )
    if lang == "rb":
        return rng.choice(
            [
                f"    return start if Flipper.enabled?(:{flag}, user)",
                f"    on = UNLEASH.is_enabled?(\"{flag}\", ctx)",
                f"    on = ENV[\"FEATURE_{upper}\"] == \"true\"",
            ]
        )
    if lang in ("java", "kt"):
        return rng.choice(
            [
                f"        if (unleash.isEnabled(\"{flag}\")) {{ start(); }}",
                f"        boolean v = client.boolVariation(\"{flag}\", ctx, false);",
                f"        String e = System.getenv(\"FEATURE_{upper}\");",
            ]
        )
    if lang == "yml":
        return f"  FEATURE_{upper}: \"true\""
    return f"FEATURE_{upper}=false"


def header(lang, rng):
    return {
        "ts": "import { client, unleash, ldClient, gb, useFlag } from '../flags';\n",
        "tsx": "import { useFlag } from '@openfeature/react-sdk';\n",
        "js": "const { unleash, ldClient } = require('../flags');\n",
        "py": "import os\n\nfrom .flags import client, ld\n",
        "go": "package pkg\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n",
        "rb": "class Service\n",
        "java": "package com.example;\n\npublic class Service {\n",
        "kt": "package com.example\n\nclass Service {\n",
        "yml": "environment:\n",
        "env": "# generated\n",
    }[lang]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--files", type=int, default=50000)
    ap.add_argument("--flags", type=int, default=1000)
    ap.add_argument("--kib", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = args.out
    os.makedirs(os.path.join(out, "docs"), exist_ok=True)

    flags = []
    seen = set()
    while len(flags) < args.flags:
        name = ident(rng, rng.randint(2, 3), "snake") + rng.choice(["", "_enabled", "_v2", "_rollout"])
        if name not in seen:
            seen.add(name)
            flags.append(name)
    with open(os.path.join(out, "docs", "flags.md"), "w") as f:
        f.write("# Feature flags\n\n| Flag | Owner | Default | Type | Status | Remove by | Replaced by |\n")
        f.write("|------|-------|---------|------|--------|-----------|-------------|\n")
        for name in flags:
            owner = "@" + rng.choice(WORDS)
            f.write(f"| `{name}` | {owner} | off | release | rollout | 2099-0{rng.randint(1, 9)}-1{rng.randint(0, 9)} | |\n")
    with open(os.path.join(out, ".gitignore"), "w") as f:
        f.write("dist/\nnode_modules/\n*.log\n")

    langs = [l for l, w in LANGS for _ in range(w)]
    pools = {l: [filler_line(random.Random(i * 7919 + sum(map(ord, l))), l) for i in range(4000)] for l, _ in LANGS}
    target = args.kib * 1024
    unreferenced = list(flags)
    rng.shuffle(unreferenced)
    total = 0

    def write_file(path, lang, with_refs):
        nonlocal total
        parts = [header(lang, rng)]
        size = len(parts[0])
        pool = pools[lang]
        refs = []
        if with_refs:
            for _ in range(rng.randint(1, 3)):
                flag = unreferenced.pop() if unreferenced else rng.choice(flags)
                refs.append(reference(rng, lang, flag))
        slots = sorted(rng.sample(range(1, 200), len(refs))) if refs else []
        i = 0
        while size < target:
            if slots and i == slots[0]:
                slots.pop(0)
                line = refs.pop()
            else:
                line = pool[rng.randrange(len(pool))]
            parts.append(line + "\n")
            size += len(line) + 1
            i += 1
        for r in refs:
            parts.append(r + "\n")
        if lang in ("java", "kt"):
            parts.append("}\n")
        if lang == "rb":
            parts.append("end\n")
        data = "".join(parts)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(data)
        total += len(data)

    for n in range(args.files):
        lang = langs[rng.randrange(len(langs))]
        pkg = f"pkg{n % 97:02d}"
        mod = f"mod{(n // 97) % 53:02d}"
        if lang == "env":
            path = os.path.join(out, "services", pkg, mod, f"svc{n}.env")
        elif lang == "yml":
            path = os.path.join(out, "deploy", pkg, mod, f"svc{n}.yml")
        else:
            path = os.path.join(out, "src", pkg, mod, f"file{n}.{lang}")
        # Every flag is referenced once early on; after that, one file in six.
        with_refs = bool(unreferenced) or rng.random() < 1 / 6
        write_file(path, lang, with_refs)

    # Ignored files: never searched, though full of references.
    for n in range(500):
        p = os.path.join(out, "dist", f"bundle{n}.js")
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write("".join(f'isEnabled("dist_only_flag_{i}");\n' for i in range(200)))
    # Binary files, some named like code: skipped by the NUL in their first bytes.
    for n in range(50):
        name = f"img{n}.png" if n % 2 else f"blob{n}.js"
        p = os.path.join(out, "assets", name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(rng.randrange(256) for _ in range(20000)))
            f.write(b'isEnabled("binary_only_flag");\n')
    print(f"{args.files} files, {total / 1e6:.0f} MB, {args.flags} flags in {out}")


if __name__ == "__main__":
    main()
