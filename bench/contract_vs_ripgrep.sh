#!/usr/bin/env bash
# The contract gate beside ripgrep on a generated repository (issue #13).
#
#   bash bench/contract_vs_ripgrep.sh [FILES] [KIB]     (default 50000 4: ~200 MB)
#
# Builds shipgate (release), generates a repository with
# bench/gen_contract_repo.py in a temporary directory (deleted on exit), gives
# it a history (commits dated from 60 days before the head that touch the
# dropped names, 20 of them inside the 14-day minimum age, and the commit
# that removed the last use of one column, 30 days ago), and a change
# (branch `feature`) whose migration drops the 20 legacy columns. Then
# times, warm (files in the page cache), best of RUNS (default 5):
#   - `shipgate check --base main --only contract`: the whole contract gate
#     (migrations, the parallel walk, prefilter, SQL and identifier scan of
#     the files that name a column, the bounded history search, rules);
#   - the same with `contract_min_age: 0` (the code search alone);
#   - `rg -w -F` for the same names (the 20 columns and their camelCase forms).
# Prints the times, the ratio shipgate / rg (target: at most 2), and how many
# commits the history search read against how many touch the names.
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=${1:-50000}
KIB=${2:-4}
RUNS=${RUNS:-5}

# shellcheck source=bench/lib.sh
. bench/lib.sh
ensure_rg

echo "== building shipgate (release)" >&2
cargo build --release --quiet
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/shipgate"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/shipgate-contract-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
REPO="$WORK/repo"

echo "== generating $FILES files (~$KIB KiB each)" >&2
python3 bench/gen_contract_repo.py "$REPO" --files "$FILES" --kib "$KIB" >&2
DROPPED=$(cat "$REPO/bench/dropped.txt")
LAST=$(tail -n 1 "$REPO/bench/dropped.txt")
rm -r "$REPO/bench"

# History: dates in seconds, the head on 2026-03-01.
HEAD_T=$(date -u -d 2026-03-01T12:00:00 +%s)
DAY=86400
g() { git -C "$REPO" -c user.name=bench -c user.email=b@b -c commit.gpgsign=false "$@"; }
commit_at() { # commit_at SECONDS MESSAGE
    local when="@$1 +0000"
    GIT_COMMITTER_DATE="$when" GIT_AUTHOR_DATE="$when" g commit -q -m "$2"
}
mkdir -p "$REPO/src/legacy" "$REPO/src/churn"
printf 'export const report = (db) => db.query(`SELECT id, %s FROM members`);\n' "$LAST" >"$REPO/src/legacy/report.ts"
g init -q -b main
g add -A
commit_at $((HEAD_T - 60 * DAY)) "init"
# 60 commits that touch the names (in comments, so they stay no reference):
# 40 between 59 and 20 days before the head, 20 within the last 14 days.
n=0
for name in $DROPPED $DROPPED $DROPPED; do
    n=$((n + 1))
    [ $n -gt 60 ] && break
    if [ $n -le 40 ]; then t=$((HEAD_T - (60 - n) * DAY)); else t=$((HEAD_T - (61 - n) * DAY / 2 - 3600)); fi
    echo "// $n: see $name" >>"$REPO/src/churn/c$((n % 7)).ts"
    g add -A
    commit_at "$t" "churn $n"
    if [ $n -eq 30 ]; then
        rm "$REPO/src/legacy/report.ts"
        g add -A
        commit_at $((t + 60)) "stop reading $LAST"
    fi
done
g checkout -q -b feature
{
    echo "SET lock_timeout = '5s';"
    for c in $DROPPED; do echo "ALTER TABLE members DROP COLUMN $c; -- MIGRATION_APPROVED: copied"; done
} >"$REPO/migrations/002_drop_legacy.sql"
g add -A
commit_at "$HEAD_T" "drop the legacy columns"
du -sh --exclude=.git "$REPO" >&2

printf 'migrations:\n  contract_min_age: 0\n' >"$WORK/no-history.yml"
printf 'migrations:\n  contract_min_age: 14d\n' >"$WORK/history.yml"
PATTERNS="$WORK/names.txt"
for c in $DROPPED; do
    echo "$c"
    python3 -c 'import sys; h, *r = sys.argv[1].split("_"); print(h + "".join(p.capitalize() for p in r))' "$c"
done >"$PATTERNS"


SG_ARGS=(check "$REPO" --base main --only contract --format json)
read -r SG SG_CPU < <(best_of "$BIN" "${SG_ARGS[@]}" --config "$WORK/history.yml")
read -r SG0 SG0_CPU < <(best_of "$BIN" "${SG_ARGS[@]}" --config "$WORK/no-history.yml")
read -r RG RG_CPU < <(best_of rg -c -w -F --no-messages --hidden -g '!.git' -f "$PATTERNS" "$REPO")

SUMMARY=$(cd "$REPO" && "$BIN" "${SG_ARGS[@]}" --config "$WORK/history.yml" | python3 -c '
import json, sys
d = json.load(sys.stdin)
f = [x for x in d["findings"] if x["rule"].startswith("contract-")]
still = sum(x["rule"] == "contract-still-referenced" for x in f)
refs = sum(len(x.get("related", [])) for x in f if x["rule"] == "contract-still-referenced")
print(d["stats"].get("contract_files", 0), d["stats"].get("contract_commits", 0), still, refs, len(f) - still)') || true
read -r FILES_READ COMMITS_READ STILL REFS SOON <<<"$SUMMARY"
RG_FILES=$(rg -l -w -F --no-messages --hidden -g '!.git' -f "$PATTERNS" "$REPO" | wc -l) || true
REGEX=$(paste -sd'|' "$PATTERNS")
TOUCHING=$(git -C "$REPO" log -G"$REGEX" --format=%H main | wc -l)
IN_WINDOW=$(git -C "$REPO" log -G"$REGEX" --since=@$((HEAD_T - 14 * DAY)) --format=%H main | wc -l)

echo
echo "corpus: $FILES files, $(du -sh --exclude=.git "$REPO" | cut -f1), 20 dropped columns, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "                                          wall     cpu"
printf 'shipgate contract gate (min age 14d)  %7.3fs %7.3fs  (%s files read; %s still referenced, %s references; %s too soon)\n' \
    "$SG" "$SG_CPU" "$FILES_READ" "$STILL" "$REFS" "$SOON"
printf 'shipgate contract gate (min age 0)    %7.3fs %7.3fs  (the code search alone)\n' "$SG0" "$SG0_CPU"
printf 'rg -w -F, the same 40 names            %7.3fs %7.3fs  (%s files match)\n' "$RG" "$RG_CPU" "$RG_FILES"
echo "ratio shipgate / rg (wall), min age 14d:  $(ratio "$SG" "$RG")"
echo "ratio shipgate / rg (wall), min age 0:    $(ratio "$SG0" "$RG")"
echo "target: at most 2.00"
echo "history: the search read $COMMITS_READ commits; $IN_WINDOW of the $TOUCHING commits that touch the names lie within the 14d minimum age"
