#!/usr/bin/env bash
# The GPU half of issue 14 as one run, for a lent GPU machine that has PyTorch but no package
# archive (minutes of time, so the parts run most important first, each under its own limit):
#   build  `ebm` without Qt against the machine's PyTorch (NCCL when its headers are there)
#   1      the reference fixture's energies and input-gradient norms on the device against the
#          CPU's and the PyTorch reference's (tests/data/reference-res12-c8.json)
#   2      ebm bench --json on the device, Res12-16/32/64, in float32, tf32 and bf16
#   3      two ranks data-parallel on the device (NCCL with two GPUs, else Gloo on the one) against
#          one rank: the loss of every step
#   4      the precision's effect on the MDSM loss: the same steps of Res12-32 on Fashion-MNIST in
#          float32, tf32 and bf16
# Before: tests/gpu/pack-deps.sh on the Debian machine writes build-gpu-deps/ (the libraries and
# data the GPU machine lacks); carry it. Results: $OUT/gpu-check/ (summary.txt, JSON, CSV, logs).
# EBM_GPU_CHECK_DEVICE=cpu runs every part on the CPU against Debian's LibTorch, smaller: how the
# script is tested where there is no GPU.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
device=${EBM_GPU_CHECK_DEVICE:-cuda}
deps=${EBM_GPU_DEPS:-$root/build-gpu-deps}
build=${EBM_GPU_BUILD:-$root/build-gpu}
out=${OUT:-$root}/gpu-check
mkdir -p "$out"
: > "$out/summary.txt"
started=$SECONDS
say() { echo "[gpu-check +$((SECONDS - started))s] $*" | tee -a "$out/summary.txt"; }

if [ "$device" = cuda ]; then
  widths=16,32,64; precisions="float32 tf32 bf16"; bench_seconds=2
  pair_steps=100; precision_steps=1000; precision_width=32
else
  widths=16; precisions="float32 bf16"; bench_seconds=1
  pair_steps=10; precision_steps=30; precision_width=8
fi

# --- the machine -------------------------------------------------------------------------------
{
  date; uname -a; nvidia-smi 2>&1 | head -20
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(), "devices", torch.cuda.device_count())' 2>&1
  cmake --version | head -1; c++ --version | head -1; ldd --version | head -1; nproc
} > "$out/machine.txt" 2>&1
say "machine: $(grep -m1 -E '^torch' "$out/machine.txt" || echo 'no PyTorch in python3'); $(nproc) cores"
command -v cmake >/dev/null || { say "FAIL: no cmake on this machine; nothing can be built"; exit 1; }

# --- build -------------------------------------------------------------------------------------
torch_root=${EBM_TORCH_ROOT:-$(python3 -c 'import os, torch; print(os.path.dirname(torch.__file__))' 2>/dev/null || true)}
if [ -z "$torch_root" ] && [ -f /usr/include/torch/csrc/api/include/torch/torch.h ]; then
  torch_root=$build-debian-torch   # Debian's libtorch-dev, seen as one folder
  mkdir -p "$torch_root"
  ln -sfn /usr/include "$torch_root/include"
  ln -sfn /usr/lib/x86_64-linux-gnu "$torch_root/lib"
fi
[ -n "$torch_root" ] || { say "FAIL: no LibTorch (python3 -c 'import torch' failed and there is no libtorch-dev)"; exit 1; }
abi=$(python3 -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))' 2>/dev/null || echo 1)
configure=(-S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DEBM_BUILD_UI=OFF -DEBM_BUILD_TESTS=OFF
           -DEBM_TORCH_ROOT="$torch_root" -DEBM_TORCH_CXX11_ABI="$abi")
command -v ninja >/dev/null && configure+=(-G Ninja)
extra_includes=()
if [ -d "$deps/usr/include" ]; then
  prefix=$deps/usr; libs=$prefix/lib/x86_64-linux-gnu
  configure+=(-Dspdlog_DIR="$libs/cmake/spdlog" -Dfmt_DIR="$libs/cmake/fmt"
              -Dnlohmann_json_DIR="$prefix/share/cmake/nlohmann_json"
              -DPNG_LIBRARY="$libs/libpng16.so" -DPNG_PNG_INCLUDE_DIR="$prefix/include"
              -DZLIB_LIBRARY="$libs/libz.so" -DZLIB_INCLUDE_DIR="$prefix/include"
              -DTURBOJPEG_INCLUDE_DIR="$prefix/include" -DTURBOJPEG_LIBRARY="$libs/libturbojpeg.so")
  export LD_LIBRARY_PATH=$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  # Gloo's headers only where the LibTorch has none of its own.
  [ -f "$torch_root/include/gloo/config.h" ] || extra_includes+=("$prefix/include")
fi
# NCCL: a CUDA LibTorch, with the headers of NCCL and of the CUDA libraries its c10d headers
# include (PyTorch's nvidia-* wheels put each under nvidia/<name>/include).
nccl=OFF
if [ -e "$torch_root/lib/libtorch_cuda.so" ]; then
  site=$(dirname "$torch_root")
  for dir in "$site"/nvidia/*/include /usr/local/cuda/include; do
    [ -d "$dir" ] && extra_includes+=("$dir")
  done
  for dir in "${extra_includes[@]}"; do [ -f "$dir/nccl.h" ] && nccl=ON; done
fi
flags=""
for dir in "${extra_includes[@]}"; do flags+=" -isystem $dir"; done
build_ebm() {  # $1: ON/OFF for NCCL, $2: log name. The same flags both times, so that turning
               # NCCL off after a failure rebuilds only the distributed code.
  cmake "${configure[@]}" -DEBM_WITH_NCCL="$1" -DCMAKE_CXX_FLAGS="$flags" > "$out/configure-$2.log" 2>&1 &&
    cmake --build "$build" --target ebm -j "$(nproc)" > "$out/build-$2.log" 2>&1
}
if build_ebm "$nccl" first; then
  say "built ebm against $torch_root (NCCL $nccl) in $((SECONDS - started)) s"
elif [ "$nccl" = ON ] && build_ebm OFF without-nccl; then
  nccl=OFF
  say "built ebm against $torch_root without NCCL (the NCCL build failed: see build-first.log)"
else
  say "FAIL: the build failed; see configure-*.log and build-*.log"; tail -30 "$out"/configure-*.log "$out"/build-*.log; exit 1
fi
ebm=$(find "$build" -name ebm -type f -perm -u+x | head -1)
"$ebm" --help > /dev/null 2>&1 || { say "FAIL: the ebm built does not start: $(ldd "$ebm" | grep 'not found' | head -3)"; exit 1; }
data=$deps/fashion-mnist
[ -d "$data" ] || data=fashion-mnist

# --- 1. the reference fixture on the device -------------------------------------------------------
for d in cpu "$device"; do
  timeout 120 "$ebm" energy --device "$d" --model tests/data/reference-res12-c8.pt --input tests/data/reference-res12-c8.inputs.npy \
    --noise-std 0 --draws 1 --json > "$out/fixture-$d.json" 2> "$out/fixture-$d.log"
done
python3 - "$out" "$device" <<'PY' | tee -a "$out/summary.txt"
import json, sys
out, device = sys.argv[1], sys.argv[2]
try:
    reference = json.load(open("tests/data/reference-res12-c8.json"))
    cpu, dev = (json.load(open(f"{out}/fixture-{d}.json")) for d in ("cpu", device))
except Exception as e:
    print(f"1 fixture: FAIL, no result ({e})"); sys.exit()
def worst(a, b): return max(abs(x - y) / abs(y) for x, y in zip(a, b))
e_ref, g_ref = worst(dev["energies"], reference["energies"]), worst(dev["grad_norms"], reference["grad_norms"])
e_cpu, g_cpu = worst(dev["energies"], cpu["energies"]), worst(dev["grad_norms"], cpu["grad_norms"])
verdict = "PASS" if max(e_ref, g_ref, e_cpu, g_cpu) < 1e-4 else "FAIL"
print(f"1 fixture on {device}: {verdict}; largest relative difference: energies {e_ref:.1e} from the PyTorch reference, "
      f"{e_cpu:.1e} from the CPU; input-gradient norms {g_ref:.1e} and {g_cpu:.1e} (bound 1e-4)")
PY

# --- 2. bench in each precision ----------------------------------------------------------------------
for precision in $precisions; do
  timeout 240 "$ebm" bench --device "$device" --widths "$widths" --precision "$precision" --seconds "$bench_seconds" \
    --json > "$out/bench-$precision.json" 2> "$out/bench-$precision.log" || say "2 bench $precision: FAIL ($(tail -1 "$out/bench-$precision.log"))"
done
python3 - "$out" $precisions <<'PY' | tee -a "$out/summary.txt"
import json, sys
out = sys.argv[1]
for precision in sys.argv[2:]:
    try:
        bench = json.load(open(f"{out}/bench-{precision}.json"))
    except Exception:
        continue
    figures = ", ".join(f"{r['model']} train {r['train_s_per_step']:.4f} s/step, Langevin {r['langevin_s_per_step']:.4f} s/step"
                        for r in bench["results"])
    print(f"2 bench {precision} on {bench['device']} (torch {bench['torch']}): {figures}")
PY

# --- 3. two ranks against one ---------------------------------------------------------------------
backend=gloo
[ "$device" = cuda ] && [ "$nccl" = ON ] && [ "$(nvidia-smi -L 2>/dev/null | wc -l)" -ge 2 ] && backend=nccl
common=(train --device "$device" --data "$data" --arch res12 --width 16 --batch 128 --steps "$pair_steps"
        --checkpoint-every 0 --log-every 1000)
timeout 300 "$ebm" "${common[@]}" --out "$out/one-rank.ebm" --loss-csv "$out/one-rank.csv" > "$out/one-rank.log" 2>&1
timeout 300 "$ebm" "${common[@]}" --nproc 2 --backend "$backend" --out "$out/two-ranks.ebm" --loss-csv "$out/two-ranks.csv" \
  > "$out/two-ranks.log" 2>&1 || say "3 two ranks ($backend): FAIL ($(tail -1 "$out/two-ranks.log"))"
python3 - "$out" "$backend" <<'PY' | tee -a "$out/summary.txt"
import csv, sys
out, backend = sys.argv[1], sys.argv[2]
def losses(name):
    try:
        return [float(row[1]) for row in csv.reader(open(f"{out}/{name}.csv"))]   # step,loss,lr
    except Exception:
        return []
one, two = losses("one-rank"), losses("two-ranks")
if not one or len(one) != len(two):
    print(f"3 two ranks ({backend}): FAIL, {len(one)} steps on one rank and {len(two)} on two")
else:
    worst = max(abs(a - b) / abs(a) for a, b in zip(one, two))
    print(f"3 two ranks ({backend}) against one, {len(one)} steps: largest relative loss difference {worst:.1e} "
          f"({'PASS' if worst < 1e-3 else 'FAIL'}, bound 1e-3)")
PY

# --- 4. the precision's effect on the loss ----------------------------------------------------------
for precision in $precisions; do
  /usr/bin/env time -f "%e" -o "$out/train-$precision.seconds" timeout 400 "$ebm" train --device "$device" --data "$data" \
    --arch res12 --width "$precision_width" --steps "$precision_steps" --lr-schedule constant --checkpoint-every 0 \
    --log-every 1000 --precision "$precision" --out "$out/train-$precision.ebm" --loss-csv "$out/train-$precision.csv" \
    > "$out/train-$precision.log" 2>&1 || say "4 training in $precision: FAIL ($(tail -1 "$out/train-$precision.log"))"
done
python3 - "$out" "$precision_steps" $precisions <<'PY' | tee -a "$out/summary.txt"
import csv, sys
out, steps = sys.argv[1], int(sys.argv[2])
tail = max(1, steps // 5)
for precision in sys.argv[3:]:
    try:
        loss = [float(row[1]) for row in csv.reader(open(f"{out}/train-{precision}.csv"))]   # step,loss,lr
        seconds = float(open(f"{out}/train-{precision}.seconds").read().split()[-1])
    except Exception:
        continue
    last = loss[-tail:]
    print(f"4 {precision}: {len(loss)} steps in {seconds:.0f} s; mean loss of the last {tail} steps {sum(last) / len(last):.4f}, "
          f"first step {loss[0]:.4f}")
PY
say "done; results in $out"
