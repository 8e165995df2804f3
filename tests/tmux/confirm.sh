#!/bin/bash
# The operator confirms exactly what runs: a runbook command of about 3000
# bytes, in an 80x24 terminal, is shown whole in the confirmation, wrapped
# at column boundaries (never cut, never ellipsized). Enter is refused until
# the end has been on the screen; once it has, Enter runs it, and the
# command stored for the incident is the runbook's, byte for byte.
. "${top_srcdir:-.}/tests/fleet/lib.sh"
. "$top_srcdir/tests/tmux/lib.sh"
: "${SITREP:=$top_builddir/sitrep}"
command -v jq >/dev/null || tap_skip_all "jq is not installed"
work=$(mktemp -d)
trap '_term_cleanup; rm -rf "$work"' EXIT
export XDG_CONFIG_HOME=$work/cfg XDG_DATA_HOME=$work/data HOME=$work USER=oncall

# the command: words, then a marker at its very end
cmd="echo"
for i in $(seq -w 1 340); do cmd+=" word-$i"; done
cmd+=" END-OF-THE-COMMAND"
printf '%s' "$cmd" >"$work/want"
rb=$work/long.md
cat >"$rb" <<MD
# Long command

## Runbook 1: Long command drill

1. **Run the long one** (5 min)
   \`\`\`bash
   $cmd
   \`\`\`
MD
plan 12
tap_ok "the runbook's command is about 3000 bytes (${#cmd})" test "${#cmd}" -ge 3000

term_start c 80 24 env TERM=xterm-256color "$SITREP" -H local --runbook "$rb" console
wait_screen c 15 'sitrep' || show_screen c
keys c i
wait_screen c 5 'Open an incident' || show_screen c
keys c 'Long one' Enter
wait_screen c 5 '#1 P' || show_screen c
keys c R
wait_screen c 5 'Long command drill' || show_screen c
keys c Enter
wait_screen c 5 'Runbook: Long command drill' || show_screen c
keys c s
sleep 0.5
keys c j Enter
tap_ok "Enter on the command asks first" wait_screen c 5 'Run on local:'
tap_like "$(screen c)" 'scroll to the end to confirm' "the hint says the end must be seen first"
tap_not "nothing is ellipsized" sh -c "tmux -L $TMUX_SOCKET -f /dev/null capture-pane -p -t c | grep -q '…'"

keys c Enter
tap_ok "Enter before the end is refused" wait_screen c 3 'scroll to the end to confirm: nothing was run'
sleep 1
tap_is "$("$SITREP" incident show --json | jq '.commands | length')" 0 "and nothing ran or was recorded"

# scroll one row at a time, collecting each row of the dialog by its number
declare -A rows
total=0
for (( k = 0; k < 200; k++ )); do
	s=$(screen c)
	pos=$(grep -oE ' [0-9]+-[0-9]+ of [0-9]+ ' <<<"$s" | head -1)
	[[ -n $pos ]] || break
	read -r first last total < <(sed -E 's/ ([0-9]+)-([0-9]+) of ([0-9]+) /\1 \2 \3/' <<<"$pos")
	# the body: screen rows 4.., text from column 5, 72 columns (dialog 76 wide at x=2)
	mapfile -t lines < <(sed -n "4,$((4 + last - first))p" <<<"$s")
	for (( r = 0; r <= last - first; r++ )); do
		line=${lines[r]}
		rows[$((first + r))]=${line:4:72}
	done
	(( last >= total )) && break
	keys c Down
	wait_screen c 3 " $((first + 1))-$((last + 1)) of $total " || break
done
shown=""
for (( r = 1; r <= total; r++ )); do shown+="${rows[$r]}"$'\n'; done
# the command's rows: from "  echo" to the end marker, joined as they wrap
# (each row is taken 72 columns wide, so a space at a wrap is kept)
printf '%s' "$shown" | sed -n '/^  echo /,/END-OF-THE-COMMAND/p' | awk '{ printf "%s", $0 }' |
	sed -E 's/^  //; s/ +$//' >"$work/shown"
tap_ok "scrolled through, the dialog showed the whole command, $total rows" cmp "$work/want" "$work/shown"

tap_ok "at the end the hint says Enter confirms" wait_screen c 3 'Enter or y confirms'
keys c Enter
tap_ok "then Enter runs it" wait_screen c 10 'Output on local: done, exit 0'
"$SITREP" incident show --json | jq -j '.commands[0].command' >"$work/stored"
tap_ok "the stored command is the runbook's, byte for byte" cmp "$work/want" "$work/stored"
tap_like "$("$SITREP" incident show --json | jq -r '.commands[0].output')" 'word-340 END-OF-THE-COMMAND$' \
	"its output shows the end of the command ran"
keys c q
wait_screen c 3 'An incident is open' || show_screen c
keys c Enter
tap_ok "the console quits cleanly" wait_screen c 10 '__EXITED__ 0'
tap_done
