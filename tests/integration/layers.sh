#!/bin/bash
# The layers of src/README.md, kept by the sources: a file includes only
# the headers of its own layer and of the layers that layer stands on, and
# only the screen layer (src/ui/) sees curses. A header belongs to the layer
# of its .c file: include/x.h to src/LAYER/x.c (or to src/LAYER/x-*.c, as
# pane.h to the panes). This test reads the sources and fails on a file
# that reaches up, on a header of no layer, and on curses outside src/ui/.
. "${top_srcdir:-.}/tests/fleet/lib.sh"

# The one table (src/README.md shows the same): a layer, then the layers
# whose headers it may include.
layers="base store fleet runbook model ui cmd"
declare -A may=(
    [base]="base"
    [store]="base store"
    [fleet]="base fleet"
    [runbook]="base fleet runbook"
    [model]="base store fleet runbook model"
    [ui]="base store fleet runbook model ui"
    [cmd]="base store fleet runbook model ui cmd"
)
curses='^[[:space:]]*#[[:space:]]*include[[:space:]]*<(n?curses|ncursesw/[a-z]+|term|panel|form|menu)\.h>'

# layer_of ROOT NAME.h: the layer of a header, or nothing
layer_of() {
    local root=$1 name=${2%.h} f
    for f in "$root"/src/*/"$name".c "$root"/src/*/"$name"-*.c; do
        [[ -e $f ]] || continue
        f=${f%/*}
        echo "${f##*/}"
        return
    done
}

# quoted_includes FILE: the headers a file includes with "" (config.h is made by configure)
quoted_includes() {
    sed -nE 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]+)".*/\1/p' "$1" |
        grep -vx 'config\.h'
}

# check_layers ROOT: prints one line per file that includes above its layer
check_layers() {
    local root=$1 f layer h hl
    for f in "$root"/src/*/*.c "$root"/src/*/*.h "$root"/include/*.h; do
        [[ -e $f ]] || continue
        if [[ $f == */include/* ]]; then
            layer=$(layer_of "$root" "${f##*/}")
            if [[ -z $layer ]]; then
                echo "${f#"$root"/}: a header of no layer (no src/LAYER/${f##*/} as .c)"
                continue
            fi
        else
            layer=${f%/*}
            layer=${layer##*/}
        fi
        for h in $(quoted_includes "$f"); do
            # a layer's internal header (src/runbook/internal.h) is its own
            [[ $f == */src/* && -e ${f%/*}/$h ]] && continue
            hl=$(layer_of "$root" "$h")
            if [[ -z $hl ]]; then
                [[ -e $root/include/$h ]] && continue    # said once, for the header itself
                echo "${f#"$root"/}: includes $h, which is no header of the tree"
            elif [[ " ${may[$layer]} " != *" $hl "* ]]; then
                echo "${f#"$root"/} ($layer): includes $h ($hl)"
            fi
        done
    done
}

# check_curses ROOT: prints one line per file outside src/ui/ that sees curses
check_curses() {
    local root=$1 f h seen more=1
    local -A cursed=()
    for f in "$root"/include/*.h; do
        [[ -e $f ]] && grep -qE "$curses" "$f" && cursed[${f##*/}]=1
    done
    while ((more)); do    # and the headers that include those
        more=0
        for f in "$root"/include/*.h; do
            [[ -e $f && -z ${cursed[${f##*/}]} ]] || continue
            for h in $(quoted_includes "$f"); do
                if [[ -n ${cursed[$h]} ]]; then
                    cursed[${f##*/}]=1
                    more=1
                fi
            done
        done
    done
    for f in "$root"/src/*/*.c; do
        [[ -e $f && $f != "$root"/src/ui/* ]] || continue
        grep -qE "$curses" "$f" && echo "${f#"$root"/}: includes curses"
        for h in $(quoted_includes "$f"); do
            [[ -n ${cursed[$h]} ]] && echo "${f#"$root"/}: includes $h, which brings curses"
        done
    done
}

plan 7

# the checks themselves must catch what they are for
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/src/store" "$t/src/model" "$t/src/ui" "$t/include"
printf '#include "console.h"\n' >"$t/src/store/store.c"
printf '#include "pane.h"\n' >"$t/src/model/console.c"
printf '#include <curses.h>\n#include "console.h"\n' >"$t/src/ui/pane-list.c"
printf '#include <curses.h>\n' >"$t/include/pane.h"
printf '#include "store.h"\n' >"$t/include/console.h"
: >"$t/include/store.h"
: >"$t/include/orphan.h"
got=$(check_layers "$t" | sort)
tap_is "$got" "include/orphan.h: a header of no layer (no src/LAYER/orphan.h as .c)
src/model/console.c (model): includes pane.h (ui)
src/store/store.c (store): includes console.h (model)" \
    "the check finds a store including a model header, the model a ui header, a header of no layer"
tap_is "$(check_curses "$t")" "src/model/console.c: includes pane.h, which brings curses" \
    "the check finds curses reached through a header outside src/ui/"

cd "$top_srcdir" || exit 1
orphans=$(check_layers . | grep 'of no layer')
tap_is "$orphans" "" "every header in include/ belongs to a layer (its .c file's)"
hits=$(check_layers . | grep -v 'of no layer' | grep '^src/')
tap_is "$hits" "" "no source file includes a header of a layer above its own"
hits=$(check_layers . | grep -v 'of no layer' | grep '^include/')
tap_is "$hits" "" "no header includes a header of a layer above its own"
tap_is "$(check_curses .)" "" "only src/ui/ includes curses, directly or through a header"

# src/README.md says the same table
missing=""
for l in $layers; do
    row="| $l | ${may[$l]// /, } |"
    grep -qF -- "$row" src/README.md || missing+="$row"$'\n'
done
tap_is "$missing" "" "src/README.md shows the same table of what each layer may include"
tap_done
