#!/bin/bash
# Containers by the engine's events, against a real host (podman's Docker
# API over the host's session): once the events are watched, a cycle with
# nothing happening asks the engine nothing (no list, no inspect); a
# container stopped, started, created or removed on the host is shown
# within a second, though the interval is longer, with only that container
# inspected and no list.
. "${top_srcdir:-.}/tests/fleet/lib.sh"
: "${DRIVER:=$top_builddir/tests/integration/fleet-driver}"
[[ -x $DRIVER ]] || tap_skip_all "tests/integration/fleet-driver is not built"
# nothing moves on its own: bot does not crash, web's health check runs once
export FLEET_HEALTH_INTERVAL=3600
fleet_up 1 --crash-period 3600

work=$FLEET_DIR/sitrep
mkdir -p "$work"
conf=$work/sitrep.conf
sitrep_conf "$conf" 3
sed -i 's/^interval 1$/interval 3/' "$conf"
printf 'host h1\n    containers docker\n' >>"$conf"
log=$work/sitrep.log
out=$work/driver.out
SITREP_LOG=$log timeout 120 "$DRIVER" "$conf" 60 h1 web late >"$out" 2>"$work/driver.err" &
driver=$!
trap 'kill $driver 2>/dev/null; _fleet_cleanup' EXIT

plan 10

watching() { grep -q 'h1: engine: watching events' "$log"; }
tap_ok "the engine's events are watched after the first cycles" wait_until 20 watching
pubs() { wc -l <"$out"; }
asks() { grep -c 'h1: engine: [0-9]* list' "$log"; }

# idle: cycles go on (interval 3), the engine is asked nothing
sleep 1
p0=$(pubs); a0=$(asks)
sleep 10
p1=$(pubs); a1=$(asks)
ok $(( p1 - p0 >= 3 ? 0 : 1 )) "idle: the host is still probed ($((p1 - p0)) cycles in 10 s)"
tap_is "$((a1 - a0))" 0 "idle: no list and no inspect asked of the engine in those cycles"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# change COLUMN STATE CMD...: runs CMD on h1, then prints how many ms after it
# returned the driver showed the container of COLUMN in STATE (empty: never)
change() {
	local col=$1 want=$2 since n=0 got
	shift 2
	fleet exec h1 "$@" >/dev/null 2>&1
	since=$(now_ms)
	while (( n++ < 50 )); do
		got=$(awk -v s="$since" -v c="$col" -v w="$want" '$c == w && $2 >= s { print $2 - s; exit }' "$out")
		[[ -n $got ]] && break
		sleep 0.1
	done
	echo "$got"
}
last_ask() { grep 'h1: engine: [0-9]* list' "$log" | tail -n 1 | sed 's/.*engine: //'; }

took=$(change 4 exited docker stop -t 0 web)
ok $(( ${took:-9999} < 1000 ? 0 : 1 )) "web stopped on the host: shown exited ${took:-never} ms after the stop returned"
tap_like "$(last_ask)" "^0 list, [1-3] inspect \\(events\\)$" "and only web was inspected, without a list"
took=$(change 4 running docker start web)
ok $(( ${took:-9999} < 1000 ? 0 : 1 )) "web started on the host: shown running ${took:-never} ms after the start returned"
took=$(change 5 running docker run -d --name late --network none localhost/fleet:latest sleep 600)
ok $(( ${took:-9999} < 1000 ? 0 : 1 )) "a new container: shown running ${took:-never} ms after it was made"
took=$(change 5 - docker rm -f late)
ok $(( ${took:-9999} < 1000 ? 0 : 1 )) "a removed container: gone from the list ${took:-never} ms after it was removed"
tap_is "$(awk '{ print $4 }' "$out" | tail -n 1)" running "web is still shown running"
lists=$(grep 'h1: engine: [0-9]* list' "$log" | awk '{ for (i = 1; i <= NF; i++) if ($i == "list,") s += $(i - 1) } END { print s + 0 }')
tap_is "$lists" 1 "one full list in all: the one the watch began with"
tap_done
