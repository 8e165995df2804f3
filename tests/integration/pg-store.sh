#!/bin/bash
# The shared store: a real PostgreSQL server (initdb in a temporary
# directory, a Unix socket there and a loopback port) holds the incident.
# A scripted incident is recorded in it; its report and stats equal, byte
# for byte, those of the same store copied into SQLite and back; the same
# script recorded in SQLite gives the same report (times normalised);
# several sitreps creating the schema at once make it once; the password
# from ${VAR} never shows; a read-only role (the wall's) is refused writes
# by the database itself.
. "${top_srcdir:-.}/tests/fleet/lib.sh"
. "$top_srcdir/tests/pg/pg.sh"
: "${SITREP:=$top_builddir/sitrep}"
"$SITREP" --help 2>&1 | grep -q . || tap_skip_all "no sitrep built"
pg_test_server pg
export XDG_CONFIG_HOME=$work/cfg XDG_DATA_HOME=$work/data SITREP_DATADIR=$top_srcdir USER=oncall

# a role with a password, reached over TCP with SCRAM; the password comes from the environment
export SITREP_TEST_PGPASS='s3cr3t-Pg-pass'
pg_psql postgres -c "CREATE ROLE oncall LOGIN PASSWORD '$SITREP_TEST_PGPASS'" \
	-c "CREATE DATABASE shared OWNER oncall" -c "CREATE DATABASE back OWNER oncall" \
	-c "CREATE DATABASE race OWNER oncall" -c "CREATE DATABASE other OWNER oncall"
url() { echo "postgresql://oncall:\${SITREP_TEST_PGPASS}@127.0.0.1:$PG_PORT/$1"; }
conf_for() {	# conf_for FILE DB: a config whose store is DB
	printf 'interval 2\ndb %s\n' "$2" >"$1"
}
conf_for "$work/pg.conf" "$(url shared)"
conf_for "$work/lite.conf" "$work/lite.db"
rb=$top_srcdir/tests/data/console/walk.md
script() {	# script CONF: one incident, every kind of record
	local s=("$SITREP" -c "$1" -H local)
	"${s[@]}" incident open --title 'Bot flapping' --severity P2 --host local \
		--users-impacted yes --impact high --runbook "$rb#1" >/dev/null &&
	"${s[@]}" incident note $'first look: exits with 3\x1b]0;x\x07' >/dev/null &&
	"${s[@]}" incident tick 1 >/dev/null &&
	"${s[@]}" incident tick 2 >/dev/null &&
	"${s[@]}" incident severity P1 >/dev/null &&
	"${s[@]}" incident step start 1 >/dev/null &&
	"${s[@]}" incident run --host local -- sh -c 'printf "a\001b\nline two\n"; exit 3' >/dev/null
	"${s[@]}" incident step done --note 'restarts every few seconds' >/dev/null &&
	"${s[@]}" incident milestone mitigated >/dev/null &&
	"${s[@]}" incident resolve --summary 'The bot crashed.' --impact 'No answers.' \
		--root-cause 'A token file was removed.' --resolution 'Restored it.' \
		--prevention 'A deploy check.' --went-well 'Seen at once.' \
		--needs-improvement 'Typo in the runbook.' --data-loss 0s \
		--action 'Add a deploy check;alice;prevention' >/dev/null
}
tap_ok "a scripted incident is recorded in PostgreSQL" script "$work/pg.conf"
tap_ok "and in SQLite" script "$work/lite.conf"
pgq() { pg_psql shared -At -c "$1"; }
tap_is "$(pgq 'SELECT count(*) FROM incident')" 1 "the incident is a row in PostgreSQL"
tap_is "$(pgq 'SELECT version FROM sitrep_schema')" "$(sqlite3 "$work/lite.db" 'PRAGMA user_version')" \
	"with the schema version recorded there, the SQLite store's"
tap_is "$(pgq "SELECT operator FROM event WHERE kind = 'step' LIMIT 1")" oncall "every event names its operator"
tap_like "$(pgq "SELECT text FROM event WHERE kind = 'note'")" 'first look' "the note is there"

s_pg() { "$SITREP" -c "$work/pg.conf" "$@"; }
s_lite() { "$SITREP" -c "$work/lite.conf" "$@"; }
normalise() {
	sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}( UTC|Z)/<time>/g' \
	    -e 's/[0-9]{2}:[0-9]{2}:[0-9]{2}/hh:mm:ss/g' \
	    -e 's/\b([0-9]+d[0-9]{2}h|[0-9]+h[0-9]{2}m|[0-9]+m[0-9]{2}s|[0-9]+s|[0-9]+ ms)\b/<dur>/g' \
	    -e 's/within \(<dur> left\)|over by <dur>/<against the box>/g'
}
s_pg report 1 >"$work/pg.md"
s_lite report 1 >"$work/lite.md"
tap_ok "the report from PostgreSQL is written" test -s "$work/pg.md"
tap_like "$(cat "$work/pg.md")" 'exits with 3' "with the note"
tap_not "and no byte below 0x20 but newline (the note's escape sequence)" \
	env LC_ALL=C grep -qP '[\x00-\x09\x0b-\x1f\x7f]' "$work/pg.md"
tap_ok "the same script gives the same report from both stores (times normalised)" \
	diff -u <(normalise <"$work/lite.md") <(normalise <"$work/pg.md")

# the same incident, copied: byte for byte
out=$("$SITREP" store migrate --from "$(eval echo "$(url shared)")" --to "$work/copy.db" 2>&1)
tap_like "$out" 'event [0-9]+' "store migrate copies PostgreSQL into a SQLite file: $(echo $out)"
for t in incident event tick step_run command_run action_item outbox; do
	want="$t $(pgq "SELECT count(*) FROM $t")"
	grep -qx "$want" <<<"$out" || tap_diag "count differs for $t: want '$want'"
done
tap_ok "every table's count is the one PostgreSQL holds" sh -c '
	for t in incident event tick step_run command_run action_item outbox; do
		n=$(psql -X -h "$1" -p "$2" -U postgres -d shared -At -c "SELECT count(*) FROM $t")
		printf "%s\n" "$3" | grep -qx "$t $n" || exit 1
	done' _ "$PG_SOCK" "$PG_PORT" "$out"
"$SITREP" --db "$work/copy.db" report 1 >"$work/copy.md"
tap_ok "its report equals PostgreSQL's, byte for byte" cmp "$work/pg.md" "$work/copy.md"
tap_ok "so do the stats" cmp <(s_pg stats --json) <("$SITREP" --db "$work/copy.db" stats --json)
tap_ok "and the incident as JSON (commands, output, ticks)" \
	cmp <(s_pg incident show 1 --json) <("$SITREP" --db "$work/copy.db" incident show 1 --json)
out=$("$SITREP" store migrate --from "$work/copy.db" --to "$(eval echo "$(url back)")" 2>&1)
tap_like "$out" 'incident 1' "and back into another PostgreSQL database"
tap_ok "whose report is the same again" \
	cmp "$work/pg.md" <("$SITREP" --db "$(eval echo "$(url back)")" report 1)
out=$("$SITREP" store migrate --from "$work/copy.db" --to "$(eval echo "$(url back)")" 2>&1)
tap_is "$?" 1 "a copy into a store that is not empty is refused"
tap_like "$out" 'not empty' "saying why: $out"
id=$("$SITREP" --db "$(eval echo "$(url back)")" incident open --title next --severity P3)
tap_is "$id" 2 "after a copy, PostgreSQL numbers new incidents after the copied ones"

# a store made before events and steps named their operator (version 1) is
# brought up to the current schema by the next command that writes
sqlite3 "$work/lite.db" 'ALTER TABLE event DROP COLUMN operator; ALTER TABLE step_run DROP COLUMN operator;
	DROP TABLE applied; DROP TABLE pending; PRAGMA user_version = 1'
tap_ok "a version 1 store takes a write" s_lite incident -i 1 reopen --reason 'checking'
tap_is "$(sqlite3 "$work/lite.db" 'PRAGMA user_version')" 3 "and is now version 3"
tap_is "$(sqlite3 "$work/lite.db" "SELECT operator FROM event ORDER BY id DESC LIMIT 1")" oncall \
	"with its operator recorded"
tap_ok "its incident reads as before" sh -c "'$SITREP' -c '$work/lite.conf' report 1 | grep -q 'Bot flapping'"

# several sitreps creating the schema at once: it is made once, none fails
race=$(eval echo "$(url race)")
for i in 1 2 3 4 5 6; do
	"$SITREP" --db "$race" incident open --title "race $i" --severity P3 >"$work/race.$i" 2>&1 &
done
wait
tap_is "$(cat "$work"/race.* | sort -n | tr '\n' ' ')" "1 2 3 4 5 6 " \
	"six sitreps opening incidents in an empty database at once all succeed"
tap_is "$(pg_psql race -At -c 'SELECT count(*) FROM sitrep_schema')" 1 "the schema is recorded once"

# two operators at once on one incident: the first wins, the other is told
pg_psql postgres -c "CREATE DATABASE busy OWNER oncall" >/dev/null
conf_for "$work/busy.conf" "$(url busy)"
as() { local who=$1; shift; USER=$who "$SITREP" -c "$work/busy.conf" -H local "$@"; }
as alice incident open --title 'Both at once' --severity P1 --host local --runbook "$rb#1" >/dev/null
wins=0 told=0
for round in 1 2 3 4 5 6 7 8; do
	as alice incident step start 2 >"$work/a.out" 2>&1 & a=$!
	as bob incident step start 2 >"$work/b.out" 2>&1 & b=$!
	wait $a; ra=$?
	wait $b; rb_=$?
	(( (ra == 0) + (rb_ == 0) == 1 )) && wins=$((wins + 1))
	cat "$work/a.out" "$work/b.out" | grep -qE 'step 2 is already running \(started by (alice|bob) at 20' && told=$((told + 1))
	as alice incident step done >/dev/null
done
tap_is "$wins" 8 "eight rounds of both starting step 2 at once: one start wins each time"
tap_is "$told" 8 "and the other is told it is already running, since when"
tap_is "$(pg_psql busy -At -c 'SELECT count(*) FROM step_run')" 8 "eight runs recorded, no double"
wins=0 told=0
for item in 1 2 3 4 5 6 7 8; do
	as alice incident tick "$item" >"$work/a.out" 2>&1 & a=$!
	as bob incident tick "$item" >"$work/b.out" 2>&1 & b=$!
	wait $a; ra=$?
	wait $b; rb_=$?
	(( (ra == 0) + (rb_ == 0) == 1 )) && wins=$((wins + 1))
	cat "$work/a.out" "$work/b.out" | grep -qE "item $item was already ticked by (alice|bob) at 20" && told=$((told + 1))
done
tap_is "$wins" 8 "both ticking one item at once: the first tick wins (8 of 8)"
tap_is "$told" 8 "and the other is told who ticked it and when"
tap_is "$(pg_psql busy -At -c "SELECT count(*) FROM event WHERE kind = 'tick'")" 8 "one tick event per item"
as alice incident run --host local -- sh -c 'sleep 1.5; echo finished' >"$work/run.out" 2>&1 & a=$!
sleep 0.5
as bob incident resolve --summary 'Resolved while a command ran.' >/dev/null 2>&1
rr=$?
wait $a
tap_is "$rr" 0 "bob resolves while alice's command runs"
tap_is "$(pg_psql busy -At -c "SELECT status || ' ' || exit_status FROM command_run")" "done 0" \
	"alice's command still ends, recorded as done"
tap_is "$(as bob incident show 1 --json | jq -r '.status')" resolved "the incident stays resolved"
tap_like "$(pg_psql busy -At -c "SELECT DISTINCT operator FROM event WHERE operator IS NOT NULL ORDER BY 1" | tr '\n' ' ')" \
	'^alice bob $' "every action is attributed to the operator who did it"

# the password never shows: not in messages, not in the store
out=$("$SITREP" --db "postgresql://oncall:${SITREP_TEST_PGPASS}@127.0.0.1:$PG_PORT/nosuchdb" incident list 2>&1)
tap_like "$out" 'nosuchdb' "a database that does not exist is named: $out"
tap_not "the password is not in the message" grep -q "$SITREP_TEST_PGPASS" <<<"$out"
out=$(SITREP_TEST_PGPASS=wrong "$SITREP" -c "$work/pg.conf" incident list 2>&1)
tap_like "$out" 'password authentication failed' "a wrong password says so: $out"
tap_not "and shows no password" grep -q 'wrong' <<<"$out"
tap_not "the password is in no row" sh -c "pg_dump -h '$PG_SOCK' -p $PG_PORT -U postgres shared | grep -q '$SITREP_TEST_PGPASS'"

# libpq's own ways to the password and the server: ~/.pgpass and a service
printf '127.0.0.1:%s:shared:oncall:%s\n' "$PG_PORT" "$SITREP_TEST_PGPASS" >"$work/pgpass"
chmod 600 "$work/pgpass"
tap_like "$(PGPASSFILE=$work/pgpass "$SITREP" --db "postgresql://oncall@127.0.0.1:$PG_PORT/shared" incident list 2>&1)" \
	'Bot flapping' "a URI without a password finds it in the password file (PGPASSFILE)"
printf '[sitrep]\nhost=127.0.0.1\nport=%s\ndbname=shared\nuser=oncall\n' "$PG_PORT" >"$work/pg_service.conf"
tap_like "$(PGSERVICEFILE=$work/pg_service.conf PGPASSFILE=$work/pgpass "$SITREP" --db 'postgresql:///?service=sitrep' incident list 2>&1)" \
	'Bot flapping' "a service names the server and the database (PGSERVICEFILE)"

out=$(PGPASSFILE=$work/pgpass "$SITREP" --db "postgresql://oncall@127.0.0.1:$PG_PORT/shared?sslmode=require" incident list 2>&1)
tap_like "$out" 'SSL' "sslmode=require is honoured: this test server has no TLS, so it is refused: $out"

# another program's database is not taken for a store
pg_psql other -c "CREATE TABLE customers (id int)" -c "ALTER TABLE customers OWNER TO oncall"
out=$("$SITREP" --db "$(eval echo "$(url other)")" incident list 2>&1)
tap_like "$out" 'not a sitrep store' "another program's PostgreSQL database is refused: $out"
tap_is "$(pg_psql other -At -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" 1 "and not changed"

# the wall's role may only read: the database refuses its writes
pg_psql shared -c "CREATE ROLE wall LOGIN PASSWORD 'wallpw'" -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO wall"
wallurl="postgresql://wall:wallpw@127.0.0.1:$PG_PORT/shared"
tap_like "$("$SITREP" --db "$wallurl" incident show 1 2>&1)" 'Bot flapping' "the read-only role reads the incident"
out=$("$SITREP" --db "$wallurl" incident -i 1 note 'from the wall' 2>&1)
tap_like "$out" 'permission denied' "a write through it is refused by PostgreSQL: $out"
tap_not "and nothing was written" sh -c "psql -X -h '$PG_SOCK' -p $PG_PORT -U postgres -d shared -At -c 'SELECT text FROM event' | grep -q 'from the wall'"

tap_done
