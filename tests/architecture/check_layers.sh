#!/bin/sh
# Fails when an include crosses the layering the tree shows (docs/architecture.md):
#   core: base < schedule < nn < io < train < sample < eval < toy; a folder includes only its own
#         and earlier layers, and base and schedule include no torch;
#   ui:   jobs < worker < widgets < annealing < pages < window; jobs/ includes nothing of the
#         engine; a page never includes another page or window/; page code that runs on the GUI
#         thread includes only core's base and schedule (torch stays in jobs and the worker).
# Usage: check_layers.sh SOURCE_ROOT
root=${1:-.}
cd "$root" || exit 2
failures=0
fail() { echo "layering: $1"; failures=$((failures + 1)); }

# Every quoted include of the files under $1, as "file:include".
includes() { grep -rHo '#include "[^"]*"' "$@" 2>/dev/null | sed 's/:#include "\(.*\)"/:\1/'; }

core_layers="base schedule nn io train sample eval toy"
rank() { i=0; for l in $core_layers; do [ "$l" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done; echo 99; }

for layer in $core_layers; do
    mine=$(rank "$layer")
    for entry in $(includes "core/$layer" "core/include/ebm/$layer"); do
        file=${entry%%:*}; inc=${entry#*:}
        case $inc in
            ebm/*/*) target=$(echo "$inc" | cut -d/ -f2) ;;
            */*) target=${inc%%/*} ;;
            *) continue ;;
        esac
        [ "$(rank "$target")" -gt "$mine" ] && fail "$file ($layer) includes $inc ($target comes after $layer)"
    done
done
for dir in core/base core/schedule core/include/ebm/base core/include/ebm/schedule; do
    grep -rln '#include <\(torch\|ATen\|c10\)/' "$dir" 2>/dev/null | while read -r f; do
        echo "layering: $f includes torch, which base and schedule must not"
    done | grep . && failures=$((failures + 1))
done

ui_layers="jobs worker widgets annealing pages window"
ui_rank() { i=0; for l in $ui_layers; do [ "$l" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done; echo 99; }
for layer in $ui_layers; do
    mine=$(ui_rank "$layer")
    for entry in $(includes "ui/$layer"); do
        file=${entry%%:*}; inc=${entry#*:}
        target=${inc%%/*}
        case $target in ebm) [ "$layer" = jobs ] && fail "$file: jobs/ includes the engine ($inc)"; continue ;; esac
        [ "$(ui_rank "$target")" = 99 ] && continue
        [ "$(ui_rank "$target")" -gt "$mine" ] && fail "$file ($layer) includes $inc ($target comes after $layer)"
        if [ "$layer" = pages ]; then
            page=$(echo "$file" | cut -d/ -f3)
            other=$(echo "$inc" | cut -d/ -f2)
            [ "$target" = pages ] && [ "$other" != "$page" ] && fail "$file (page $page) includes another page: $inc"
        fi
    done
done
# GUI-thread code of the pages and the window: core's base and schedule only, no torch. Jobs
# (*_job.cpp, *_jobs.cpp) run on the worker; annealing_run.h is the jobs' private torch header.
for f in $(find ui/pages ui/window ui/annealing ui/widgets -name '*.h' -o -name '*.cpp' |
           grep -v '_jobs\?\.cpp$' | grep -v '/annealing_run\.h$'); do
    grep -Ho '#include [<"]\(torch\|ATen\|c10\)/[^">]*[">]' "$f" | while read -r hit; do echo "layering: GUI code includes torch: $hit"; done | grep . &&
        failures=$((failures + 1))
    for inc in $(grep -o '#include "ebm/[^"]*"' "$f" | sed 's/#include "\(.*\)"/\1/'); do
        case $inc in ebm/base/*|ebm/schedule/*) ;; *) fail "$f is GUI code but includes $inc (only ebm/base and ebm/schedule)" ;; esac
    done
done

if [ "$failures" -gt 0 ]; then
    echo "$failures layering violation(s)"
    exit 1
fi
echo "layering holds: core (base < schedule < nn < io < train < sample < eval < toy) and ui (jobs < worker < widgets < annealing < pages < window)"
