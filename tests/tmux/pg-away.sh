#!/bin/bash
# A shared store whose server stops answering (it accepts the connection
# and never replies, as behind a broken network): the console keeps
# answering keys at once while it tries to connect again, keeps the
# operator's note on its own machine, and applies it when the server
# answers again. The server sits behind lagproxy; a proxy with a delay of
# a minute is the server that never answers.
. "${top_srcdir:-.}/tests/fleet/lib.sh"
. "$top_srcdir/tests/tmux/lib.sh"
. "$top_srcdir/tests/pg/pg.sh"
: "${SITREP:=$top_builddir/sitrep}"
pg_test_server pga
[[ -x ${LAGPROXY:-} ]] || tap_skip_all "no lagproxy built (make tests/fleet/lagproxy)"
proxy_stop() { [[ -s $work/proxy.pid ]] && kill "$(cat "$work/proxy.pid")" 2>/dev/null; rm -f "$work/proxy.pid"; }
trap '_term_cleanup; proxy_stop; pg_test_cleanup' EXIT
export XDG_CONFIG_HOME=$work/cfg XDG_DATA_HOME=$work/data SITREP_DATADIR=$top_srcdir
pg_psql postgres -c "CREATE DATABASE shared" -c "ALTER ROLE postgres PASSWORD 'pw'" >/dev/null
port=$((PG_PORT + 1))
while ss -ltn | grep -q ":$port "; do port=$((port + 1)); done
proxy_start() {	# proxy_start DELAY_MS: the server, as the console reaches it
	"$LAGPROXY" --listen "127.0.0.1:$port" --to "127.0.0.1:$PG_PORT" --delay-ms "$1" \
		--pidfile "$work/proxy.pid" >>"$work/proxy.log" 2>&1 &
	wait_until 5 test -s "$work/proxy.pid"
}
proxy_start 0
conf=$work/sitrep.conf
# a long connect timeout: a console that waited for the server would hang for it
printf 'interval 2\ndb postgresql://postgres:pw@127.0.0.1:%s/shared?connect_timeout=30\n' "$port" >"$conf"
"$SITREP" -c "$conf" -H local incident open --title 'Behind a bad network' --severity P2 >/dev/null
term_start c 140 40 env TERM=xterm-256color USER=alice "$SITREP" -c "$conf" -H local
tap_ok "the console shows the shared incident" wait_screen c 20 '#1 P2 +Behind a bad network'

# the connection breaks; the next one is accepted and never answered
proxy_stop
sleep 0.5
proxy_start 60000
sleep 6	# the console has lost its connection and is connecting again
fast=0
for i in 1 2 3 4 5 6; do
	keys c n
	if wait_screen c 3 'Note'; then fast=$((fast + 1)); fi
	keys c Escape
	sleep 0.7
done
tap_is "$fast" 6 "while the server does not answer (connect timeout 30 s), a key opens its dialog at once, 6 times of 6"
keys c n
wait_screen c 2 'Note' >/dev/null
keys c 'written while the server hangs' Enter
tap_ok "the note is kept here: NOT SHARED" wait_screen c 5 'NOT SHARED: 1 action waiting'

# the network heals
proxy_stop
proxy_start 0
tap_ok "once the server answers, the note is applied" wait_until 25 sh -c \
	"psql -X -h '$PG_SOCK' -p $PG_PORT -U postgres -d shared -At -c 'SELECT text FROM event' | grep -q 'alice: written while the server hangs'"
tap_ok "and nothing waits any more" wait_until 5 sh -c "! tmux -L $TMUX_SOCKET capture-pane -p -t c | grep -q 'NOT SHARED'"
keys c q
wait_screen c 3 'Quit' >/dev/null && keys c y
tap_ok "the console quits" wait_screen c 5 '__EXITED__ 0'
tap_done
