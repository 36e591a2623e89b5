#!/bin/sh
# Issue 24, the findings after the first ten: what `ebm train --resume` refuses or takes, the lock
# against two runs on one output, the exit statuses of SIGINT and SIGTERM, the steps an
# interrupted `ebm sample` reports, and clearer messages (a legacy torch.save file, a number out
# of range, a dangling link in a picture folder). Runs CASE in SCRATCH_FOLDER and prints the
# output (both streams) and then "exit status N", for the test's expression to check.
#   resume_lock_signals.sh EBM FIXTURES_FOLDER SCRATCH_FOLDER CASE
set -u
ebm=$1 fixtures=$2 folder=$3/$4 case=$4
model=$fixtures/reference-res12-c8.pt
rm -rf "$folder" && mkdir -p "$folder" || exit 2
tiny="--data toy:moons --arch mlp --width 8 --layers 2 --batch 16 --checkpoint-every 0"

run() {
  "$@" 2>&1
  echo "exit status $?"
}

# A finished three-step run to resume.
train_tiny() {
  "$ebm" train $tiny --steps 3 --out "$folder/run.ebm" 2>/dev/null || { echo "the tiny run failed"; exit 2; }
}

# Waits (at most 60 s) until FILE holds TEXT.
wait_for() {
  tries=0
  until grep -q "$2" "$1" 2>/dev/null; do
    tries=$((tries + 1))
    [ $tries -lt 600 ] || { echo "no '$2' in $1 within 60 s"; exit 1; }
    sleep 0.1
  done
}

case $case in
resume-fixed-options)
  train_tiny
  run "$ebm" train --resume "$folder/run.ebm" --batch 8 --arch res12 --steps 5 ;;
resume-data-shape)
  train_tiny
  run "$ebm" train --resume "$folder/run.ebm" --data "$fixtures/reference-res12-c8.inputs.npy" --steps 5 ;;
resume-data-moved)
  train_tiny
  run "$ebm" train --resume "$folder/run.ebm" --data toy:rings --steps 5
  "$ebm" info --model "$folder/run.ebm" | grep -q "steps *5 of 5" && echo "resumed to step 5 on the new data" ;;
lock-and-sigterm)
  # The first run holds the lock from before its first step; the JSON step lines say it has started.
  "$ebm" train $tiny --steps 100000000 --out "$folder/locked.ebm" --progress-json > "$folder/first.jsonl" \
    2> "$folder/first.log" &
  first=$!
  wait_for "$folder/first.jsonl" '"event":"step"'
  run "$ebm" train $tiny --steps 3 --out "$folder/locked.ebm" --force
  kill -TERM $first
  wait $first
  echo "the first run after SIGTERM: exit status $?"
  [ -e "$folder/locked.ebm.lock" ] && echo "the lock file was left behind"
  "$ebm" train $tiny --steps 3 --out "$folder/locked.ebm" --force 2>/dev/null && echo "a later run takes the output" ;;
sample-sigint)
  "$ebm" sample --model "$model" --num 2 --schedule paper --out "$folder/s.png" > "$folder/sample.log" 2>&1 &
  pid=$!
  # The log exists once the background shell has set up the job (SIGINT ignored, as for every
  # background job, until ebm sets its handler): an earlier signal would kill the shell itself.
  tries=0
  until [ -e "$folder/sample.log" ] || [ $tries -ge 600 ]; do
    tries=$((tries + 1))
    sleep 0.1
  done
  sleep 0.5
  # Ctrl-C before the handler is set is ignored, so send it until the run ends.
  tries=0
  while kill -INT $pid 2>/dev/null && [ $tries -lt 600 ]; do
    tries=$((tries + 1))
    sleep 0.2
  done
  wait $pid
  status=$?
  cat "$folder/sample.log"
  echo "exit status $status" ;;
legacy-pickle)
  # The start of what torch.save wrote before PyTorch 1.6: pickle protocol 2 and torch's magic number.
  printf '\200\002\212\012\154\374\234\106\371\040\152\250\120\031\056' > "$folder/legacy.pt" || exit 2
  run "$ebm" info --model "$folder/legacy.pt" ;;
dangling-link)
  gray_png='\211\120\116\107\015\012\032\012\000\000\000\015\111\110\104\122\000\000\000\001\000\000\000\001'\
'\010\000\000\000\000\072\176\233\125\000\000\000\012\111\104\101\124\170\332\143\150\000\000\000'\
'\202\000\201\332\105\010\073\000\000\000\000\111\105\116\104\256\102\140\202'
  mkdir -p "$folder/pictures" && printf "$gray_png" > "$folder/pictures/a.png" || exit 2
  ln -s "$folder/pictures/removed.png" "$folder/pictures/gone.png" || exit 2
  run "$ebm" energy --model "$model" --draws 1 --input "$folder/pictures" ;;
*)
  echo "unknown case $case"
  exit 2 ;;
esac
