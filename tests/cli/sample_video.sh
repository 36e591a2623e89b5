#!/bin/sh
# ebm sample --video (issue 27) on the bundled model: a short run written as an MP4 and as an
# animated WebP (each file there, not empty, and of its format by its first bytes), then the
# refusals that come before any sampling: --video onto the --start input (which stays as it was),
# a .gif, and a --video-* setting without --video. Ends with "all video checks passed".
#   sample_video.sh EBM WORK_DIR
set -u
ebm=$1
work=$2
rm -rf "$work" && mkdir -p "$work" || exit 2
failed=0
fail() { echo "FAILED: $1"; failed=1; }

# One short run: 4 samples, 10 steps, a one-second video 96 pixels high.
quick() { "$ebm" sample --num 4 --schedule quick --steps 10 --video-seconds 1 --video-height 96 "$@"; }

quick --out "$work/a.png" --npy "$work/start.npy" --video "$work/run.mp4" >"$work/mp4.log" 2>&1 ||
  { cat "$work/mp4.log"; fail "the MP4 run"; }
cat "$work/mp4.log"
[ -s "$work/run.mp4" ] || fail "run.mp4 is missing or empty"
[ "$(head -c 8 "$work/run.mp4" | tail -c 4)" = ftyp ] || fail "run.mp4 does not start as an MP4 (ftyp)"
grep -q "run.mp4: 24 frames of [0-9]*x96 at 24 frames a second" "$work/mp4.log" || fail "the MP4's frames not reported"

quick --out "$work/b.png" --video "$work/run.webp" >"$work/webp.log" 2>&1 || { cat "$work/webp.log"; fail "the WebP run"; }
[ -s "$work/run.webp" ] || fail "run.webp is missing or empty"
[ "$(head -c 4 "$work/run.webp")" = RIFF ] && [ "$(head -c 12 "$work/run.webp" | tail -c 4)" = WEBP ] ||
  fail "run.webp does not start as a WebP (RIFF....WEBP)"

# Refused before sampling, in one line, with exit status 1; the input is untouched.
refused() {
  expected=$1
  shift
  quick "$@" >"$work/refusal.log" 2>&1
  status=$?
  cat "$work/refusal.log"
  [ $status -eq 1 ] || fail "exit status $status, not 1, for: $*"
  grep -qF -- "$expected" "$work/refusal.log" || fail "no \"$expected\" for: $*"
}
cp "$work/start.npy" "$work/start.copy"
refused "--video and --start name the same file" --start "$work/start.npy" --video "$work/start.npy" --out "$work/c.png"
cmp -s "$work/start.npy" "$work/start.copy" || fail "the --start input was changed"
refused "unknown video format; name the file with .mp4 or .webp" --out "$work/d.png" --video "$work/run.gif"
[ -e "$work/run.gif" ] && fail "run.gif was written"
refused "--video-fps sets the video that --video FILE writes" --out "$work/e.png" --video-fps 30

[ $failed -eq 0 ] && echo "all video checks passed"
exit $failed
