#!/bin/sh
# ebm sweep (issue 27): a 2x2 sweep of the bundled model with a few steps a cell (its JSON report
# has four cells, its picture exists and `ebm info --image` shows the axes), the estimate alone,
# each cell's evaluation figures, and the refusals: an output onto an input, an unknown setting.
# Prints what it saw and then "exit status N", for the test's expression to check.
#   sweep.sh EBM FIXTURES_FOLDER SCRATCH_FOLDER CASE
set -u
ebm=$1 fixtures=$2 folder=$3/$4 case=$4  # a folder a case: ctest runs them side by side
mkdir -p "$folder" || exit 2

run() {
  "$@" 2>&1
  echo "exit status $?"
}

case $case in
grid)
  "$ebm" sweep --x step-size=0.01,0.02 --y steps=3,4 --num 2 --schedule quick --seed 4 --out "$folder/sweep.png" \
    --json >"$folder/report.json" 2>"$folder/log.txt"
  echo "exit status $?"
  echo "cells: $(grep -o '"mean_final_energy":[-0-9.e+]*[,}]' "$folder/report.json" | wc -l)"
  grep -o '"x":[^,]*,"y":[^,]*,"column":[0-9],"row":[0-9]' "$folder/report.json"
  grep -o '"axes":\[{[^]]*\]},{[^]]*\]}\]' "$folder/report.json"
  test -s "$folder/sweep.png" && echo "the picture exists"
  "$ebm" info --image "$folder/sweep.png" --json | grep -o '"command":"sweep"\|"samples":2,"sweep":{.*}}'
  # A line a cell on standard error, with what is left.
  grep -c 'cell [1-4]/4 (step-size = 0.0[12], steps = [34]): mean final energy [^ ]* in [0-9.]* s; about ' "$folder/log.txt"
  ;;
estimate)
  run "$ebm" sweep --x seed=1,2,3 --num 2 --schedule quick --steps 4 --out "$folder/never.png" --estimate-only
  test -e "$folder/never.png" || echo "no picture written"
  ;;
evaluate)
  # Each cell's FID-like and inception-like figures against the fixtures' four 32x32 images.
  "$ebm" sweep --x seed=1,2 --num 2 --schedule quick --steps 3 --out "$folder/evaluated.png" --json --evaluate \
    --data "$fixtures/reference-res12-c8.inputs.npy" >"$folder/report.json" 2>"$folder/log.txt"
  status=$?
  echo "exit status $status"
  [ "$status" = 0 ] || cat "$folder/log.txt"
  echo "evaluated cells: $(grep -o '"evaluation":{"features":"[^"]*","fid":{"value":[-0-9.e+]*' "$folder/report.json" | wc -l)"
  ;;
out-onto-input)
  cp "$fixtures/reference-res12-c8.pt" "$folder/model.pt" || exit 2
  run "$ebm" sweep --model "$folder/model.pt" --x seed=1,2 --num 1 --schedule quick --steps 2 --out "$folder/model.pt"
  cmp -s "$fixtures/reference-res12-c8.pt" "$folder/model.pt" && echo "the model is untouched"
  ;;
unknown-setting)
  run "$ebm" sweep --x stepsize=0.01,0.02 --num 1 --out "$folder/unknown.png"
  run "$ebm" sweep --x step-size=0.01 --y steps=0 --num 1 --out "$folder/zero-steps.png"
  ;;
*)
  echo "unknown case $case"
  exit 2
  ;;
esac
