#!/usr/bin/env bash
# The studio's first press of Sample against `ebm sample`: the same bundled model, the defaults a
# new user gets (64 samples, the default schedule, seed 1) and the same threads, alternating
# ROUNDS times. Each prints the sampling seconds it measures itself (model loading excluded):
# `ebm sample` in its closing line, the studio in its log ("sampling finished ... in X s").
#
#   tests/bench/studio_vs_cli.sh                 # ROUNDS=3, offscreen
#   QT_QPA_PLATFORM=xcb xvfb-run -s "-screen 0 1600x1000x24" tests/bench/studio_vs_cli.sh
#
# BUILD_DIR (default build), ROUNDS, PRECISION (default: the default), EXTRA (more `ebm sample` options).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIR:-build}
rounds=${ROUNDS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
precision=()
[ -n "${PRECISION:-}" ] && precision=(--precision "$PRECISION")
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
cli=() studio=()
for round in $(seq "$rounds"); do
  line=$("$build/app/ebm" sample --num 64 --seed 1 "${precision[@]}" ${EXTRA:-} --out "$work/cli.png" 2>&1 | grep 's sampling')
  cli+=("$(grep -oE '\(([0-9.]+) s sampling' <<<"$line" | grep -oE '[0-9.]+')")
  # A fresh settings folder: the studio starts with a new user's defaults and samples at once.
  rm -rf "$work/config"
  if [ -n "${PRECISION:-}" ]; then
    mkdir -p "$work/config/EBM Studio"
    printf '[sampling]\nprecision=%s\n' "$PRECISION" >"$work/config/EBM Studio/ebm-studio.ini"
  fi
  XDG_CONFIG_HOME="$work/config" "$build/ui/ebm-studio" --sample >"$work/studio.log" 2>&1 &
  pid=$!
  until grep -qE 'sampling (finished|failed|stopped)' "$work/studio.log"; do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  studio+=("$(grep -oE 'sampling finished after [0-9]+ steps in [0-9.]+ s' "$work/studio.log" | grep -oE '[0-9.]+ s$' | grep -oE '[0-9.]+' || echo failed)")
  echo "round $round: ebm sample ${cli[-1]} s, studio ${studio[-1]} s (${line#*] })" >&2
done
echo "{\"rounds\": $rounds, \"threads\": $(nproc), \"ebm_sample_s\": [$(IFS=,; echo "${cli[*]}")], \"studio_s\": [$(IFS=,; echo "${studio[*]}")]}"
