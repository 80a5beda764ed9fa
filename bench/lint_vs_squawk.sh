#!/usr/bin/env bash
# Benchmark, not a test: `shipgate lint` against squawk on the same generated
# corpus of PostgreSQL migrations.
#
#   bench/lint_vs_squawk.sh
#
# Environment:
#   SHIPGATE_BIN   shipgate binary (default target/release/shipgate; build it
#                  first with `cargo build --release`)
#   CORPUS_FILES   number of migration files to generate (default 3000)
#   CORPUS_SEED    generator seed (default 1)
#   KEEP_CORPUS=1  keep the generated corpus and print where it is
#   RUNS           timed runs of each tool, alternating (default 3)
#
# Each tool runs once as a warm-up, then RUNS times timed, through
# /usr/bin/time -v (wall clock measured around it with nanosecond resolution;
# user+sys CPU time and peak RSS from time's report). The medians are
# reported: on a shared machine the wall time is noisy, CPU time and RSS less. Both tools exit 1 when they find problems: expected here.
# Targets: shipgate's wall time at most half of squawk's (ratio
# squawk/shipgate >= 2), and its peak RSS no higher than squawk's.
# The script exits 0 whether or not the target is met; it exits non-zero only
# when the benchmark itself could not run.
set -euo pipefail

SQUAWK_SERIES="2.70"
TARGET_RATIO="2.0"

cd "$(dirname "$0")/.."
ROOT=$PWD
SHIPGATE_BIN=${SHIPGATE_BIN:-target/release/shipgate}
CORPUS_FILES=${CORPUS_FILES:-3000}
CORPUS_SEED=${CORPUS_SEED:-1}
RUNS=${RUNS:-3}

log() { printf '%s\n' "$*" >&2; }
die() { log "lint_vs_squawk: $*"; exit 2; }

case $SHIPGATE_BIN in /*) ;; *) SHIPGATE_BIN="$ROOT/$SHIPGATE_BIN" ;; esac
[ -x "$SHIPGATE_BIN" ] || die "no shipgate binary at $SHIPGATE_BIN (run \`cargo build --release\` or set SHIPGATE_BIN)"
command -v python3 >/dev/null || die "python3 is needed to generate the corpus"

# ---- /usr/bin/time ----------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
    log "installing the Debian package 'time' (for /usr/bin/time -v)"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq >/dev/null 2>&1 || true
    $SUDO apt-get install -y -qq time >/dev/null || die "could not install the 'time' package"
fi

# ---- squawk -----------------------------------------------------------------
find_squawk() {
    hash -r
    if command -v squawk >/dev/null 2>&1; then
        command -v squawk
        return 0
    fi
    local scripts
    scripts=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))' 2>/dev/null || true)
    for d in "$scripts" "$HOME/.local/bin"; do
        if [ -n "$d" ] && [ -x "$d/squawk" ]; then
            echo "$d/squawk"
            return 0
        fi
    done
    return 1
}

if ! SQUAWK=$(find_squawk); then
    log "squawk not found; looking up squawk-cli $SQUAWK_SERIES.x on PyPI"
    versions=$(python3 -m pip index versions squawk-cli 2>/dev/null | sed -n 's/^Available versions: //p')
    [ -n "$versions" ] || die "could not list squawk-cli versions (pip index versions squawk-cli)"
    pick=$(printf '%s\n' "$versions" | tr ',' '\n' | tr -d ' ' | grep -E "^${SQUAWK_SERIES//./\\.}\.[0-9]+$" \
        | sort -t. -k3,3n | tail -n1 || true)
    [ -n "$pick" ] || die "no squawk-cli $SQUAWK_SERIES.x on PyPI (available: $versions)"
    log "installing squawk-cli==$pick"
    python3 -m pip install --quiet "squawk-cli==$pick" || die "pip install squawk-cli==$pick failed"
    SQUAWK=$(find_squawk) || die "squawk-cli installed but no squawk executable found on PATH"
fi
SQUAWK_VERSION=$("$SQUAWK" --version 2>/dev/null | awk '{print $NF}')
case $SQUAWK_VERSION in
    "$SQUAWK_SERIES".*) ;;
    *) log "warning: squawk $SQUAWK_VERSION found at $SQUAWK; the reference numbers are for $SQUAWK_SERIES.x" ;;
esac

# ---- corpus -----------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/shipgate-bench.XXXXXX")
if [ "${KEEP_CORPUS:-0}" = 1 ]; then
    trap 'log "corpus kept in $WORK"' EXIT
else
    trap 'rm -rf "$WORK"' EXIT
fi
python3 "$ROOT/bench/gen_corpus.py" "$WORK/corpus" --files "$CORPUS_FILES" --seed "$CORPUS_SEED"
MIGRATIONS="$WORK/corpus/supabase/migrations"
NFILES=$(find "$MIGRATIONS" -maxdepth 1 -name '*.sql' | wc -l)
[ "$NFILES" -ge "$CORPUS_FILES" ] || die "generator wrote $NFILES files, expected $CORPUS_FILES"

# Both tools run from inside the corpus, so neither picks up a configuration
# file (shipgate.yml, .squawk.toml) from this repository. squawk gets a quoted
# glob and expands it itself: no argument-list limit however big the corpus.
SHIPGATE_CMD=("$SHIPGATE_BIN" lint --format json supabase/migrations)
SQUAWK_CMD=("$SQUAWK" --reporter json 'supabase/migrations/*.sql')

# run_timed NAME CMD... : sets <NAME>_WALL (s), <NAME>_CPU (user+sys s), <NAME>_RSS (MB), <NAME>_EXIT
run_timed() {
    local name=$1
    shift
    local tfile="$WORK/time.$name" t0 t1 rc
    t0=$(date +%s.%N)
    set +e
    (cd "$WORK/corpus" && /usr/bin/time -v -o "$tfile" "$@" >/dev/null 2>"$WORK/stderr.$name")
    rc=$?
    set -e
    t1=$(date +%s.%N)
    local wall rss_kb
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    rss_kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$tfile")
    printf -v "${name}_CPU" '%s' "$(awk -F': ' '/User time|System time/ { t += $2 } END { printf "%.2f", t }' "$tfile")"
    printf -v "${name}_WALL" '%s' "$wall"
    printf -v "${name}_RSS" '%s' "$(awk -v k="${rss_kb:-0}" 'BEGIN { printf "%.1f", k / 1024 }')"
    printf -v "${name}_EXIT" '%s' "$rc"
}

check_exit() {
    local name=$1 rc=$2
    # 0: nothing found, 1: findings (expected on this corpus); anything else
    # (usage error, could-not-evaluate, crash, signal) makes the timing meaningless.
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        log "$name exited $rc; stderr:"
        tail -n 20 "$WORK/stderr.$name" >&2 || true
        die "$name did not run properly"
    fi
}

CORES=$(nproc 2>/dev/null || echo 1)
LOAD=$(awk '{print $1}' /proc/loadavg 2>/dev/null || echo 0)
if awk -v l="$LOAD" -v c="$CORES" 'BEGIN { exit !(l > c / 2) }'; then
    log "warning: load average $LOAD on $CORES cores: other work is running, timings will be noisy"
fi

log "warm-up runs ($NFILES files)"
run_timed warm_shipgate "${SHIPGATE_CMD[@]}"
check_exit shipgate "$warm_shipgate_EXIT"
run_timed warm_squawk "${SQUAWK_CMD[@]}"
check_exit squawk "$warm_squawk_EXIT"

# median VALUE... : the middle value (the upper one of an even count)
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int(NR / 2) + 1] }'; }

log "timed runs ($RUNS of each tool)"
declare -A SERIES
for ((run = 1; run <= RUNS; run++)); do
    for tool in shipgate squawk; do
        if [ "$tool" = shipgate ]; then
            run_timed one "${SHIPGATE_CMD[@]}"
        else
            run_timed one "${SQUAWK_CMD[@]}"
        fi
        check_exit "$tool" "$one_EXIT"
        for m in WALL CPU RSS; do
            v="${tool}_$m"
            one="one_$m"
            SERIES[$v]="${SERIES[$v]:-} ${!one}"
        done
        printf -v "${tool}_EXIT" '%s' "$one_EXIT"
    done
done
for v in "${!SERIES[@]}"; do
    # shellcheck disable=SC2086 # the series is a list of numbers
    printf -v "$v" '%s' "$(median ${SERIES[$v]})"
done

# ---- sanity: both tools really read the corpus (not timed) ------------------
set +e
(cd "$WORK/corpus" && "${SHIPGATE_CMD[@]}" >"$WORK/shipgate.json" 2>/dev/null)
set -e
read -r SG_FILES SG_STMTS SG_UNPARSED < <(python3 -c '
import json, sys
try:
    s = json.load(open(sys.argv[1])).get("stats", {})
    print(s.get("migration_files", "?"), s.get("statements", "?"), s.get("unparsed_statements", "?"))
except Exception:
    print("? ? ?")' "$WORK/shipgate.json")
SQ_FILES=$(cd "$WORK/corpus" && "$SQUAWK" 'supabase/migrations/*.sql' 2>&1 | sed -n 's/.*checked \([0-9][0-9]*\) source file.*/\1/p' | tail -n1 || true)
SQ_SYNTAX=$(cd "$WORK/corpus" && "${SQUAWK_CMD[@]}" 2>/dev/null | python3 -c '
import json, sys
try:
    print(sum(1 for v in json.load(sys.stdin) if v.get("rule_name") == "syntax-error"))
except Exception:
    print("?")' || true)

# ---- report -----------------------------------------------------------------
RATIO=$(awk -v s="$squawk_WALL" -v g="$shipgate_WALL" 'BEGIN { if (g > 0) printf "%.2f", s / g; else print "inf" }')
VERDICT=$(awk -v r="$RATIO" -v t="$TARGET_RATIO" 'BEGIN { print (r == "inf" || r + 0 >= t + 0) ? "met" : "NOT met" }')
RSS_VERDICT=$(awk -v g="$shipgate_RSS" -v s="$squawk_RSS" 'BEGIN { print (g + 0 <= s + 0) ? "met" : "NOT met" }')

echo
echo "lint benchmark: $NFILES migration files (seed $CORPUS_SEED), medians of $RUNS timed runs after one warm-up;" \
    "load average before: $LOAD on $CORES cores"
printf '%-24s %10s %10s %13s %7s %6s\n' "tool" "wall s" "CPU s" "peak RSS MB" "files" "exit"
printf '%-24s %10s %10s %13s %7s %6s\n' "shipgate $("$SHIPGATE_BIN" --version 2>/dev/null | awk '{print $NF}')" \
    "$shipgate_WALL" "$shipgate_CPU" "$shipgate_RSS" "${SG_FILES:-?}" "$shipgate_EXIT"
printf '%-24s %10s %10s %13s %7s %6s\n' "squawk $SQUAWK_VERSION" "$squawk_WALL" "$squawk_CPU" "$squawk_RSS" \
    "${SQ_FILES:-?}" "$squawk_EXIT"
echo
echo "squawk_time / shipgate_time = $RATIO  (target: shipgate at least ${TARGET_RATIO}x faster: $VERDICT)"
echo "peak RSS: shipgate $shipgate_RSS MB, squawk $squawk_RSS MB  (target: no higher than squawk's: $RSS_VERDICT)"
echo "shipgate counted ${SG_STMTS:-?} statements, ${SG_UNPARSED:-?} unparsed; squawk syntax errors on the corpus: ${SQ_SYNTAX:-?}"
if [ "${SQ_SYNTAX:-0}" != "0" ] && [ "${SQ_SYNTAX:-?}" != "?" ]; then
    echo "warning: squawk reported syntax errors, so it skipped part of the corpus; fix bench/gen_corpus.py"
fi
