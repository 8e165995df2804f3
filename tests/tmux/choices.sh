#!/bin/bash
# A runbook command with a <container> placeholder, run from the console
# against the real fleet: the console offers the host's own container names
# (from its last report) as choices, a chosen name runs as one word, and
# "another value" still lets the operator type one (inserted as data).
. "${top_srcdir:-.}/tests/fleet/lib.sh"
. "$top_srcdir/tests/tmux/lib.sh"
: "${SITREP:=$top_builddir/sitrep}"

fleet_up 1
trap '_term_cleanup; _fleet_cleanup' EXIT

work=$FLEET_DIR/sitrep
mkdir -p "$work"
export XDG_CONFIG_HOME=$work/cfg XDG_DATA_HOME=$work/data SITREP_DATADIR=$top_srcdir USER=oncall
db=$XDG_DATA_HOME/sitrep/sitrep.db
conf=$work/sitrep.conf
sitrep_conf "$conf" 3
cat >>"$conf" <<CONF
host h1
CONF
rb=$top_srcdir/tests/data/console/choose.md
sql() { sqlite3 "$db" "$1"; }

"$SITREP" -c "$conf" incident open -s P2 "choices" >/dev/null
"$SITREP" -c "$conf" --runbook "$rb" incident runbook "Look at one container" >/dev/null
tap_is "$(sql "select runbook_title from incident")" "Look at one container" "the incident has the runbook"

term_start c 140 45 env TERM=xterm-256color "$SITREP" -c "$conf" --runbook "$rb"
tap_ok "the console is up with h1's report" wait_screen c 20 '(OK|WARN|CRIT) +h1 '
keys c i
tap_ok "i shows the incident with its runbook" wait_screen c 5 'Runbook: Look at one container'
# the runbook came from the command line: down past the triage list to its step
keys c NPage NPage NPage k s
tap_ok "s starts the step" wait_screen c 5 '1\. Name the container \(1m00s\) .*00:00:0[0-9] /'
keys c j Enter
tap_ok "the placeholder asks with the host's names" wait_screen c 5 'Value needed: <container>'
menu=$(screen c)
for name in web bot job; do
	tap_like "$menu" "$name" "h1's container $name is offered"
done
tap_like "$menu" 'another value \(type it\)' "and another value can be typed"
# the menu's rows, in the order the host listed its containers; down to web
items=$(sed -nE 's/^ *│ (web|bot|job|another value)( .*|$)/\1/p' <<<"$menu")
pos=$(grep -n '^web$' <<<"$items" | cut -d: -f1)
for ((i = 1; i < ${pos:-1}; i++)); do keys c Down; done
keys c Enter
tap_ok "the confirmation shows the chosen name in the command" \
	wait_screen c 5 "docker inspect --format '\{\{.Name\}\} \{\{.State.Status\}\}' web"
keys c Enter
tap_ok "it runs on h1" wait_screen c 20 'Output on h1: done, exit 0'
tap_like "$(sql "select output from command_run where command like '%inspect%web'")" '^/web running' \
	"docker answered for web"

# another value, typed: data, not code
keys c j Enter
tap_ok "asked again" wait_screen c 5 'Value needed: <container>'
menu=$(screen c)
items=$(sed -nE 's/^ *│ (web|bot|job|another value)( .*|$)/\1/p' <<<"$menu")
pos=$(grep -n '^another value$' <<<"$items" | cut -d: -f1)
for ((i = 1; i < ${pos:-1}; i++)); do keys c Down; done
keys c Enter
tap_ok "another value opens the prompt" wait_screen c 5 'Value needed'
keys c -l "job; touch $work/X"
keys c Enter
tap_ok "the typed value is shown quoted as one word" wait_screen c 5 "'job; touch "
keys c Enter
tap_ok "it ran" wait_screen c 20 'Output on h1: done, exit [0-9]'
tap_ok "nothing after the ; ran" test ! -e "$work/X"
tap_ok "on the host either" fssh h1 "test ! -e $work/X"
keys c q
wait_screen c 3 'Quit'
keys c Enter
tap_ok "the console ends" wait_screen c 15 '__EXITED__ 0'
tap_done
