#!/bin/sh
# ebm inpaint --sampler mala (issue 25) on the bundled model: --json reports the sampler and the
# mean acceptance, a fraction in [0, 1], with each chain's; plain Langevin reports null for both.
#   inpaint_mala.sh EBM WORK_DIR
set -eu
ebm=$1
work=$2
mkdir -p "$work"
run() {  # run NAME SAMPLER: the --json line of a short inpainting run
  "$ebm" inpaint --sampler "$2" --index 0 --num 2 --mask right --schedule quick --steps 5 --json \
    --out "$work/$1.png" >"$work/$1.json"
}
run mala mala
cat "$work/mala.json"
grep -q '"sampler":"mala"' "$work/mala.json" || { echo "no \"sampler\":\"mala\" in the report"; exit 1; }
acceptance=$(grep -oE '"mean_acceptance":[0-9.e+-]+' "$work/mala.json" | sed 's/.*://')
[ -n "$acceptance" ] || { echo "no numeric mean_acceptance in the report"; exit 1; }
awk -v a="$acceptance" 'BEGIN { exit !(a >= 0 && a <= 1) }' ||
  { echo "mean_acceptance $acceptance is not in [0, 1]"; exit 1; }
chains=$(grep -oE '"chain_acceptance":\[[^]]*\]' "$work/mala.json" | sed 's/.*\[//; s/\]//' | tr ',' ' ')
[ "$(echo "$chains" | wc -w)" = 2 ] || { echo "chain_acceptance does not hold one fraction per completion: $chains"; exit 1; }
for chain in $chains; do
  awk -v a="$chain" 'BEGIN { exit !(a >= 0 && a <= 1) }' || { echo "chain acceptance $chain is not in [0, 1]"; exit 1; }
done
run langevin langevin
grep -q '"sampler":"langevin".*"mean_acceptance":null,"chain_acceptance":null' "$work/langevin.json" ||
  { cat "$work/langevin.json"; echo "langevin reports an acceptance"; exit 1; }
echo "mala inpainting: mean acceptance $acceptance in [0, 1]"
