#!/usr/bin/env bash
# Regenerates docs/comment.png: the demo pull request's summary comment as a
# reviewer sees it on GitHub. The Markdown and its GFM rendering come from the
# test that checks them (tests/ci.rs,
# the_demo_comment_leads_with_the_next_step_and_groups_findings_by_file);
# this script adds GitHub-like CSS around the HTML and takes a screenshot with
# headless Chromium (Debian: apt-get install chromium fonts-noto-color-emoji).
#
# Usage: scripts/screenshot-comment.sh [OUT.png]   (default docs/comment.png)
# Environment: CHROMIUM (default chromium), WIDTH (880), HEIGHT (1016); SHIPGATE_TODAY (2026-01-15, for the date rules).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$root/docs/comment.png}
chromium=${CHROMIUM:-chromium}
width=${WIDTH:-880}
height=${HEIGHT:-1016}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$root" && SHIPGATE_TODAY=${SHIPGATE_TODAY:-2026-01-15} SHIPGATE_DEMO_COMMENT="$work" cargo test --quiet --test ci \
    the_demo_comment_leads_with_the_next_step_and_groups_findings_by_file -- --exact >&2)

{
    cat <<'HTML'
<!doctype html>
<html><head><meta charset="utf-8"><style>
body { margin: 0; padding: 16px; background: #fff; color: #1f2328;
  font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", "Liberation Sans", Helvetica, Arial, sans-serif, "Noto Color Emoji"; }
.comment { border: 1px solid #d1d9e0; border-radius: 6px; }
.header { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; border-radius: 6px 6px 0 0; padding: 8px 16px; color: #59636e; }
.header b { color: #1f2328; }
.body { padding: 16px; }
.body > :first-child { margin-top: 0; }
h3 { font-size: 1.25em; font-weight: 600; margin: 24px 0 16px; }
h4 { font-size: 1em; font-weight: 600; margin: 24px 0 16px; }
p, ul, table, details { margin: 0 0 16px; }
ul { padding-left: 2em; }
li + li { margin-top: .25em; }
a { color: #0969da; text-decoration: none; }
code { font: 85% ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
  background: rgba(129, 139, 151, .15); border-radius: 6px; padding: .2em .4em; }
summary { cursor: pointer; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; }
</style></head><body><div class="comment">
<div class="header"><b>github-actions</b> bot commented</div><div class="body">
HTML
    cat "$work/comment.html"
    echo '</div></div></body></html>'
} >"$work/page.html"

"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile" --hide-scrollbars --force-device-scale-factor=1 \
    --window-size="$width,$height" --screenshot="$work/comment.png" \
    "file://$work/page.html" >&2 2>/dev/null || true
[ -s "$work/comment.png" ] || { echo "error: chromium wrote no screenshot" >&2; exit 3; }
cp "$work/comment.png" "$out"
echo "wrote $out ($(wc -c <"$out") bytes)" >&2
