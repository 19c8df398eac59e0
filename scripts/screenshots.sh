#!/usr/bin/env bash
# Render screenshots/*.png of every view from the REAL captured artifacts in ../shared/openclaw,
# through the real pipeline (discovery -> ingest -> update -> ui::render into a TestBackend),
# written as SVG by `lanetop screenshot` and converted with rsvg-convert (DejaVu Sans Mono).
#   scripts/screenshots.sh            # 120x40, dark theme
#   COLS=80 ROWS=24 THEME=light scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
COLS=${COLS:-120} ROWS=${ROWS:-40} THEME=${THEME:-dark}
SHARED=${LANETOP_SHARED:-../shared}
if ! command -v rsvg-convert >/dev/null || ! fc-list 2>/dev/null | grep -qi "DejaVu Sans Mono"; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq librsvg2-bin fonts-dejavu-core >/dev/null
fi
cargo build --quiet
out=$(mktemp -d)
"${CARGO_TARGET_DIR:-target}/debug/lanetop" --theme "$THEME" screenshot --out "$out" --cols "$COLS" --rows "$ROWS" \
  --state-dir "$SHARED/openclaw/captured/state" --log "$SHARED/openclaw/captured/logs/openclaw.log" >/dev/null
# The healthy 2026.9.6 capture raises no alert; the legacy capture does (cron jobs bound to
# agent:main:main): take the Alerts view from there.
legacy=$(mktemp -d)
"${CARGO_TARGET_DIR:-target}/debug/lanetop" --theme "$THEME" screenshot --out "$legacy" --cols "$COLS" --rows "$ROWS" \
  --state-dir "$SHARED/openclaw/captured-legacy/state" --log "$SHARED/openclaw/captured-legacy/logs/openclaw.log" >/dev/null
cp "$legacy/alerts.svg" "$out/alerts.svg"
rm -rf "$legacy"
mkdir -p screenshots
for svg in "$out"/*.svg; do
  name=$(basename "$svg" .svg)
  rsvg-convert -o "screenshots/$name.png" "$svg"
  echo "screenshots/$name.png"
done
rm -rf "$out"
