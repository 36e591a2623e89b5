#!/bin/sh
# Issue 24, findings 1, 3 and 8: outputs that never destroy what they should not.
# - Symbolic links planted at the names a temporary file had or might have (out.pt.partial, as
#   another user could plant in /tmp) are never followed: the file they point to keeps its bytes.
# - A link at the output path stays a link; the file it points to gets the bytes.
# - A pipe as output or as input is refused in one line with exit status 1 (reading one used to
#   wait for a writer forever).
#   planted_links.sh EBM MODEL SCRATCH_FOLDER
set -u
ebm=$1 model=$2 folder=$3
rm -rf "$folder" && mkdir -p "$folder/elsewhere" || exit 2
cd "$folder" || exit 2
printf 'the victim' >elsewhere/victim || exit 2
planted="out.pt.partial .out.pt.partial out.pt.tmp .out.pt.tmp out.pt.new out.pt~"
for name in $planted; do ln -s "$folder/elsewhere/victim" "$name" || exit 2; done
fail() { echo "$1"; exit 1; }
is_zip() { [ -f "$1" ] && [ ! -L "$1" ] && [ "$(head -c 2 "$1")" = PK ]; }

# Twice: a new file, then one replaced.
for run in new replaced; do
  "$ebm" export --model "$model" --out out.pt >export.log 2>&1 || { cat export.log; fail "export ($run) failed"; }
  [ "$(cat elsewhere/victim)" = "the victim" ] || fail "the file a planted link points to was overwritten ($run)"
  is_zip out.pt || fail "out.pt is not a zip archive ($run)"
  for name in $planted; do [ -L "$name" ] || fail "$name is no longer a link ($run)"; done
  for entry in * .[!.]*; do  # no temporary left behind
    [ -e "$entry" ] || [ -L "$entry" ] || continue
    case " out.pt elsewhere export.log $planted " in
      *" $entry "*) ;;
      *) fail "left behind ($run): $entry" ;;
    esac
  done
  echo "export ($run): the victim kept, out.pt written"
done

# A link at the output path stays a link.
ln -s real.pt linked.pt || exit 2
"$ebm" export --model "$model" --out linked.pt >export.log 2>&1 || { cat export.log; fail "export to a link failed"; }
if [ ! -L linked.pt ] || [ "$(readlink linked.pt)" != real.pt ]; then fail "linked.pt is no longer a link to real.pt"; fi
is_zip real.pt || fail "real.pt, which linked.pt points to, is not a zip archive"
echo "export to a link: the link kept, its file written"

# A pipe: refused as output and as input, never opened (the timeout guards against a wait).
mkfifo pipe || exit 2
output=$(timeout 60 "$ebm" export --model "$model" --out pipe 2>&1)
status=$?
case $output in
  *"pipe: is not a regular file (a device, pipe or folder); write to a file instead"*) ;;
  *) fail "export --out pipe was not refused: $output" ;;
esac
[ "$status" = 1 ] || fail "export --out pipe: exit status $status, not 1"
[ -p pipe ] || fail "the pipe was replaced"
output=$(timeout 60 "$ebm" info --model pipe 2>&1)
status=$?
case $output in
  *"pipe: is not a regular file"*) ;;
  *) fail "info --model pipe was not refused (exit status $status): $output" ;;
esac
[ "$status" = 1 ] || fail "info --model pipe: exit status $status, not 1"
echo "pipes refused"
echo "planted links held"
