#!/bin/sh
# Issue 24, finding 2: `ebm train --out FILE` onto an existing file is refused (exit status 1, the
# file unchanged) unless --force is given; --force replaces it, and --resume of that same file
# (spelled ./FILE) continues it.
#   train_out_exists.sh EBM SCRATCH_FOLDER
set -u
ebm=$1 folder=$2
rm -rf "$folder" && mkdir -p "$folder" || exit 2
cd "$folder" || exit 2
echo "a finished model" > run.ebm && cp run.ebm before.ebm || exit 2
tiny="--data toy:moons --arch mlp --width 8 --layers 2 --batch 16 --checkpoint-every 0"
output=$("$ebm" train $tiny --steps 3 --out run.ebm 2>&1)
status=$?
expected="ebm train: run.ebm exists; give --force to replace it, or --resume run.ebm to continue it"
case $output in *"$expected"*) ;; *) echo "not refused: $output"; exit 1 ;; esac
[ "$status" = 1 ] || { echo "refusal exit status $status, not 1"; exit 1; }
cmp run.ebm before.ebm || { echo "the refused run changed run.ebm"; exit 1; }
echo "refused without --force"
"$ebm" train $tiny --steps 3 --out run.ebm --force 2>/dev/null || { echo "--force was not accepted"; exit 1; }
"$ebm" info --model run.ebm | grep -q "steps *3 of 3" || { echo "--force did not write the model"; exit 1; }
echo "replaced with --force"
"$ebm" train --resume run.ebm --out ./run.ebm --steps 5 2>/dev/null ||
  { echo "--resume of the file was refused"; exit 1; }
"$ebm" info --model run.ebm | grep -q "steps *5 of 5" || { echo "the resumed run did not continue run.ebm"; exit 1; }
echo "resumed in place"
