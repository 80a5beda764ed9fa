#!/usr/bin/env bash
# Fetch PostgreSQL's own regression-test SQL (as vendored by libpg_query, which
# ships inside the pglast sdist on PyPI) for tests/pg_regress.rs.
#
#   scripts/fetch-pg-regress.sh [DEST]
#
# DEST defaults to target/testdata/pg_regress under the repository root.
# Idempotent: when DEST already holds a complete copy it does nothing.
# Needs python3 and access to PyPI's files (files.pythonhosted.org).
set -euo pipefail

PGLAST_VERSION="8.8"
PGLAST_URL="https://files.pythonhosted.org/packages/62/b2/fa8b837b58f352e5941ea7a8160121d32bad978a55538232d7890b8aaad5/pglast-8.8.tar.gz"
PGLAST_SHA256="ff9998ec6bac4f30f84db6b6edb28a0fb03b1eda5c8ad211ab8362f5a08b833b"
SRC_IN_SDIST="libpg_query/test/sql/postgres_regress"
STAMP=".fetched-from"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=${1:-"$ROOT/target/testdata/pg_regress"}

log() { printf 'fetch-pg-regress: %s\n' "$*" >&2; }

if [ -f "$DEST/$STAMP" ] && grep -q "^pglast==$PGLAST_VERSION " "$DEST/$STAMP"; then
    want=$(awk '{print $2}' "$DEST/$STAMP")
    have=$(find "$DEST" -maxdepth 1 -name '*.sql' | wc -l)
    if [ "$have" -eq "$want" ] && [ "$have" -gt 0 ]; then
        log "$DEST already has the $have files from pglast==$PGLAST_VERSION; nothing to do"
        exit 0
    fi
fi

command -v python3 >/dev/null || { log "python3 is needed"; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pg-regress.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# The sdist itself, by its PyPI address and checksum: `pip download` would
# first build pglast's build requirements (Cython) from source, minutes of CPU.
log "downloading the pglast==$PGLAST_VERSION sdist"
SDIST="$TMP/pglast-$PGLAST_VERSION.tar.gz"
if ! python3 - "$PGLAST_URL" "$PGLAST_SHA256" "$SDIST" <<'PY'
import hashlib, sys, urllib.request
url, want, dest = sys.argv[1:4]
with urllib.request.urlopen(url, timeout=120) as r:
    data = r.read()
have = hashlib.sha256(data).hexdigest()
if have != want:
    sys.exit(f"fetch-pg-regress: {url}: sha256 {have}, expected {want}")
open(dest, "wb").write(data)
PY
then
    log "downloading $PGLAST_URL failed (is PyPI reachable?)"
    exit 3
fi

tar -xzf "$SDIST" -C "$TMP"
SRC="$TMP/pglast-$PGLAST_VERSION/$SRC_IN_SDIST"
count=$(find "$SRC" -maxdepth 1 -name '*.sql' 2>/dev/null | wc -l)
[ "$count" -gt 0 ] || { log "no $SRC_IN_SDIST/*.sql in the sdist"; exit 3; }

# the stamp is written last: an interrupted copy is redone on the next run
mkdir -p "$DEST"
rm -f "$DEST/$STAMP"
cp "$SRC"/*.sql "$DEST"/
echo "pglast==$PGLAST_VERSION $count $SRC_IN_SDIST" >"$DEST/$STAMP"
log "copied $count files from pglast==$PGLAST_VERSION ($SRC_IN_SDIST) to $DEST"
