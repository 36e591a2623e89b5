#!/usr/bin/env bash
# Langevin steps of `ebm bench` (float32 and bf16) beside the reference PyTorch code's, in one
# run on the same machine and threads, alternating ROUNDS times (the machine's speed drifts).
# Needs Debian's python3-torch for the reference side (apt-get install python3-torch).
#
#   tests/bench/langevin_vs_reference.sh            # widths 16 and 64, batch 64, 2 threads
#
# WIDTHS (default 16,64), THREADS (default: the cores), ROUNDS (default 2), BUILD_DIR (build).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIR:-build}
widths=${WIDTHS:-16,64}
threads=${THREADS:-$(nproc)}
rounds=${ROUNDS:-2}
python=/usr/bin/python3
"$python" -c 'import torch' 2>/dev/null || { echo "the reference side needs Debian's python3-torch" >&2; exit 1; }
for round in $(seq "$rounds"); do
  for precision in float32 bf16; do
    "$build/app/ebm" bench --what langevin --widths "$widths" --precision "$precision" --threads "$threads" --json |
      "$python" -c 'import json, sys
r = json.load(sys.stdin)
for f in r["results"]:
    print("round %s  ebm %-8s %-9s %.4f s/step" % (sys.argv[1], r["precision"], f["model"], f["langevin_s_per_step"]))' "$round"
  done
  "$python" tests/bench/reference_langevin.py --widths "$widths" --threads "$threads" --json |
    "$python" -c 'import json, sys
r = json.load(sys.stdin)
for f in r["results"]:
    print("round %s  reference %-9s %.4f s/step (PyTorch %s)" % (sys.argv[1], f["model"], f["langevin_s_per_step"], r["torch"]))' "$round"
done
