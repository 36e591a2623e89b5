#!/bin/sh
# ebm eval with a schedule curve file equals ebm eval with the preset it was written from, at the
# same step size (a curve file runs at the paper's 0.02 unless --step-size says otherwise):
#   eval_curve_file_equals_preset.sh EBM WORK_DIR
set -eu
ebm=$1
work=$2
mkdir -p "$work"
"$ebm" schedule --preset fast --json >"$work/fast.json"
figures() { grep -oE '"(counts|split_mean)":(\[[^]]*\]|[0-9.e+-]+)' "$1" | tr '\n' ' '; }
"$ebm" eval --num 8 --what is --json --step-size 0.03 --schedule fast >"$work/preset.json"
"$ebm" eval --num 8 --what is --json --step-size 0.03 --schedule "$work/fast.json" >"$work/file.json"
preset=$(figures "$work/preset.json")
file=$(figures "$work/file.json")
echo "preset: $preset"
echo "file:   $file"
steps=$(grep -hoE '"steps": *[0-9]+' "$work/fast.json" "$work/preset.json" "$work/file.json" | sed 's/.*: *//' | sort -u)
[ "$(echo "$steps" | wc -l)" = 1 ] || { echo "the file and the preset ran different lengths: $steps"; exit 1; }
[ -n "$preset" ] && [ "$preset" = "$file" ] && echo "same figures"
