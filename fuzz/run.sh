#!/usr/bin/env bash
# Deep-fuzzes one parser with cargo-fuzz (nightly), starting from the
# repository's fixtures: fuzz/run.sh TARGET [SECONDS] (default 600).
# Crashes land in fuzz/artifacts/TARGET/; replay one with
# `cargo +nightly fuzz run TARGET fuzz/artifacts/TARGET/crash-...`.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?"usage: fuzz/run.sh migration|rollout|flag_registry|config|github_event [SECONDS]"}
seconds=${2:-600}
case "$target" in
  migration) seeds=(../fixtures/migration ../fixtures/demo/supabase) ;;
  rollout) seeds=(../fixtures/rollouts ../fixtures/demo/rollouts) ;;
  flag_registry) seeds=(../fixtures/flags ../fixtures/demo/docs) ;;
  config) seeds=(../fixtures/demo/shipgate.yml ../shipgate.example.yml) ;;
  github_event) seeds=(../tests/fixtures/github/events) ;;
  *) echo "unknown target: $target" >&2; exit 2 ;;
esac
# libFuzzer takes directories: single seed files go into the corpus.
mkdir -p "corpus/$target"
dirs=()
for s in "${seeds[@]}"; do
  if [ -d "$s" ]; then dirs+=("$s"); else cp "$s" "corpus/$target/"; fi
done
exec cargo +nightly fuzz run --sanitizer none --debug-assertions "$target" "corpus/$target" "${dirs[@]}" -- \
  -dict=shipgate.dict -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1
