#!/bin/bash
# sitrep wall: tiles per host, read-only (every key but q and p does
# nothing; nothing is written), following the incident another sitrep on
# this machine runs, from the same store.
. "${top_srcdir:-.}/tests/fleet/lib.sh"
. "$top_srcdir/tests/tmux/lib.sh"
: "${SITREP:=$top_builddir/sitrep}"
fleet_up 2
trap '_term_cleanup; _fleet_cleanup' EXIT

work=$FLEET_DIR/sitrep
mkdir -p "$work"
export XDG_CONFIG_HOME=$work/cfg XDG_DATA_HOME=$work/data SITREP_DATADIR=$top_srcdir
conf=$work/sitrep.conf
sitrep_conf "$conf" 3
cat >>"$conf" <<CONF
host h1
host h2
CONF
term_start wall 160 45 env TERM=xterm-256color "$SITREP" -c "$conf" wall
tap_ok "the wall shows a tile per host" wait_screen wall 20 'h2'
tap_ok "with states once reached" wait_screen wall 20 '(✖ CRIT|● OK|▲ WARN).*(✖ CRIT|● OK|▲ WARN)'
tap_like "$(screen wall)" '█' "states in large letters"
tap_like "$(screen wall)" 'read-only wall' "and it says it is read-only"

# what the wall shows is live: every tile's data age keeps being redrawn
# (interval 1 s), and a host that is lost turns DOWN, then comes back
oldest_age() { screen wall | grep -oE ' [0-9]+s │' | grep -oE '[0-9]+' | sort -n | tail -1; }
fresh=0
for _ in 1 2 3 4 5 6; do
	a=$(oldest_age)
	[[ -n $a && $a -le 4 ]] && fresh=$((fresh + 1))
	sleep 1
done
tap_is "$fresh" 6 "every tile's data age stays under 5 s for 6 s (last oldest: ${a:-none})"
fleet fault h2 link-down
tap_ok "h2's link down: its tile says DOWN" wait_screen wall 20 '▼ DOWN'
fleet fault h2 link-up
tap_ok "link up: h2 is back on the wall" wait_until 30 sh -c \
	"! tmux -L $TMUX_SOCKET capture-pane -p -t wall | grep -qE '▼ DOWN|STALE'"

# every key on the keyboard but q and p does nothing
before=$(screen wall | grep -v UTC | md5sum)
for k in a b c d e f g h i j k l m n o r s t u v w x y z A B C D E F G H I J K L M N O P Q R S T U V W X Y Z \
	0 1 2 3 4 5 6 7 8 9 '/' '?' '-' '.' ',' ':' Enter Tab BTab Escape Up Down Left Right PageUp PageDown Home End \
	F1 F5 F10 C-c C-d C-z C-l BSpace DC IC; do
	keys wall "$k"
done
sleep 1.5
tap_not "no dialog or help appeared" sh -c "tmux -L $TMUX_SOCKET capture-pane -p -t wall | grep -qE 'Open an incident|Keys \\(|Filter|Note'"
tap_ok "still the wall, still running" sh -c "tmux -L $TMUX_SOCKET capture-pane -p -t wall | grep -q 'read-only wall' && ! tmux -L $TMUX_SOCKET capture-pane -p -t wall | grep -q __EXITED__"
tap_not "no incident was opened by any key" sh -c "'$SITREP' -c '$conf' incident list 2>/dev/null | grep -q open"
keys wall p
tap_ok "p pauses the rotation" wait_screen wall 3 '\(paused\)'
keys wall p
tap_ok "p again resumes it" wait_screen wall 3 'p pause rotation'

# the wall follows an incident run by another sitrep on this machine
id=$("$SITREP" -c "$conf" incident open --title 'Bot silent' --severity P1 --host h1)
tap_ok "the wall shows the incident" wait_screen wall 5 "INCIDENT #$id +P1"
tap_like "$(screen wall)" 'Bot silent' "with its title"
tap_like "$(screen wall)" '█' "and a large T+ clock"
"$SITREP" -c "$conf" incident runbook 'Crash loop' >/dev/null
"$SITREP" -c "$conf" incident step start 1 >/dev/null
tap_ok "and the current step with its timer" wait_screen wall 5 'step 1:'
tap_like "$(screen wall)" '[0-9]{2}:[0-9]{2}:[0-9]{2} / [0-9]{2}:[0-9]{2}:[0-9]{2}' "elapsed against the time box"
sum=$(sqlite3 "$XDG_DATA_HOME/sitrep/sitrep.db" 'select count(*) from event')
sleep 2
tap_is "$(sqlite3 "$XDG_DATA_HOME/sitrep/sitrep.db" 'select count(*) from event')" "$sum" "the wall writes nothing to the store"
keys wall q
tap_ok "q quits" wait_screen wall 5 '__EXITED__ 0'
tap_done
