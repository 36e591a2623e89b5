#!/bin/sh
# Issue 10, finding 8: `kill -9` during training used to lose every loss-CSV row not yet flushed
# (steps 1-70 missing while the checkpoint had reached 70). The CSV is flushed with every
# checkpoint, so after a kill it holds at least the rows up to the checkpoint's step.
# usage: kill_keeps_loss_rows.sh EBM SCRATCH_FOLDER
set -u
ebm=$1 folder=$2
rm -rf "$folder" && mkdir -p "$folder" || exit 2
"$ebm" train --data toy:moons --arch mlp --width 8 --layers 2 --batch 16 --steps 100000000 \
  --checkpoint-every 25 --out "$folder/run.ebm" --loss-csv "$folder/loss.csv" 2>/dev/null &
pid=$!
# Until a checkpoint past step 50 exists (at most 60 s), then kill without warning.
step=0 tries=0
while [ "$step" -lt 50 ] && [ $tries -lt 600 ]; do
  sleep 0.1
  tries=$((tries + 1))
  [ -f "$folder/run.ebm" ] && step=$("$ebm" info --model "$folder/run.ebm" --json 2>/dev/null | sed -n 's/.*"step":\([0-9]*\).*/\1/p')
  step=${step:-0}
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
step=$("$ebm" info --model "$folder/run.ebm" --json | sed -n 's/.*"step":\([0-9]*\).*/\1/p')
rows=$(wc -l < "$folder/loss.csv")
last=$(tail -n 1 "$folder/loss.csv")
echo "checkpoint at step ${step:-none}, $rows loss rows, the last: $last"
# Every row up to the checkpoint, in order, none cut: the row of the checkpoint's step is whole.
[ -n "$step" ] && [ "$step" -ge 50 ] || { echo "no checkpoint past step 50 within 60 s"; exit 1; }
[ "$rows" -ge "$step" ] || { echo "rows lost: $rows rows for a checkpoint at step $step"; exit 1; }
sed -n "${step}p" "$folder/loss.csv" | grep -qE "^${step},[0-9.e+-]+,[0-9.e+-]+$" || { echo "row $step is not whole"; exit 1; }
echo "loss rows kept"
