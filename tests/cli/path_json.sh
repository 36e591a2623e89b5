#!/bin/sh
# `ebm path --method neb` end to end on the bundled reference model, between two of its inputs:
# the JSON report's relaxed barrier is not above the straight line's, the CSV has a row per point,
# the PNG strip keeps its settings for `ebm info --image`, and --out onto the --from input (a
# .npy item, or a picture) is refused with that input unchanged.
#   path_json.sh EBM FIXTURES_FOLDER SCRATCH_FOLDER
set -u
ebm=$1 fixtures=$2 folder=$3
model=$fixtures/reference-res12-c8.pt
rm -rf "$folder" && mkdir -p "$folder" || exit 2
cp "$fixtures/reference-res12-c8.inputs.npy" "$folder/in.npy" || exit 2
fail() {
  echo "FAILED: $*"
  exit 1
}
points=8

"$ebm" path --model "$model" --from "$folder/in.npy:0" --to "$folder/in.npy:3" --method neb --points $points \
  --iterations 30 --precision float32 --json --out "$folder/strip.png" --csv "$folder/profile.csv" \
  >"$folder/path.json" 2>"$folder/path.log"
status=$?
cat "$folder/path.json"
[ "$status" = 0 ] || { cat "$folder/path.log"; fail "ebm path exit status $status"; }
grep -q "\"method\":\"neb\",\"points\":$points," "$folder/path.json" || fail "no method and points in the JSON"
grep -q '"relaxed":{"energies":\[' "$folder/path.json" || fail "no relaxed energies in the JSON"

# The barriers as numbers (null, for energies that are not finite, is no number).
number() {
  sed -n "s/.*\"$1\":\(-\{0,1\}[0-9][0-9.eE+-]*\)[,}].*/\1/p" "$folder/path.json"
}
line=$(number line_barrier)
relaxed=$(number relaxed_barrier)
[ -n "$line" ] && [ -n "$relaxed" ] || fail "the barriers are not numbers (line '$line', relaxed '$relaxed')"
# Within float32 rounding of the shared ends' energies.
awk -v line="$line" -v relaxed="$relaxed" \
  'BEGIN { slack = 1e-5 * (1 + (line < 0 ? -line : line)); exit !(relaxed + 0 <= line + slack) }' ||
  fail "the relaxed barrier $relaxed is above the line's $line"
echo "relaxed barrier $relaxed <= line barrier $line"

[ "$(head -n 1 "$folder/profile.csv")" = "index,line_arc_length,line_energy,relaxed_arc_length,relaxed_energy" ] ||
  fail "CSV header: $(head -n 1 "$folder/profile.csv")"
[ "$(wc -l <"$folder/profile.csv")" -eq $((points + 1)) ] || fail "the CSV has not $points rows"
echo "CSV has a row per point"

[ -s "$folder/strip.png" ] || fail "no PNG strip"
settings() { cat "$folder/settings.json"; }
"$ebm" info --image "$folder/strip.png" --json >"$folder/settings.json" 2>&1 || fail "ebm info --image: $(settings)"
grep -q '"command":"path"' "$folder/settings.json" || fail "the strip's settings do not name the command: $(settings)"
grep -q '"method":"neb"' "$folder/settings.json" && grep -q '"relaxed_barrier":' "$folder/settings.json" ||
  fail "the strip's settings lack the run: $(settings)"
echo "the strip keeps its settings"

# --out onto the --from input: refused before any work, the input unchanged.
refused=$("$ebm" path --model "$model" --from "$folder/in.npy:0" --to "$folder/in.npy:3" --out "$folder/in.npy" 2>&1)
status=$?
[ "$status" = 1 ] || fail "--out onto --from: exit status $status, not 1 ($refused)"
case $refused in *"--out and --from name the same file"*) ;; *) fail "--out onto --from not refused: $refused" ;; esac
cmp -s "$folder/in.npy" "$fixtures/reference-res12-c8.inputs.npy" || fail "the refused run changed the input"
cp "$folder/strip.png" "$folder/strip-before.png" || exit 2
refused=$("$ebm" path --model "$model" --from "$folder/strip.png" --to "$folder/in.npy:3" --out "$folder/strip.png" 2>&1)
status=$?
[ "$status" = 1 ] || fail "--out onto a picture --from: exit status $status, not 1 ($refused)"
case $refused in
*"--out and --from name the same file"*) ;;
*) fail "--out onto a picture --from not refused: $refused" ;;
esac
cmp -s "$folder/strip.png" "$folder/strip-before.png" || fail "the refused run changed the picture"
echo "--out onto --from refused, inputs kept"
echo "path checks passed"
