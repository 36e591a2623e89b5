#!/bin/sh
# ebm sample --diagnostics on a schedule that holds T = 1 for its first 16 of 24 steps (two points
# of equal temperature): once with --json, once as the text table.
#   sample_diagnostics.sh EBM WORK_DIR
set -eu
ebm=$1
work=$2
mkdir -p "$work"
cat >"$work/hold.json" <<'CURVE'
{"format": "ebm-schedule", "version": 1, "steps": 24, "points": [
 {"step": 0, "temperature": 1, "to_next": "constant"},
 {"step": 16, "temperature": 1, "to_next": "linear"},
 {"step": 24, "temperature": 0}]}
CURVE
"$ebm" sample --num 4 --schedule "$work/hold.json" --diagnostics --json --out "$work/json.png"
"$ebm" sample --num 4 --schedule "$work/hold.json" --diagnostics --out "$work/table.png"
