# Shared by the benchmarks that compare shipgate with ripgrep: source it.

# ensure_rg: installs ripgrep with apt when it is missing.
ensure_rg() {
    if ! command -v rg >/dev/null 2>&1; then
        echo "== installing ripgrep" >&2
        if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
        $SUDO apt-get update -qq && $SUDO apt-get install -y -qq ripgrep >/dev/null
    fi
}

# best_of CMD...: "WALL CPU", the best wall time of RUNS runs (after one
# warm-up) and the CPU time (user + system) of that run, in seconds.
best_of() {
    python3 - "${RUNS:-5}" "$@" <<'PY'
import os, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
def once():
    before = os.times()
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = os.times()
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)
once()
print("%.3f %.3f" % min(once() for _ in range(runs)))
PY
}

# ratio A B: A / B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
