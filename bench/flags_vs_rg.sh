#!/usr/bin/env bash
# The flag gate beside ripgrep on a generated repository.
#
#   bash bench/flags_vs_rg.sh [FILES] [FLAGS] [KIB]     (default 50000 1000 10: ~500 MB)
#
# Builds shipgate (release), generates a repository with
# bench/gen_flags_repo.py in a temporary directory (deleted on exit), then
# times, warm (files in the page cache), best of RUNS (default 5):
#   - `shipgate check --only flags --format json`: the whole flag gate
#     (registry, parallel walk, search, rules, report);
#   - `rg` with the same built-in reference patterns (read from
#     docs/flag-registry.md), in multiline mode (`-U`, as shipgate matches:
#     `\s` crosses lines), and in rg's default line mode for reference.
# Prints the times and the ratio shipgate / rg. The target is at most 2x.
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=${1:-50000}
FLAGS=${2:-1000}
KIB=${3:-10}
RUNS=${RUNS:-5}

# shellcheck source=bench/lib.sh
. bench/lib.sh
ensure_rg

echo "== building shipgate (release)" >&2
cargo build --release --quiet
BIN="$PWD/target/release/shipgate"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/shipgate-flags-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
REPO="$WORK/repo"

echo "== generating $FILES files (~$KIB KiB each) and $FLAGS flags" >&2
python3 bench/gen_flags_repo.py "$REPO" --files "$FILES" --flags "$FLAGS" --kib "$KIB" >&2
git -C "$REPO" init -q
du -sh --exclude=.git "$REPO" >&2

# The built-in patterns, exactly as docs/flag-registry.md lists them.
PATTERNS="$WORK/patterns.txt"
awk '/^   ```regex$/ {grab=1; next} grab {sub(/^   /, ""); print; grab=0}' docs/flag-registry.md >"$PATTERNS"
echo "== $(wc -l <"$PATTERNS") patterns" >&2


export SHIPGATE_TODAY=2026-01-01
# The SDK-call patterns alone (each with a literal prefix): rg at its fastest.
CALLS="$WORK/calls.txt"
head -n 8 "$PATTERNS" >"$CALLS"
read -r SG SG_CPU < <(best_of "$BIN" check "$REPO" --only flags --format json)
read -r RG_U RG_U_CPU < <(best_of rg -U --no-messages --hidden -c -f "$PATTERNS" "$REPO")
read -r RG_L RG_L_CPU < <(best_of rg --no-messages --hidden -c -f "$PATTERNS" "$REPO")
read -r RG_C RG_C_CPU < <(best_of rg -U --no-messages --hidden -c -f "$CALLS" "$REPO")

# What each found, as a sanity check.
FINDINGS=$("$BIN" check "$REPO" --only flags --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["stats"]["flags"], "flags,", len(d["findings"]), "findings")')
MATCHES=$(rg -U --no-messages --hidden -c -f "$PATTERNS" "$REPO" | awk -F: '{s+=$NF} END {print s}')

echo
echo "corpus: $FILES files, $(du -sh --exclude=.git "$REPO" | cut -f1), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "                                   wall     cpu"
printf 'shipgate check --only flags    %7.3fs %7.3fs  (%s)\n' "$SG" "$SG_CPU" "$FINDINGS"
printf 'rg -U, same patterns           %7.3fs %7.3fs  (%s matching lines)\n' "$RG_U" "$RG_U_CPU" "$MATCHES"
printf 'rg, same patterns, line mode   %7.3fs %7.3fs\n' "$RG_L" "$RG_L_CPU"
printf 'rg -U, SDK-call patterns only  %7.3fs %7.3fs\n' "$RG_C" "$RG_C_CPU"
echo "ratio shipgate / rg -U (wall):             $(ratio "$SG" "$RG_U")"
echo "ratio shipgate / rg line mode (wall):      $(ratio "$SG" "$RG_L")"
echo "ratio shipgate / rg SDK-call only (wall):  $(ratio "$SG" "$RG_C")"
echo "target: at most 2.00"
