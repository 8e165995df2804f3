#!/bin/bash
# Scrolling in a real terminal: the timeline shows the newest event at the
# bottom and follows new ones, but stays where the operator scrolled back
# to until G; the incident pane's cursor walks a runbook longer than the
# screen with G, g and PageDown and stays in view when the terminal
# shrinks, so Enter acts on the row the operator sees.
. "${top_srcdir:-.}/tests/fleet/lib.sh"
. "$top_srcdir/tests/tmux/lib.sh"
: "${SITREP:=$top_builddir/sitrep}"
work=$(mktemp -d)
trap '_term_cleanup; rm -rf "$work"' EXIT
export XDG_CONFIG_HOME=$work/cfg XDG_DATA_HOME=$work/data HOME=$work USER=oncall \
	SITREP_DATADIR=$top_srcdir

rb=$work/steps.md
{
	printf '# Many steps\n\n## Runbook 1: Thirty steps\n\n'
	for i in $(seq 1 30); do
		printf '%d. **Step number %d** (1 min)\n   ```bash\n   echo step-%d\n   ```\n\n' "$i" "$i" "$i"
	done
} >"$rb"
S() { "$SITREP" -H local --runbook "$rb" "$@"; }
S incident open -s P2 "Scrolling" >/dev/null
S incident runbook "Thirty steps" >/dev/null
for i in $(seq -w 1 40); do S incident note "note-$i" >/dev/null; done

term_start c 100 30 env TERM=xterm-256color "$SITREP" -H local --runbook "$rb" console
wait_screen c 15 '#1 P2' || show_screen c
on() { screen c | grep -qE -- "$1"; }
off() { ! on "$1"; }

# the timeline: the newest at the bottom
tap_ok "the timeline shows the newest note" wait_screen c 5 'note-40'
tap_ok "and not the oldest" off 'note-01'
keys c BTab PPage
back() { on 'note-3[0-4]' && off 'note-40'; }
tap_ok "PageUp in the timeline shows older notes" wait_until 5 back
notes() { screen c | grep -o 'note-[0-9]*' | tr '\n' ' '; }
before=$(notes)
S incident note "note-41" >/dev/null
sleep 3
tap_is "$(notes)" "$before" "a new note does not move what the operator reads"
keys c G
tap_ok "G: the newest, the note that came meanwhile" wait_screen c 5 'note-41'
S incident note "note-42" >/dev/null
tap_ok "at the end, a new note shows as it comes" wait_screen c 5 'note-42'
keys c g
tap_ok "g: the oldest" wait_screen c 5 'note-01'

# the incident pane: thirty steps do not fit
keys c i
keys c G
tap_ok "G in the incident pane shows the last step" wait_screen c 5 'Step number 30'
tap_ok "and its command" on 'echo step-30'
keys c k s
tap_ok "the cursor is on it: s starts step 30" wait_screen c 5 '▶ 30\. Step number 30'
keys c g
tap_ok "g: back to the triage list" wait_screen c 5 'Triage [0-9]+/'
tap_ok "the last step is out of view" off 'Step number 30'
keys c NPage NPage NPage NPage NPage
tap_ok "PageDown pages down to the last step" wait_screen c 5 'echo step-30'
tmx resize-window -t c -x 80 -y 16
sleep 0.6
tap_ok "shrunk to 80x16, the cursor's row is still in view" wait_screen c 5 'echo step-30'
keys c Enter
tap_ok "Enter asks to run a command" wait_screen c 5 'Run on local:'
# the dialog shows the command without the pane's "$ "
tap_like "$(screen c | grep -oE '[^$] echo step-[0-9]+' | head -1)" 'step-30$' \
	"the command of the row in view"
keys c Escape
keys c q
wait_screen c 3 'Quit'
keys c Enter
tap_ok "the console ends" wait_screen c 10 '__EXITED__ 0'
tap_done
