#!/bin/bash
# What users bring: odd store paths, other programs' files, full disks and
# closed pipes, FIFOs and devices where files were expected, ids given as
# arguments, dates that do not exist, a resolved incident, signals during a
# command. Each case once crashed, lost a record or lied; each is checked
# the way a user would notice: the exit status, the message, what the store
# holds afterwards.
. "${top_srcdir:-.}/tests/fleet/lib.sh"
: "${SITREP:=$top_builddir/sitrep}"
command -v sqlite3 >/dev/null || tap_skip_all "needs the sqlite3 shell"

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data HOME=$work USER=tester
unset NO_COLOR
db=$work/s.db
s() { "$SITREP" --db "$db" -H local "$@"; }
count() { sqlite3 "$1" "select count(*) from incident" 2>/dev/null; }
# the first line of stderr of a command, and its exit status in $st
run_err() { "$@" >/dev/null 2>"$work/err"; st=$?; err=$(head -c 2000 "$work/err"); }

# --- store paths that name no file --------------------------------------------------
run_err "$SITREP" --db '' incident open --severity P2 lost
tap_is "$st" 2 "--db '': refused (exit 2)"
run_err "$SITREP" --db :memory: incident open --severity P2 lost
tap_ok "--db :memory:: refused" test "$st" -ne 0
tap_like "$err" "':memory:' is not a store" "and says nothing would be kept"
mkdir -p "$work/config/sitrep"
printf 'db ""\n' >"$work/c1.conf"
run_err "$SITREP" -c "$work/c1.conf" incident open --severity P2 lost
tap_like "$err" 'c1.conf:1: .db. is empty' "db \"\": a file:line error"
tap_is "$st" 2 "and exit 2"
printf 'db ${SITREP_NOT_SET:-}\n' >"$work/c2.conf"
run_err "$SITREP" -c "$work/c2.conf" incident open --severity P2 lost
tap_like "$err" 'c2.conf:1: .db. is empty' 'db ${UNSET:-}: a file:line error'
run_err "$SITREP" --db "$work" incident open --severity P2 lost
tap_like "$err" 'not a regular file \(a directory\)' "a directory as the store: named as such"
mkfifo "$work/fifo.db"
run_err timeout 10 "$SITREP" --db "$work/fifo.db" incident list
tap_like "$err" 'not a regular file \(a FIFO\)' "a FIFO as the store: refused, no hang"
run_err "$SITREP" --db /proc/version incident open --severity P2 lost
tap_ok "--db /proc/version: refused" test "$st" -ne 0
tap_not "and it does not blame a full disk" grep -q 'full' "$work/err"
run_err "$SITREP" --db "$work/none.db" incident list
tap_like "$err" 'no incident store here yet' "a read-only command on a missing store says so"
tap_not "and creates nothing" test -e "$work/none.db"

# --- another program's SQLite file, damaged versions --------------------------------
sqlite3 "$work/other.db" "create table t(x); insert into t values (42)"
cp "$work/other.db" "$work/other.orig"
run_err "$SITREP" --db "$work/other.db" incident list
tap_like "$err" 'other.db: not a sitrep store' "another program's database: refused by a read-only command"
run_err "$SITREP" --db "$work/other.db" incident open --severity P2 x
tap_like "$err" 'not a sitrep store' "and by a recording one"
tap_ok "and the file is byte for byte unchanged" cmp "$work/other.db" "$work/other.orig"
tap_not "no WAL was switched on" test -e "$work/other.db-wal"
sqlite3 "$work/app.db" "pragma application_id = 1234"
run_err "$SITREP" --db "$work/app.db" incident open --severity P2 x
tap_like "$err" 'application id 0x000004d2' "a database with another application id: refused"
s incident open --severity P2 first >/dev/null
tap_is "$(sqlite3 "$db" 'pragma application_id')" 1398035024 "a new store carries sitrep's application id"
cp "$db" "$work/neg.db"; sqlite3 "$work/neg.db" "pragma user_version = -3"
run_err "$SITREP" --db "$work/neg.db" incident list
tap_like "$err" 'neg.db: damaged store: schema version -3' "a negative schema version: refused with the path and number"
cp "$db" "$work/new.db"; sqlite3 "$work/new.db" "pragma user_version = 99"
run_err "$SITREP" --db "$work/new.db" incident note hi
tap_like "$err" 'schema version 99, newer' "a future schema version: refused with its number"
# a store written before the application id existed is still used
cp "$db" "$work/old.db"; sqlite3 "$work/old.db" "pragma application_id = 0"
tap_like "$("$SITREP" --db "$work/old.db" incident list)" first "an older sitrep store is read"
"$SITREP" --db "$work/old.db" incident note upgraded >/dev/null
tap_is "$(sqlite3 "$work/old.db" 'pragma application_id')" 1398035024 "and gains the application id on the next write"

# --- many sitreps creating one store at once ----------------------------------------
for i in $(seq 20); do
    "$SITREP" --db "$work/race.db" incident open --severity P3 "race $i" >/dev/null 2>"$work/race.$i" &
done
wait
tap_is "$(count "$work/race.db")" 20 "20 sitreps creating a store at once: 20 incidents"
tap_is "$(cat "$work"/race.[0-9]* | head -c 300)" "" "and none of them failed"

# --- hosts named on the command line ----------------------------------------------------
printf 'timeout 2\nhost h1\n    address 127.0.0.1\n    port 1\nhost h2\n    address 127.0.0.1\n    port 1\n' >"$work/two.conf"
for args in "h1 h2" "h1 h1" "h2 h1 h2"; do
    run_err "$SITREP" -c "$work/two.conf" status $args
    tap_is "$st" 3 "status $args: no crash, UNKNOWN (the hosts are down)"
done
tap_is "$("$SITREP" -c "$work/two.conf" status h1 h1 2>/dev/null | grep -c '^h1 ')" 1 "a host named twice is shown once"
run_err "$SITREP" -c "$work/two.conf" status h1 nosuch
tap_like "$err" "nosuch" "an unknown host is named"
tap_is "$st" 3 "and status says UNKNOWN"

# --- ids: as -i or the first argument, never ignored --------------------------------
rm -f "$db"*
for t in one two three; do s incident open --severity P2 "$t" >/dev/null; done
s incident resolve 1 --summary "done" >/dev/null
tap_is "$(sqlite3 "$db" 'select id from incident where status = "resolved"')" 1 \
    "resolve 1 resolves incident 1, not the newest open"
run_err s incident resolve 9 --summary x
tap_like "$err" 'no incident 9' "resolve of a missing id: named"
tap_is "$(sqlite3 "$db" 'select count(*) from incident where status = "resolved"')" 1 "and nothing else was resolved"
run_err s incident resolve -i 2 3
tap_like "$err" 'two incidents named' "-i 2 and a positional 3: refused"
for args in "incident list extra" "incident show 1 2" "incident open --severity P2 a b c" \
    "incident open --severity P2 --started 2026-01-01 --since-first t" \
    "incident note -i" "incident tick 0" "incident tick" "report" "stats extra"; do
    run_err s $args
    tap_ok "'$args': refused" test "$st" -ne 0
done
run_err s incident list --bogus
tap_like "$err" "unknown option '--bogus'" "an unknown option is named"
run_err s incident tick ''
tap_ok "tick '': refused" test "$st" -ne 0
run_err s incident note --severity
tap_ok "an option of another subcommand: refused" test "$st" -ne 0

# --- dates --------------------------------------------------------------------------
for d in 2026-02-31 2025-02-29 'T-1:-5' '2026-11-21T-1:-5' 1969-12-31 2999-01-01 '2026-1-1' \
    ' 2026-01-01'; do
    run_err s incident open --severity P3 --started "$d" when
    tap_like "$err" "--started '$d'" "--started '$d': refused with the value quoted"
done
n=$(count "$db")
s incident open --severity P3 --started 2024-02-29T10:00:00Z leap >/dev/null
tap_is "$(count "$db")" $((n + 1)) "2024-02-29 is a date"
id=$(s incident open --severity P2 --started "$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)" milestones)
run_err s incident milestone mitigated --at 2020-01-01T00:00:00Z
tap_like "$err" 'before' "a milestone before the start: refused"
s incident milestone mitigated --at "$(date -u -d '-1 min' +%Y-%m-%dT%H:%M:%SZ)" >/dev/null
s incident resolve "$id" --at "$(date -u -d '-30 sec' +%Y-%m-%dT%H:%M:00Z)" --summary ok >/dev/null
at=$(sqlite3 "$db" "select resolved_at % 60000 from incident where id = $id")
tap_is "$at" 0 "resolve --at is the time recorded"

# --- a resolved incident changes only through reopen --------------------------------
printf '# Restore\n\n1. **Check** (5 min)\n   ```bash\n   touch %s/ran\n   ```\n2. **Two** (5 min)\n\n   Then.\n' "$work" >"$work/rb.md"
id=$(s incident open --severity P2 --runbook "$work/rb.md" closed)
s incident resolve "$id" --summary "fixed" >/dev/null
for args in "tick 1" "severity P0" "milestone mitigated" "step start 1" "runbook $work/rb.md"; do
    run_err s incident -i "$id" $args
    tap_like "$err" 'reopen' "resolved: '$args' refused, naming reopen"
done
run_err s incident run -i "$id" --host local --step 1
tap_ok "resolved: run refused" test "$st" -ne 0
tap_not "and the command did not run" test -e "$work/ran"
tap_ok "a note is still taken" s incident -i "$id" note "late note"
run_err s incident resolve "$id" --summary "fixed"
tap_like "$err" 'already resolved' "resolving again with nothing new: refused"
tap_ok "a changed post-mortem field is taken" s incident resolve "$id" --root-cause "disk"
tap_ok "reopen" s incident reopen "$id"
tap_like "$(s incident show "$id")" 'reopened' "the reopen is in the timeline"
tap_ok "and the step starts after it" s incident -i "$id" step start 1
run_err s incident -i "$id" step start 99
tap_like "$err" 'no step 99: the runbook has steps 1-2' "step start 99 names the steps there are"
run_err s incident run -i "$id" --host local --step 99
tap_like "$err" 'no step 99' "run --step 99 names the step, not a command"

# --- signals end a command, recorded --------------------------------------------------
for sig in HUP TERM INT; do
    "$SITREP" --db "$db" -H local incident run -i "$id" --host local -- sleep 31.25 >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 50); do
        [[ $(sqlite3 "$db" "select count(*) from command_run where status = 'running'") -gt 0 ]] && break
        sleep 0.1
    done
    kill -$sig $pid
    wait $pid
    tap_is "$(sqlite3 "$db" "select status from command_run order by id desc limit 1")" cancelled \
        "SIG$sig to incident run: the command is recorded as cancelled"
done
tap_is "$(pgrep -fx "sleep 31.25" | wc -l)" 0 "and no sleep is left running"

# --- output that cannot be written --------------------------------------------------
for args in "incident list" "incident show $id" "incident list --json" "report $id" "stats" \
    "incident open --severity P3 full"; do
    run_err s $args
    out_st=$st
    "$SITREP" --db "$db" -H local $args >/dev/full 2>"$work/err"; st=$?
    tap_is "$st" 1 "'$args' > /dev/full: exit 1"
    tap_like "$(cat "$work/err")" 'cannot write the output' "and says so"
done
"$SITREP" --db "$db" -H local status --json >/dev/full 2>"$work/err"; st=$?
tap_ok "status --json > /dev/full: not OK" test "$st" -ne 0
tap_like "$(cat "$work/err")" 'cannot write the output' "and says so"

# --- report -o: only a regular file is replaced --------------------------------------
s report "$id" -o /dev/full 2>"$work/err"; st=$?
tap_ok "report -o /dev/full: fails" test "$st" -ne 0
tap_ok "and /dev/full is still a device" test -c /dev/full
mkfifo "$work/out.fifo"
timeout 10 cat "$work/out.fifo" >"$work/from-fifo" &
reader=$!
tap_ok "report -o FIFO: written in place" timeout 10 "$SITREP" --db "$db" report "$id" -o "$work/out.fifo"
wait $reader
tap_like "$(head -1 "$work/from-fifo")" '^# ' "and the reader got the report"
tap_ok "the FIFO is still a FIFO" test -p "$work/out.fifo"
echo keep >"$work/target"; ln -s "$work/target" "$work/link"
run_err s report "$id" -o "$work/link"
tap_like "$err" 'symbolic link' "report -o SYMLINK: refused"
tap_is "$(cat "$work/target")" keep "and the file it points to is unchanged"

# --- FIFOs and devices where files are read -------------------------------------------
run_err timeout 10 "$SITREP" -c "$work/out.fifo" hosts list
tap_like "$err" 'FIFO' "-c FIFO: refused, no hang"
run_err timeout 10 "$SITREP" -F "$work/out.fifo" -H 127.0.0.1 status
tap_like "$err" 'FIFO' "-F FIFO: refused, no hang"
run_err timeout 10 "$SITREP" --runbook "$work/out.fifo" runbook list
tap_like "$err" 'FIFO' "--runbook FIFO: refused, no hang"
run_err timeout 10 "$SITREP" runbook show "$work/out.fifo"
tap_like "$err" 'FIFO' "runbook show FIFO: says it is a FIFO"
run_err timeout 10 "$SITREP" runbook show /dev/zero
tap_like "$err" 'device' "runbook show /dev/zero: says it is a device"
tap_like "$("$SITREP" --runbook "$work/rb.md" runbook list)" 'Restore' "--runbook reaches runbook list"

# --- config and messages ---------------------------------------------------------------
printf '\xef\xbb\xbfinterval 5\n' >"$work/bom.conf"
tap_ok "a UTF-8 BOM in the config is accepted" "$SITREP" -c "$work/bom.conf" --db "$db" incident list
for v in nan 0x10 inf 1e3; do
    printf 'load-warn %s\n' "$v" >"$work/v.conf"
    run_err "$SITREP" -c "$work/v.conf" --db "$db" incident list
    tap_like "$err" "v.conf:1: '$v' is not a number" "load-warn $v: refused at file:line"
done
printf 'notify n\n    type json\n    url http://127.0.0.1:1/\n    events ,,,\n' >"$work/e.conf"
run_err "$SITREP" -c "$work/e.conf" --db "$db" incident list
tap_like "$err" 'e.conf:4: events' "events ,,,: refused at file:line"
# the regexes sitrep.conf(5) says are refused are refused
for re in 'a++++++++++++++' '(a{200}){100}' '(a*)+' '(a|b*){3}' '(a)\1'; do
    printf 'host h\n    address 127.0.0.1\n    check c true expect %s\n' "$re" >"$work/re.conf"
    run_err "$SITREP" -c "$work/re.conf" --db "$db" incident list
    tap_like "$err" "re.conf:3: expect regex" "expect $re: refused, as the manual says"
done
tap_like "$(grep -c 'a{200}' "$top_srcdir/man/sitrep.conf.5")" '^[1-9]' "the manual gives that example"
printf 'host h\n    address ${SITREP_NOT_SET}\n' >"$work/u.conf"
run_err "$SITREP" -c "$work/u.conf" --db "$db" incident list
tap_like "$err" 'u.conf:2: environment variable SITREP_NOT_SET is not set' \
    'an unset ${VAR} in address: an error at file:line, as the manual says'
run_err "$SITREP" --log /proc/nonexistent/log --db "$db" incident list
tap_is "$st" 2 "--log to an unwritable path: exit 2"
tap_like "$err" 'nonexistent' "and names the path"
long=$(head -c 20000 /dev/zero | tr '\0' x)
run_err s incident show "$long"
tap_ok "a 20 kB bad value: the message stays short" test "${#err}" -lt 600
run_err s incident show "$(printf 'bad\033[2J\rid')"
tap_not "and control characters never reach stderr" grep -qP '[\x00-\x08\x0b-\x1f\x7f]' "$work/err"
# titles that are not UTF-8 still give valid JSON
s incident open --severity P3 "$(printf 'caf\xe9 \xff')" >/dev/null
tap_ok "list --json with a non-UTF-8 title is valid JSON" bash -c "'$SITREP' --db '$db' incident list --json | jq -e . >/dev/null"
tap_ok "show --json likewise" bash -c "'$SITREP' --db '$db' incident show --json | jq -e . >/dev/null"
# the outbox count does not stop at 1000
sqlite3 "$db" "with recursive n(i) as (select 1 union all select i + 1 from n where i < 1500)
    insert into outbox (target, payload, created_at, next_at) select 'hook', '{}', 0, 0 from n"
tap_like "$(s notify status)" '^1500 waiting' "notify status counts past 1000"

# libssh's log, whatever LogLevel the ssh config sets, is never on stderr
printf 'Host *\n    LogLevel DEBUG3\n' >"$work/ssh.cfg"
"$SITREP" -F "$work/ssh.cfg" --log "$work/diag.log" -H 127.0.0.1:1 status >/dev/null 2>"$work/err"
tap_not "status with LogLevel DEBUG3: no libssh line on stderr" grep -q '^\[20' "$work/err"
tap_like "$(cat "$work/diag.log")" 'libssh\[' "it is in the diagnostic log instead"
tap_done
