#!/usr/bin/env bash
# Builds a statically linked Linux shipgate where no musl target is
# installed, and checks it: no dynamic dependencies, and it runs from an
# empty environment without Rust.
#
#   scripts/build-static.sh
#
# The release workflow builds the published Linux binaries for the musl
# targets; this is the same idea with what every Rust install has:
# x86_64-unknown-linux-gnu with `+crt-static` (glibc's libc.a). It builds
# into target/static (SHIPGATE_STATIC_TARGET_DIR) so normal builds are not
# disturbed, and prints the binary's path and size.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=x86_64-unknown-linux-gnu
TARGET_DIR=${SHIPGATE_STATIC_TARGET_DIR:-$ROOT/target/static}
BIN="$TARGET_DIR/$TARGET/release/shipgate"

log() { printf 'build-static: %s\n' "$*" >&2; }
fail() { log "error: $*"; exit 1; }

[ "$(uname -s)" = Linux ] || fail "this script builds a Linux binary on Linux"
[ "$(uname -m)" = x86_64 ] || fail "this script builds for x86_64"

# No OpenSSL: a static binary must not link it (TLS, when there is any, is rustls).
if (cd "$ROOT" && cargo tree --locked -e normal -i openssl-sys >/dev/null 2>&1); then
    fail "the crate depends on openssl-sys (cargo tree -i openssl-sys); use rustls"
fi

# With an explicit --target, RUSTFLAGS reach only the target's crates, not
# build scripts and proc macros (which must stay dynamic).
log "cargo build --release --locked --target $TARGET (+crt-static) into $TARGET_DIR"
(
    cd "$ROOT"
    RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
        cargo build --release --locked --target "$TARGET" --target-dir "$TARGET_DIR" --bin shipgate
)
[ -x "$BIN" ] || fail "no binary at $BIN"

ldd_out=$(ldd "$BIN" 2>&1 || true)
case "$ldd_out" in
    *"not a dynamic executable"* | *"statically linked"*) ;;
    *) fail "$BIN is dynamically linked: $ldd_out" ;;
esac
log "ldd: $(printf '%s' "$ldd_out" | tr -s '[:space:]' ' ')"

# A machine without Rust: an empty environment, a PATH without cargo or
# rustc, an empty working directory.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/shipgate-static.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
cp "$BIN" "$scratch/shipgate"
if (cd "$scratch" && env -i PATH=/usr/bin:/bin sh -c 'command -v rustc || command -v cargo') >/dev/null 2>&1; then
    log "note: rustc or cargo is in /usr/bin or /bin here; the run below still has no Rust environment"
fi
version=$(cd "$scratch" && env -i PATH=/usr/bin:/bin ./shipgate --version) || fail "--version failed in an empty environment"
log "env -i PATH=/usr/bin:/bin ./shipgate --version: $version"
# It does real work there too: the demo repository is blocked on purpose (exit 1).
cp -R "$ROOT/fixtures/demo" "$scratch/demo"
status=0
(cd "$scratch" && env -i PATH=/usr/bin:/bin ./shipgate check demo --format json >/dev/null) || status=$?
[ "$status" -eq 1 ] || fail "shipgate check on the demo exited $status in an empty environment (expected 1, blocked)"
log "env -i ... ./shipgate check demo: exit 1 (blocked, as designed)"

bytes=$(wc -c <"$BIN" | tr -d ' ')
printf 'static binary: %s\nsize: %s bytes (%s MiB)\n' "$BIN" "$bytes" "$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')"
