#!/bin/bash
# The walk-through in a real terminal against the real fleet: open an
# incident, triage, the suggested runbook, step timers turning WARN then
# CRIT, commands confirmed and run on the host with their output recorded,
# a destructive command refused without the host name typed, Ctrl-C
# stopping the remote command, and kill -9 then resume.
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
rb=$top_srcdir/tests/data/console/walk.md
crashed() { (( $(fssh h1 "docker inspect --format '{{.RestartCount}}' bot") >= 1 )); }
wait_until 30 crashed
show() { "$SITREP" -c "$conf" incident show --json; }
sql() { sqlite3 "$db" "$1"; }

term_start c 140 45 env TERM=xterm-256color "$SITREP" -c "$conf" --runbook "$rb"
tap_ok "the console is up" wait_screen c 20 'RESTARTING'
keys c i
tap_ok "i opens the incident form" wait_screen c 3 'Open an incident'
keys c 'Bot flapping' Enter
tap_ok "the incident opens: status bar with T+ and the target" wait_screen c 5 '#1 P1 +Bot flapping +T\+00:00:0[0-9] +response 1h'
tap_ok "triage checklist first" wait_screen c 3 'Triage 0/'
keys c Space
tap_ok "Space ticks a triage item" wait_screen c 3 'Triage 1/'
tap_like "$(show | jq -r '.timeline[].text')" '\[x\] triage' "the tick is recorded"
tap_like "$(show | jq -r '.milestones.triage_started')" '^20' "the first tick starts triage"

keys c R
tap_ok "R offers runbooks, the fleet's suggestions first" wait_screen c 5 'suggested: Bot restart drill +\(bot is restarting\)'
suggested=$(screen c | grep -o 'suggested: [^(]*')
tap_like "$(head -1 <<<"$suggested")" 'Crash loop' "a restarting container suggests the crash-loop procedure first"
tap_ok "nothing unrelated to a restarting bot is suggested" sh -c "! grep -qi 'sqlite' <<'EOF'
$suggested
EOF"
# the drill this test walks through: down the menu to it
pos=$(grep -n 'Bot restart drill' <<<"$suggested" | head -1 | cut -d: -f1)
for ((i = 1; i < ${pos:-1}; i++)); do keys c Down; done
keys c Enter
tap_ok "the runbook is chosen" wait_screen c 5 'Runbook: Bot restart drill \(4 steps'
keys c s
tap_ok "s starts step 1 with its timer" wait_screen c 5 '1\. Look at the bot \(5s\) .*00:00:0[0-9] / 00:00:05 OK'
tap_like "$(show | jq -r '.milestones.triage_done')" '^20' "starting a step ends triage"
tap_ok "past its time box the timer turns WARN, in words" wait_screen c 10 '/ 00:00:05 WARN over'
tap_ok "past twice the box, CRIT" wait_screen c 10 '/ 00:00:05 CRIT 2x over'

keys c j Enter
tap_ok "Enter on a command asks, showing the exact command and host" wait_screen c 3 'Run on h1:'
tap_like "$(screen c)" "docker ps -a --filter name=bot" "the command as it will run"
keys c Enter
tap_ok "the output streams into the pane" wait_screen c 30 'Output on h1: done, exit 0'
tap_like "$(screen c)" 'bot (Up|Exited)' "what docker answered"
tap_is "$(sql "select exit_status || ' ' || status from command_run where command like 'docker ps%'")" "0 done" \
	"exit status recorded"
tap_like "$(sql "select output from command_run where command like 'docker ps%'")" '^bot ' "output recorded"
keys c d
wait_screen c 3 'note \(optional\)'
keys c 'looked fine' Enter
tap_ok "d ends the step: done" wait_screen c 5 '✓ 1\. Look at the bot'

keys c j s j Enter
tap_ok "step 2's command asks too" wait_screen c 3 'docker restart bot'
keys c Enter
tap_ok "docker restart bot runs on h1" wait_screen c 20 'Output on h1: done, exit 0'
tap_is "$(sql "select exit_status from command_run where command = 'docker restart bot'")" 0 "its exit status recorded"
fleet_events() { show | jq -r '.timeline[] | select(.source=="fleet") | .text' | grep -q 'container bot'; }
tap_ok "the bot's state changes appear as fleet events in the incident" wait_until 20 fleet_events

keys c j s j Enter
tap_ok "a destructive command asks for the host name" wait_screen c 3 'DESTRUCTIVE'
keys c h 2 Enter
tap_ok "the wrong name refuses" wait_screen c 3 'the name does not match: nothing was run'
keys c Escape
tap_ok "Esc: not run" wait_screen c 3 'not run'
tap_ok "the job container is still there" sh -c "ssh -F '$FLEET_SSH_CONFIG' h1 docker ps -a --format '{{.Names}}' | grep -qx job"
tap_is "$(sql "select count(*) from command_run where command like 'docker rm%'")" 0 "and nothing was recorded as run"
keys c Enter
wait_screen c 3 'DESTRUCTIVE'
keys c h 1 Enter
tap_ok "with the host name typed it runs" wait_screen c 15 'Output on h1: done, exit 0'
gone() { ! ssh -F "$FLEET_SSH_CONFIG" h1 docker ps -a --format '{{.Names}}' | grep -qx job; }
tap_ok "and the job container is gone" wait_until 10 gone

keys c j s j Enter
wait_screen c 3 'sleep 300'
keys c Enter
tap_ok "a long command runs" wait_screen c 5 'running 00:00:0[0-9] \(Ctrl-C cancels\)'
# a "sleep 300" of h1's own: the test hosts share one process table, so only
# processes in h1's network namespace count (another suite may run the same step)
remote_sleep() {
	ssh -F "$FLEET_SSH_CONFIG" h1 'me=$(readlink /proc/self/ns/net); id=${me//[!0-9]/}
		for f in $(find /proc/[0-9]*/ns/net -maxdepth 0 -lname "net:?$id?" 2>/dev/null); do
			[ "$(tr "\0" " " <"${f%/ns/net}/cmdline" 2>/dev/null)" = "sleep 300 " ] && exit 0
		done
		exit 1'
}
tap_ok "it is running on the host" wait_until 5 remote_sleep
keys c C-c
tap_ok "Ctrl-C cancels it" wait_screen c 10 'Output on h1: cancelled'
no_sleep() { ! remote_sleep; }
tap_ok "and the remote command really stops" wait_until 10 no_sleep
tap_is "$(sql "select status from command_run where command = 'sleep 300'")" cancelled "recorded as cancelled"

# quitting while a command runs: the dialog names the command; every way
# out (q, SIGHUP) stops it on the host and records it as cancelled
keys c Enter
wait_screen c 3 'sleep 300'
keys c Enter
tap_ok "the command runs again" wait_until 10 remote_sleep
keys c q
tap_ok "q names the running command" wait_screen c 3 'A command is running on h1: sleep 300'
tap_like "$(screen c)" 'records it as cancelled' "and says what quitting does to it"
keys c Enter
tap_ok "and quits" wait_screen c 15 '__EXITED__ 0'
tap_ok "the remote command is stopped" wait_until 10 no_sleep
tap_is "$(sql "select count(*) from command_run where command = 'sleep 300' and status = 'cancelled'")" 2 \
	"recorded as cancelled, not left running"
tmx kill-session -t c
term_start c 140 45 env TERM=xterm-256color "$SITREP" -c "$conf" --runbook "$rb"
tap_ok "started again" wait_screen c 15 '#1 P1 +Bot flapping'
wait_screen c 10 '▶ 4\. Wait for the queue to drain'
# the last row is step 4's command: down past the end of the list
keys c Tab
keys c $(printf 'j %.0s' {1..40})
keys c Enter
wait_screen c 3 'Run on h1:' || show_screen c
keys c Enter
tap_ok "the command runs" wait_until 10 remote_sleep
kill -HUP "$(term_pid c)"
tap_ok "SIGHUP: the console exits" wait_screen c 15 '__EXITED__'
tap_ok "and the remote command is stopped" wait_until 10 no_sleep
tap_is "$(sql "select count(*) from command_run where status = 'running'")" 0 "no command left running in the record"
tmx kill-session -t c
term_start c 140 45 env TERM=xterm-256color "$SITREP" -c "$conf" --runbook "$rb"
wait_screen c 15 '#1 P1 +Bot flapping'

# kill -9 in the middle of step 4, then start again: resumed where it was
sleep 3
before=$(sql "select count(*) from event")
started=$(sql "select started_at from step_run where ended_at is null")
kill -9 "$(term_pid c)"
wait_screen c 5 '__EXITED__'
tap_is "$(sql 'PRAGMA integrity_check')" ok "after kill -9 the store is intact"
after=$(sql "select count(*) from event")
# (the console may commit one more fleet event between the count and the kill)
ok $(( after >= before ? 0 : 1 )) "no event lost ($after events, $before before the kill)"
term_start c2 140 45 env TERM=xterm-256color "$SITREP" -c "$conf" --runbook "$rb"
tap_ok "restarted: the same incident" wait_screen c2 15 '#1 P1 +Bot flapping'
tap_ok "the same step, running" wait_screen c2 10 '▶ 4\. Wait for the queue to drain'
shown=$(screen c2 | grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2} / 00:10:00' | head -1)
shown_s=$(( 10#${shown:3:2} * 60 + 10#${shown:6:2} ))
want_s=$(( ($(date +%s%3N) - started) / 1000 ))
ok $(( shown_s >= want_s - 2 && shown_s <= want_s + 1 ? 0 : 1 )) \
	"its timer continues from the stored start (${shown_s} s shown, ${want_s} s since the start)"
tap_is "$(sql "select started_at from step_run where ended_at is null")" "$started" "from the same stored start"
tap_ok "the restart itself is in the timeline" sh -c "sqlite3 '$db' \"select text from event\" | grep -q 'incident resumed'"
# the export key writes the report
keys c2 e
wait_screen c2 3 'Export the report'
keys c2 C-u "$work/exported.md" Enter
tap_ok "e exports the report" wait_screen c2 5 'report written to'
tap_like "$(cat "$work/exported.md" 2>/dev/null)" '# Incident 1: Bot flapping' "the exported file is the report"
keys c2 q
tap_ok "q asks while an incident is open" wait_screen c2 3 'An incident is open'
keys c2 Enter
tap_ok "and quits" wait_screen c2 5 '__EXITED__ 0'
tap_done
