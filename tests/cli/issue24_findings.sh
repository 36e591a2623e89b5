#!/bin/sh
# Issue 24, findings 5, 6 and 10: inputs that have to be made first (tiny pictures, masks without
# white, schedules whose temperatures overflow, a .pt with integer weights). Makes the input of
# CASE in SCRATCH_FOLDER, runs ebm on it and prints its output (both streams) and then
# "exit status N", for the test's expression to check both.
#   issue24_findings.sh EBM FIXTURES_FOLDER SCRATCH_FOLDER CASE
# Exit status 77 (a skip) when the case needs python3 and there is none.
set -u
ebm=$1 fixtures=$2 folder=$3 case=$4
model=$fixtures/reference-res12-c8.pt
inputs=$fixtures/reference-res12-c8.inputs.npy
mkdir -p "$folder" || exit 2

# 1x1 PNGs, byte for byte (no image tool needed): gray 128, black, and pure red (RGB).
gray_png='\211\120\116\107\015\012\032\012\000\000\000\015\111\110\104\122\000\000\000\001\000\000\000\001'\
'\010\000\000\000\000\072\176\233\125\000\000\000\012\111\104\101\124\170\332\143\150\000\000\000'\
'\202\000\201\332\105\010\073\000\000\000\000\111\105\116\104\256\102\140\202'
black_png='\211\120\116\107\015\012\032\012\000\000\000\015\111\110\104\122\000\000\000\001\000\000\000\001'\
'\010\000\000\000\000\072\176\233\125\000\000\000\012\111\104\101\124\170\332\143\140\000\000\000'\
'\002\000\001\345\047\336\374\000\000\000\000\111\105\116\104\256\102\140\202'
red_png='\211\120\116\107\015\012\032\012\000\000\000\015\111\110\104\122\000\000\000\001\000\000\000\001'\
'\010\002\000\000\000\220\167\123\336\000\000\000\014\111\104\101\124\170\332\143\370\317\300\000'\
'\000\003\001\001\000\367\003\101\103\000\000\000\000\111\105\116\104\256\102\140\202'

# An exponential segment from 1e-320 (a denormal): 1 / 1e-320 overflows, and so would every
# temperature after step 300.
denormal_json='{"format": "ebm-schedule", "version": 1, "steps": 400, "points": [
 {"step": 0, "temperature": 100, "to_next": "linear"},
 {"step": 300, "temperature": 1e-320, "to_next": "exponential"},
 {"step": 400, "temperature": 1}]}'
# 2^63 steps: read as a signed number it wrapped to -1.
huge_steps_json='{"format": "ebm-schedule", "version": 1, "steps": 9223372036854775808,
 "points": [{"step": 0, "temperature": 1}]}'

# The fixture model with every weight as int64: its pickle names LongStorage instead of
# FloatStorage, and each record holds 8 bytes an element (the weights truncated to integers).
make_integer_model() {
  python3 - "$model" "$1" <<'EOF'
import struct, sys, zipfile
source, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zout:
    for name in zin.namelist():
        data = zin.read(name)
        if name.endswith("/data.pkl"):
            assert data.count(b"torch\nFloatStorage\n") == 1
            data = data.replace(b"torch\nFloatStorage\n", b"torch\nLongStorage\n")
        elif "/data/" in name:
            values = struct.unpack("<%df" % (len(data) // 4), data)
            data = struct.pack("<%dq" % len(values), *(int(v) for v in values))
        zout.writestr(name, data)
EOF
}

run() {
  "$@" 2>&1
  echo "exit status $?"
}

case $case in
tiny-picture)
  printf "$gray_png" > "$folder/tiny.png" || exit 2
  run "$ebm" energy --model "$model" --draws 1 --input "$folder/tiny.png" ;;
black-mask)
  printf "$black_png" > "$folder/black.png" || exit 2
  run "$ebm" inpaint --model "$model" --input "$inputs" --index 0 --num 1 --steps 3 --mask "$folder/black.png" \
      --out "$folder/black-inpaint.png" ;;
red-mask)
  printf "$red_png" > "$folder/red.png" || exit 2
  run "$ebm" inpaint --model "$model" --input "$inputs" --index 0 --num 1 --steps 3 --mask "$folder/red.png" \
      --out "$folder/red-inpaint.png" ;;
denormal-schedule)
  printf '%s\n' "$denormal_json" > "$folder/denormal.json" || exit 2
  run "$ebm" schedule "$folder/denormal.json" --csv ;;
denormal-schedule-sample)
  # A file of its own: the cases may run at the same time.
  printf '%s\n' "$denormal_json" > "$folder/denormal-sample.json" || exit 2
  run "$ebm" sample --model "$model" --num 1 --schedule "$folder/denormal-sample.json" --out "$folder/denormal.png" ;;
huge-steps-schedule)
  printf '%s\n' "$huge_steps_json" > "$folder/huge-steps.json" || exit 2
  run "$ebm" schedule "$folder/huge-steps.json" --csv ;;
integer-weights)
  command -v python3 > /dev/null || { echo "python3 is missing: cannot make the integer model"; exit 77; }
  make_integer_model "$folder/integer-weights.pt" || exit 2
  run "$ebm" energy --model "$folder/integer-weights.pt" --input "$inputs" --draws 1 ;;
*)
  echo "unknown case $case"
  exit 2 ;;
esac
