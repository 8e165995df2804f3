#!/bin/bash
# One incident, two operators and a wall on a shared PostgreSQL store (a
# real server the test starts): what one records, the others' screens
# show within seconds, attributed to who did it; a session the server
# ends is followed through; while the server is down the console keeps
# its operator's actions on its own machine and applies them, once and in
# order, when it is back, even from a console started after a kill -9.
. "${top_srcdir:-.}/tests/fleet/lib.sh"
. "$top_srcdir/tests/tmux/lib.sh"
. "$top_srcdir/tests/pg/pg.sh"
: "${SITREP:=$top_builddir/sitrep}"
pg_test_server pgf
trap '_term_cleanup; pg_test_cleanup' EXIT
export XDG_CONFIG_HOME=$work/cfg XDG_DATA_HOME=$work/data SITREP_DATADIR=$top_srcdir
pg_psql postgres -c "CREATE DATABASE shared" -c "CREATE ROLE wall LOGIN PASSWORD 'wallpw'"
conf=$work/sitrep.conf
printf 'interval 2\ndb postgresql://postgres@/shared?host=%s&port=%s\n' "$PG_SOCK" "$PG_PORT" >"$conf"
wallconf=$work/wall.conf
printf 'interval 2\ndb postgresql://wall:wallpw@127.0.0.1:%s/shared\n' "$PG_PORT" >"$wallconf"
rb=$top_srcdir/tests/data/console/walk.md
bob() { USER=bob "$SITREP" -c "$conf" -H local "$@"; }
sql() { pg_psql shared -At -c "$1"; }

# the schema exists before the wall's read-only role is given it
tap_is "$(bob incident open --title 'Shared outage' --severity P1 --host local --runbook "$rb#1")" 1 \
	"bob opens incident 1 in PostgreSQL"
sql "GRANT SELECT ON ALL TABLES IN SCHEMA public TO wall" >/dev/null
term_start alice 140 40 env TERM=xterm-256color USER=alice "$SITREP" -c "$conf" -H local
term_start wall 140 40 env TERM=xterm-256color "$SITREP" -c "$wallconf" -H local wall
tap_ok "alice's console shows bob's incident" wait_screen alice 20 '#1 P1 +Shared outage'
tap_ok "the wall, on a read-only role, shows it too" wait_screen wall 20 'INCIDENT #1 +P1'

bob incident note 'checked the gateway' >/dev/null
tap_ok "bob's note reaches alice's timeline" wait_screen alice 3 'bob: checked the gateway'
keys alice n
wait_screen alice 3 'Note' >/dev/null
keys alice 'restarting the bot' Enter
tap_ok "alice's note is in the shared store, hers" wait_until 3 sh -c \
	"psql -X -h '$PG_SOCK' -p $PG_PORT -U postgres -d shared -At -c 'SELECT text FROM event' | grep -q 'alice: restarting the bot'"
tap_like "$(bob incident show)" 'alice: restarting the bot' "bob sees it from his machine"
bob incident tick 1 >/dev/null
tap_ok "bob's tick shows on alice's checklist" wait_screen alice 3 'Triage 1/'
bob incident step start 1 >/dev/null
tap_ok "bob's step shows on the wall with its timer" wait_screen wall 3 'step 1:'

# the server ends every sitrep session: the next change still shows
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'shared' AND pid <> pg_backend_pid()" >/dev/null
sleep 1
bob incident note 'after the sessions ended' >/dev/null
tap_ok "alice's console connects again and shows it" wait_screen alice 5 'bob: after the sessions ended'
bob incident step done >/dev/null
tap_ok "so does the wall" wait_screen wall 5 'no step running|step 2'
keys alice n
wait_screen alice 3 'Note' >/dev/null
keys alice 'still here' Enter
tap_ok "and alice's next note is recorded" wait_until 3 sh -c \
	"psql -X -h '$PG_SOCK' -p $PG_PORT -U postgres -d shared -At -c 'SELECT text FROM event' | grep -q 'alice: still here'"

# the server is killed: alice's actions are kept on her machine, in order,
# and applied once when it is back
note() {	# note SESSION TEXT: a note through the console's dialog
	keys "$1" n
	wait_screen "$1" 3 'Note' >/dev/null
	keys "$1" "$2" Enter
}
pg_stop "$work/pg"
sleep 1
note alice 'while the database is away'
tap_ok "alice's note is kept: NOT SHARED: 1 action waiting" wait_screen alice 10 'NOT SHARED: 1 action waiting'
note alice 'a second one'
tap_ok "a second: NOT SHARED: 2 actions waiting" wait_screen alice 10 'NOT SHARED: 2 actions waiting'
tap_ok "the local outbox holds them durably" sh -c \
	"sqlite3 '$XDG_DATA_HOME/sitrep/pending.db' 'SELECT count(*) FROM pending' | grep -qx 2"
tap_not "alice's console survives the server's death" sh -c "tmux -L $TMUX_SOCKET capture-pane -p -t alice | grep -q __EXITED__"
tap_not "so does the wall" sh -c "tmux -L $TMUX_SOCKET capture-pane -p -t wall | grep -q __EXITED__"
back=$(date +%s%3N)
pg_start "$work/pg"
tap_ok "when the database is back, alice's console applies them" \
	wait_until 20 sh -c "! tmux -L $TMUX_SOCKET capture-pane -p -t alice | grep -q 'NOT SHARED'"
tap_is "$(sql "SELECT count(*) FROM event WHERE text IN ('alice: while the database is away', 'alice: a second one') AND at < $back")" 2 \
	"both are in the shared store, with the times they were made"
bob incident note 'the database is back' >/dev/null
tap_ok "and alice's console follows again" wait_screen alice 5 'bob: the database is back'
tap_like "$(sql "SELECT text FROM event WHERE kind = 'note' ORDER BY at, id" | tr '\n' '|')" \
	'bob: checked the gateway\|alice: restarting the bot\|bob: after the sessions ended\|alice: still here\|alice: while the database is away\|alice: a second one\|bob: the database is back\|' \
	"every note is there, in the order it was made, with its author"
tap_is "$(sql "SELECT count(*) FROM event WHERE kind = 'note' AND text LIKE 'alice: %'")" 4 "none twice"

# kept, then the console is killed: the next console applies what it kept
pg_stop "$work/pg"
sleep 1
note alice 'kept across a crash'
tap_ok "kept while away" wait_screen alice 10 'NOT SHARED: 1 action waiting'
kill -9 "$(term_pid alice)"
pg_start "$work/pg"
term_start alice2 140 40 env TERM=xterm-256color USER=alice "$SITREP" -c "$conf" -H local
tap_ok "a new console applies what the killed one kept" wait_until 20 sh -c \
	"psql -X -h '$PG_SOCK' -p $PG_PORT -U postgres -d shared -At -c \"SELECT text FROM event\" | grep -q 'alice: kept across a crash'"
tap_is "$(sql "SELECT count(*) FROM event WHERE text = 'alice: kept across a crash'")" 1 "once"
tap_ok "and says nothing waits" wait_until 10 sh -c "! tmux -L $TMUX_SOCKET capture-pane -p -t alice2 | grep -q 'NOT SHARED'"
keys alice2 q
wait_screen alice2 3 'Quit' >/dev/null && keys alice2 y
keys wall q
tap_ok "the wall quits" wait_screen wall 5 '__EXITED__ 0'
tap_done
