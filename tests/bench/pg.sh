#!/bin/bash
# The shared store's costs, against a real PostgreSQL server started here
# (tests/pg/pg.sh), from the built tree (top_builddir, default .):
#
#   1. follow latency: one sitrep records a note, another on its own
#      connection, waiting in poll() on the store, reads it (tests/bench/
#      follow.c): p50, p99 and max over BENCH_FOLLOW (200) notes.
#   2. the 100k-event report (tests/bench/mkstore.c) from SQLite and from
#      the same store copied into PostgreSQL (store migrate): wall time of
#      `sitrep report`, best and median of 3, and the copy's time.
#
# Needs root (the server runs as the postgres user). Prints a table.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${top_builddir:-$top}
: "${BENCH_FOLLOW:=200}" "${BENCH_EVENTS:=100000}" "${BENCH_COMMANDS:=1000}"
. "$top/tests/pg/pg.sh"
work=$(mktemp -d /tmp/sitrep-pgbench.XXXXXX)
chmod 711 "$work"
trap 'pg_down "$work/pg"; rm -rf "$work"' EXIT
: >"$work/empty.conf"
pg_up "$work/pg" || { echo "pg.sh: no PostgreSQL server" >&2; exit 1; }
pg_psql postgres -c "CREATE DATABASE follow" -c "CREATE DATABASE report" >/dev/null

flags=$(printf 'p:\n\t@echo $(DEFS) $(AM_CFLAGS) $(CFLAGS)\n' | make -s -C "$B" -f Makefile -f - p)
libs=$(printf 'p:\n\t@echo $(DEP_LIBS) $(LIBS)\n' | make -s -C "$B" -f Makefile -f - p)
for h in follow mkstore; do
	# shellcheck disable=SC2086
	gcc $flags -I"$B" -I"$top/include" -o "$work/$h" "$top/tests/bench/$h.c" "$B/libsitrep.a" \
		$libs -lpthread || exit 1
done
pct() {	# pct P: the P-th percentile of numbers on stdin
	sort -n | awk -v p="$1" '{ v[NR] = $1 } END { i = int((NR * p + 99) / 100); if (i < 1) i = 1; print v[i] }'
}
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
url="postgresql://postgres@/follow?host=$PG_SOCK&port=$PG_PORT"
"$work/follow" "$url" "$BENCH_FOLLOW" >"$work/follow.txt" || exit 1
f50=$(pct 50 <"$work/follow.txt") f99=$(pct 99 <"$work/follow.txt") fmax=$(pct 100 <"$work/follow.txt")

id=$("$work/mkstore" "$work/report.db" "$BENCH_EVENTS" "$BENCH_COMMANDS") || exit 1
rurl="postgresql://postgres@/report?host=$PG_SOCK&port=$PG_PORT"
t0=$(date +%s%N)
"$B/sitrep" store migrate --from "$work/report.db" --to "$rurl" >/dev/null || exit 1
copy=$(( ($(date +%s%N) - t0) / 1000000 ))
timed() {	# timed STORE: ms of 3 reports, one per line
	for _ in 1 2 3; do
		local a; a=$(date +%s%N)
		"$B/sitrep" -c "$work/empty.conf" --db "$1" report "$id" -o "$work/r.md" || return 1
		echo $(( ($(date +%s%N) - a) / 1000000 ))
	done
}
timed "$work/report.db" >"$work/lite.txt" && timed "$rurl" >"$work/pg.txt" || exit 1
"$B/sitrep" -c "$work/empty.conf" --db "$work/report.db" report "$id" -o "$work/lite.md"
"$B/sitrep" -c "$work/empty.conf" --db "$rurl" report "$id" -o "$work/pg.md"
same=no; cmp -s "$work/lite.md" "$work/pg.md" && same=yes

printf '\nshared store (PostgreSQL %s, local socket), load average %s\n' \
	"$("$PG_BIN/postgres" --version | awk '{ print $3 }')" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-52s %s\n' "follow latency, $BENCH_FOLLOW notes: p50 / p99 / max" \
	"$(ms "$f50") / $(ms "$f99") / $(ms "$fmax") ms"
printf '%-52s %s\n' "report, $BENCH_EVENTS events: SQLite best / median" \
	"$(sort -n "$work/lite.txt" | head -1) / $(sort -n "$work/lite.txt" | sed -n 2p) ms"
printf '%-52s %s\n' "report, same incident: PostgreSQL best / median" \
	"$(sort -n "$work/pg.txt" | head -1) / $(sort -n "$work/pg.txt" | sed -n 2p) ms"
printf '%-52s %s\n' "the two reports byte for byte the same" "$same"
printf '%-52s %s\n' "store migrate SQLite -> PostgreSQL" "$copy ms"
