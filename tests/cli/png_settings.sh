#!/bin/sh
# Settings inside every exported picture (issue 27): what `ebm info --image` shows of a sample
# grid, `ebm sample --settings-from` repeating the run (the .npy samples compared byte for byte,
# as PNGs hold only rounded pixels), options that win over the picture's, a model that differs
# from the picture's, and a PNG from elsewhere. Prints what ebm says (both streams) and then
# "exit status N", for the test's expression to check.
#   png_settings.sh EBM FIXTURES_FOLDER SCRATCH_FOLDER CASE
set -u
ebm=$1 fixtures=$2 folder=$3/$4 case=$4  # a folder a case: ctest runs them side by side
model=$fixtures/reference-res12-c8.pt
mkdir -p "$folder" || exit 2

run() {
  "$@" 2>&1
  echo "exit status $?"
}

# The run the cases repeat: 2 samples, seed 5, a 20-step quick schedule.
sample_first() {
  "$ebm" sample --model "$model" --num 2 --seed 5 --schedule quick --steps 20 --out "$folder/a.png" \
    --npy "$folder/a.npy" >"$folder/a.log" 2>&1 || { cat "$folder/a.log"; echo "the first run failed"; exit 1; }
}

case $case in
info)
  sample_first
  run "$ebm" info --image "$folder/a.png" | tee "$folder/info.txt"
  sha=$(sha256sum "$model" | cut -c1-64)
  grep -q "\"sha256\": \"$sha\"" "$folder/info.txt" && echo "the model's SHA-256 matches sha256sum's"
  ;;
repeat)
  sample_first
  run "$ebm" sample --model "$model" --settings-from "$folder/a.png" --out "$folder/b.png" --npy "$folder/b.npy"
  cmp "$folder/a.npy" "$folder/b.npy" && echo "the same samples"
  "$ebm" info --image "$folder/a.png" --json >"$folder/a.json" && "$ebm" info --image "$folder/b.png" --json \
    >"$folder/b.json" && cmp "$folder/a.json" "$folder/b.json" && echo "the same settings"
  ;;
options-win)
  sample_first
  run "$ebm" sample --model "$model" --settings-from "$folder/a.png" --seed 6 --out "$folder/c.png" \
    --npy "$folder/c.npy"
  cmp -s "$folder/a.npy" "$folder/c.npy" || echo "other samples"
  "$ebm" info --image "$folder/c.png" | grep -E '"(seed|samples)":'
  ;;
other-model)
  sample_first
  # The bundled model, not the picture's.
  run "$ebm" sample --settings-from "$folder/a.png" --out "$folder/d.png"
  ;;
no-settings)
  # A 1x1 gray PNG, byte for byte, as another program writes one.
  printf '\211\120\116\107\015\012\032\012\000\000\000\015\111\110\104\122\000\000\000\001\000\000\000\001'\
'\010\000\000\000\000\072\176\233\125\000\000\000\012\111\104\101\124\170\332\143\150\000\000\000'\
'\202\000\201\332\105\010\073\000\000\000\000\111\105\116\104\256\102\140\202' >"$folder/plain.png"
  run "$ebm" info --image "$folder/plain.png"
  run "$ebm" sample --model "$model" --settings-from "$folder/plain.png" --out "$folder/e.png"
  ;;
*)
  echo "unknown case $case"
  exit 2
  ;;
esac
