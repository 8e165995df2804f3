#!/bin/bash
# Text reaches the terminal only through draw.c, which takes only text
# sanitize.c made (struct safe_str). A raw curses text call anywhere else,
# or a struct safe_str built by hand, would let host text past the gate:
# this test reads the sources and fails on either.
. "${top_srcdir:-.}/tests/fleet/lib.sh"

# curses calls that put text (not lines or boxes) on a window
raw='\b(mv)?w?(addn?w?str|addch|addchn?str|add_wchn?|add_wchn?str|insn?w?str|insch|ins_wch|ins_n?wstr|echochar|echo_wchar|printw)[[:space:]]*\(|\bv?w_?printw[[:space:]]*\('
# a struct safe_str forged instead of made by sanitize.c
forged='\(struct safe_str\)[[:space:]]*\{|struct safe_str[[:space:]]+[a-z_]+[[:space:]]*=[[:space:]]*\{|\.owned[[:space:]]*='

scan() {	# prints the matching lines of the files given
    grep -nE "$1" "${@:2}" /dev/null | grep -vE ':[0-9]+:[[:space:]]*(/?\*|//)'
}

cd "$top_srcdir" || exit 1
plan 6

# the patterns themselves must catch what they are for
printf '\tmvwaddstr(w, 1, 1, k->health);\n\twprintw(w, "%%s", s);\n\tmvwaddnstr(w, 0, 0, s, 3);\n' \
    > "${TMPDIR:-/tmp}/draw-grep.$$.c"
tap_is "$(scan "$raw" "${TMPDIR:-/tmp}/draw-grep.$$.c" | wc -l)" 3 \
    "the check finds mvwaddstr, wprintw and mvwaddnstr in a pane"
printf '\tdraw_text(w, 0, 0, 9, (struct safe_str){ raw, NULL }, a);\n' > "${TMPDIR:-/tmp}/draw-grep.$$.c"
tap_is "$(scan "$forged" "${TMPDIR:-/tmp}/draw-grep.$$.c" | wc -l)" 1 \
    "the check finds a struct safe_str built by hand"
rm -f "${TMPDIR:-/tmp}/draw-grep.$$.c"

files=$(ls src/*/*.c | grep -v "^src/ui/draw\.c$")
hits=$(scan "$raw" $files)
tap_is "$hits" "" "no file but src/ui/draw.c calls curses' text output"
hits=$(scan "$forged" $(ls src/*/*.c include/*.h | grep -vE "^(src/base/sanitize\.c|src/ui/draw\.c|include/sanitize\.h)$"))
tap_is "$hits" "" "struct safe_str is made only in sanitize.c (and by SAFE_LITERAL)"
hits=$(grep -nE "\bdraw_safe\b" src/*/*.c include/*.h)
tap_is "$hits" "" "no draw function takes raw text any more"
hits=$(grep -lE "\b(draw_text|draw_right|draw_rule)\(" src/*/*.c | grep -v "^src/ui/draw\.c$" |
    xargs grep -LE '#include "draw\.h"')
tap_is "$hits" "" "every file that draws includes draw.h (so the types are checked)"
tap_done
