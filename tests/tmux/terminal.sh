#!/bin/bash
# Terminals that cannot draw a screen: the console and the wall say so and
# exit 2, instead of drawing only their bottom line (TERM=dumb) or a
# screen of garbage (an unknown TERM).
. "${top_srcdir:-.}/tests/fleet/lib.sh"
. "$top_srcdir/tests/tmux/lib.sh"
: "${SITREP:=$top_builddir/sitrep}"
trap '_term_cleanup; rm -rf "$work"' EXIT
work=$(mktemp -d)
export XDG_CONFIG_HOME=$work/cfg XDG_DATA_HOME=$work/data HOME=$work

for view in console wall; do
	term_start dumb-$view 100 30 sh -c "TERM=dumb '$SITREP' -H local $view; echo EXIT=\$?; sleep 60"
	tap_ok "$view on TERM=dumb: exits 2" wait_screen dumb-$view 10 'EXIT=2'
	tap_like "$(screen dumb-$view | tr -d '\n')" 'TERM=dumb cannot move the cursor' \
		"and says why, naming TERM"
	term_start unknown-$view 100 30 sh -c "TERM=no-such-terminal '$SITREP' -H local $view; echo EXIT=\$?; sleep 60"
	tap_ok "$view on an unknown TERM: exits 2" wait_screen unknown-$view 10 'EXIT=2'
	tap_like "$(screen unknown-$view | tr -d '\n')" 'not in the terminfo database' "and says so"
done
term_start good 100 30 sh -c "TERM=xterm-256color '$SITREP' -H local console; echo EXIT=\$?; sleep 60"
tap_ok "an ordinary terminal still draws the console" wait_screen good 15 'sitrep'
tap_not "and it has not exited" sh -c "tmux -L $TMUX_SOCKET -f /dev/null capture-pane -p -t good | grep -q EXIT="
# an ssh config with LogLevel (a very common line): libssh's log never
# reaches the screen, it goes to --log
printf 'Host *\n    LogLevel DEBUG3\n' >"$work/ssh.cfg"
term_start loud 120 30 env TERM=xterm-256color "$SITREP" -F "$work/ssh.cfg" --log "$work/diag.log" \
	-H 127.0.0.1:1 -H 127.0.0.2:1 console
tap_ok "LogLevel DEBUG3: the console shows the hosts DOWN" wait_screen loud 20 '▼ DOWN'
sleep 2
tap_not "and no libssh log line is on the screen" sh -c "tmux -L $TMUX_SOCKET -f /dev/null capture-pane -p -t loud | grep -q '\[20'"
tap_like "$(screen loud)" '127\.0\.0\.1' "the fleet list keeps its host names"
tap_like "$(cat "$work/diag.log")" 'libssh\[' "libssh's messages are in the diagnostic log"
tmx kill-session -t loud
tap_done
