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
	pg_as "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
		-o "-k $dir -p $PG_PORT -h 127.0.0.1 -c fsync=off -c max_connections=60" start \
		>/dev/null 2>&1 || { cat "$dir/server.log" >&2; return 1; }
	PG_URL="postgresql://postgres@/postgres?host=$dir&port=$PG_PORT"
	export PG_SOCK PG_PORT PG_URL
}

pg_psql() {	# psql as the superuser on the test server: pg_psql DB -c SQL
	db=$1; shift
	psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d "$db" "$@"
}

pg_down() {
	dir=$1
	[ -d "$dir/data" ] && pg_as "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$dir"
}
