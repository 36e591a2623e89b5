#!/bin/sh
# Issue 24, finding 2: an output that is an input under another name (./m.pt, a symbolic link, a
# hard link), or another output under another name (a linked folder), is refused in one line with exit status 1,
# and the model is left as it was (compared byte for byte with a copy).
#   refuses_clobbering_links.sh EBM SCRATCH_FOLDER MODEL START_NPY
set -u
ebm=$1 folder=$2
rm -rf "$folder" && mkdir -p "$folder" || exit 2
cp "$3" "$folder/m.pt" && cp "$3" "$folder/original.pt" && cp "$4" "$folder/start.npy" || exit 2
cd "$folder" || exit 2
ln -s m.pt link.pt && ln m.pt hard.pt && mkdir sub && ln -s sub sublink || exit 2
# refused EXPECTED_TEXT ARGUMENTS...: ebm ARGUMENTS must print EXPECTED_TEXT and exit with status 1.
refused() {
  expected=$1
  shift
  output=$("$ebm" "$@" 2>&1)
  status=$?
  case $output in
    *"$expected"*) ;;
    *) echo "ebm $* was not refused with '$expected': $output"; exit 1 ;;
  esac
  [ "$status" = 1 ] || { echo "ebm $*: exit status $status, not 1"; exit 1; }
  echo "refused: $expected"
}
refused "ebm sample: --npy and --model name the same file (./m.pt and m.pt); choose another file for --npy" \
  sample --model m.pt --num 1 --steps 2 --out s.png --npy ./m.pt
refused "ebm energy: --csv and --model name the same file (m.pt and link.pt); choose another file for --csv" \
  energy --model link.pt --input start.npy --draws 1 --csv m.pt
refused "ebm sample: --trace and --model name the same file (hard.pt and m.pt); choose another file for --trace" \
  sample --model m.pt --num 1 --steps 2 --out s.png --trace hard.pt
refused "ebm export: --out and --model name the same file (link.pt and ./m.pt); choose another file for --out" \
  export --model ./m.pt --out link.pt --format native
# Two outputs not written yet: the same file through a linked folder.
refused "ebm sample: --npy and --out name the same file (sublink/x.png and sub/x.png); choose another file for --npy" \
  sample --model m.pt --num 1 --steps 2 --out sub/x.png --npy sublink/x.png
refused "ebm sample: --npy and --start name the same file (./start.npy and start.npy); choose another file for --npy" \
  sample --model m.pt --num 1 --steps 2 --out s.png --start start.npy --npy ./start.npy
cmp m.pt original.pt || { echo "the model was changed"; exit 1; }
[ ! -e sub/x.png ] && [ ! -e s.png ] || { echo "a refused command wrote an output"; exit 1; }
echo "inputs kept"
