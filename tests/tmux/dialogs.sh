#!/bin/bash
# Every dialog of the console in a real terminal: the note, the severity
# and milestone menus, a step's end, resolving, each recorded once it is
# confirmed and nothing recorded when Esc cancels. A dialog is a mode of
# the console's one loop: while one waits for the operator, the clocks
# keep running and the fleet keeps being read.
. "${top_srcdir:-.}/tests/fleet/lib.sh"
. "$top_srcdir/tests/tmux/lib.sh"
: "${SITREP:=$top_builddir/sitrep}"
command -v jq >/dev/null || tap_skip_all "jq is not installed"
work=$(mktemp -d)
trap '_term_cleanup; rm -rf "$work"' EXIT
export XDG_CONFIG_HOME=$work/cfg XDG_DATA_HOME=$work/data HOME=$work USER=oncall
show() { "$SITREP" incident show --json; }
rb=$work/drill.md
cat >"$rb" <<'MD'
# Dialog drill

## Runbook 1: Dialog drill

1. **Look around** (5 min)
   ```bash
   true
   ```
MD
plan 17

term_start c 120 40 env TERM=xterm-256color "$SITREP" -H local --runbook "$rb" console
wait_screen c 15 'sitrep' || show_screen c
keys c i
wait_screen c 5 'Open an incident' || show_screen c
keys c 'Dialog drill' Enter
tap_ok "the incident form opens an incident" wait_screen c 5 '#1 P1'

keys c n
tap_ok "n opens the note prompt" wait_screen c 3 'Note'
t1=$(screen c | grep -oE 'T\+[0-9:]+' | head -1)
sleep 3
t2=$(screen c | grep -oE 'T\+[0-9:]+' | head -1)
tap_ok "while the prompt waits, the incident clock runs ($t1, then $t2)" test -n "$t1" -a "$t1" != "$t2"
keys c 'checked the logs' Enter
tap_ok "Enter records the note" wait_screen c 5 'checked the logs'
tap_like "$(show | jq -r '.timeline[].text')" 'checked the logs' "the note is in the store"

keys c n
wait_screen c 3 'Note' || show_screen c
keys c 'not this one' Escape
sleep 1
tap_not "Esc cancels the note: nothing is recorded" sh -c "\"$SITREP\" incident show --json | grep -q 'not this one'"

keys c p
tap_ok "p opens the severity menu" wait_screen c 3 'Severity'
keys c j Enter
tap_ok "choosing P2 changes the severity" wait_screen c 5 '#1 P2'
tap_like "$(show | jq -c '.')" '"severity":"?P?2' "the new severity is in the store"

keys c m
tap_ok "m opens the milestone menu" wait_screen c 3 'Milestone reached now'
keys c Enter
tap_like "$(sleep 1; show | jq -r '.milestones.mitigated')" '^20' "Enter records the milestone reached now"

keys c R
wait_screen c 5 'Dialog drill' || show_screen c
keys c Enter
wait_screen c 5 'Runbook: Dialog drill' || show_screen c
keys c s
wait_screen c 5 '1\. Look around' || show_screen c
keys c f
tap_ok "f asks for the step's note" wait_screen c 3 'note \(optional\)'
keys c 'no luck' Enter
tap_like "$(sleep 1; show | jq -r '.timeline[].text')" 'failed' "the step's end is recorded as failed"

keys c z
tap_ok "z opens the resolve form" wait_screen c 3 'Resolve the incident'
keys c 'fixed by waiting' Enter
tap_ok "Enter resolves the incident" wait_screen c 5 'resolved'
tap_is "$("$SITREP" incident show -i 1 --json | jq -r '.status')" resolved \
    "the incident is resolved in the store"

keys c q
tap_ok "with no incident open, q quits at once" wait_screen c 15 '__EXITED__ 0'
tap_done
