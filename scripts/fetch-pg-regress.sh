#!/usr/bin/env bash
# Fetch PostgreSQL's own regression-test SQL (as vendored by libpg_query, which
# ships inside the pglast sdist on PyPI) for tests/pg_regress.rs.
#
#   scripts/fetch-pg-regress.sh [DEST]
#
# DEST defaults to target/testdata/pg_regress under the repository root.
# Idempotent: when DEST already holds a complete copy it does nothing.
# Needs python3 with pip and access to PyPI.
set -euo pipefail

PGLAST_VERSION="8.8"
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

log "downloading the pglast==$PGLAST_VERSION sdist"
if ! python3 -m pip download --quiet --no-binary :all: --no-deps "pglast==$PGLAST_VERSION" -d "$TMP/dl"; then
    log "pip download pglast==$PGLAST_VERSION failed (is PyPI reachable?)"
    exit 3
fi
SDIST=$(find "$TMP/dl" -maxdepth 1 -name "pglast-$PGLAST_VERSION.tar.gz" | head -n1)
[ -n "$SDIST" ] || { log "no pglast-$PGLAST_VERSION.tar.gz in the download"; exit 3; }

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
