# A real PostgreSQL server for the tests, started in a temporary directory
# (initdb as the postgres user: it refuses to run as root), listening on a
# Unix socket there and on a loopback port, stopped by pg_down.
#
#   . tests/pg/pg.sh; pg_up DIR; ...; pg_down DIR
#
# pg_up returns 2 when no server is installed, 1 when it would not start.
# DIR's parent must be open to the postgres user (mktemp -d makes it 0700).
#
# After pg_up: PG_SOCK (the socket directory), PG_PORT, PG_URL (a
# superuser URI on the socket) and PG_BIN.

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

pg_as() {	# runs a command as the server's owner when we are root
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_up() {
	dir=$1
	[ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || { echo "no PostgreSQL server installed" >&2; return 2; }
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres "$dir"
	chmod 700 "$dir"
	pg_as "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth-local=trust \
		--auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; return 1; }
	# a free loopback port: the first one nothing listens on
	PG_PORT=$(( 20000 + ($$ % 20000) ))
	while ss -ltn 2>/dev/null | grep -q ":$PG_PORT "; do PG_PORT=$((PG_PORT + 1)); done
	PG_SOCK=$dir
	pg_start "$dir" || { cat "$dir/server.log" >&2; return 1; }
	PG_URL="postgresql://postgres@/postgres?host=$dir&port=$PG_PORT"
	export PG_SOCK PG_PORT PG_URL
}

pg_start() {	# pg_start DIR: (again) the server pg_up made in DIR, on its socket and port
	pg_as "$PG_BIN/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 30 \
		-o "-k $1 -p $PG_PORT -h 127.0.0.1 -c fsync=off -c max_connections=60" start >/dev/null 2>&1
}

pg_stop() {	# pg_stop DIR: the server killed as by a crash (immediate: no checkpoint)
	[ -d "$1/data" ] && pg_as "$PG_BIN/pg_ctl" -D "$1/data" -m immediate -w stop >/dev/null 2>&1
}

# pg_test_server NAME: for a TAP test (tests/fleet/lib.sh loaded): skips
# without root or a server (fails instead under SITREP_REQUIRE_FLEET),
# makes $work (a temporary directory, removed at exit with its server) and
# starts the server in $work/pg. A test with more to clean at exit sets
# its own trap, ending with pg_test_cleanup.
pg_test_cleanup() { pg_down "$work/pg"; rm -rf "$work"; }
pg_test_server() {
	if [[ -n ${SITREP_REQUIRE_FLEET:-} ]]; then
		tap_skip_all() { bail_out "PostgreSQL is required here: $1"; }
	fi
	[[ $(id -u) -eq 0 ]] || tap_skip_all "the test server is started as the postgres user: needs root"
	work=$(mktemp -d "${TMPDIR:-/tmp}/sitrep-$1.XXXXXX")
	chmod 711 "$work"	# the postgres user goes through it
	trap pg_test_cleanup EXIT
	pg_up "$work/pg"
	case $? in
	0) ;;
	2) tap_skip_all "no PostgreSQL server here (apt-get install postgresql)" ;;
	*) bail_out "the PostgreSQL test server did not start" ;;
	esac
}

pg_psql() {	# psql as the superuser on the test server: pg_psql DB -c SQL
	db=$1; shift
	psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d "$db" "$@"
}

pg_down() {
	pg_stop "$1"
	rm -rf "$1"
}
