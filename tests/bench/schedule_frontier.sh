#!/usr/bin/env bash
# The quality-versus-length frontier of annealing schedules on the evaluation protocol
# (docs/evaluation.md): for each schedule, `ebm eval --num 256 --seed 1 --what fid,is` at its own
# length, one JSON report per run in OUT, then a CSV of the figures.
#
#   tests/bench/schedule_frontier.sh OUT [SCHEDULE[@STEP_SIZE[@PRECISION[@SEED]]] ...]
#
# A SCHEDULE is a preset name or a curve file; by default the presets and docs/frontier/*.json;
# STEP_SIZE 0 (the default) is the schedule's own (ebm sample's default).
# SEED (default 1, the protocol's) only for judging sampling noise.
# EBM (the tool, default build/app/ebm), THREADS (default 1), MODEL (default: the bundled one).
# A run whose report exists is skipped, so an interrupted frontier continues where it stopped.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: schedule_frontier.sh OUT [SCHEDULE[@STEP_SIZE[@PRECISION[@SEED]]] ...]}
shift
ebm=${EBM:-build/app/ebm}
threads=${THREADS:-1}
model=()
[ -n "${MODEL:-}" ] && model=(--model "$MODEL")
runs=("$@")
[ ${#runs[@]} -gt 0 ] || runs=(quick fast paper paper-linear docs/frontier/*.json)
mkdir -p "$out"
for run in "${runs[@]}"; do
  IFS=@ read -r schedule step_size precision seed <<<"$run"
  step_size=${step_size:-0}   # 0: the schedule's own (0.02; the fast preset's larger one)
  precision=${precision:-float32}
  seed=${seed:-1}
  name="$(basename "$schedule" .json)@$step_size@$precision"
  [ "$seed" = 1 ] || name="$name@$seed"
  report="$out/$name.json"
  [ -s "$report" ] && continue
  echo "frontier: $name" >&2
  "$ebm" eval "${model[@]}" --num 256 --seed "$seed" --what fid,is --schedule "$schedule" --steps 0 \
      --step-size "$step_size" --precision "$precision" --threads "$threads" --json >"$report.partial"
  mv "$report.partial" "$report"
done
python3 - "$out" <<'PY'
import glob, json, os, sys
rows = []
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    r = json.load(open(path))
    s = r["sampling"]
    run = os.path.basename(path)[:-5]
    parts = run.split("@")
    label = parts[0]
    if s["step_size"] != 0.02:
        label += " eps %g" % s["step_size"]
    if parts[2] != "float32":
        label += " " + parts[2]
    if len(parts) > 3:
        label += " seed " + parts[3]
    rows.append((run, label, s["steps"], s["step_size"], s["precision"], s["threads"], s["seconds"],
                 r["fid"]["value"], r["fid"]["floor"], r["is"]["value"], r["classes"]["covered"]))
rows.sort(key=lambda row: (row[2], row[0]))
with open(os.path.join(sys.argv[1], "frontier.csv"), "w") as csv:
    csv.write("run,label,steps,step_size,precision,threads,sampling_s,fid_like,fid_floor,inception_like,classes\n")
    for row in rows:
        csv.write("%s,%s,%d,%g,%s,%d,%.1f,%.1f,%.1f,%.3f,%d\n" % row)
print(open(os.path.join(sys.argv[1], "frontier.csv")).read(), end="")
PY
