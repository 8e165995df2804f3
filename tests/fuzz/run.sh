#!/bin/bash
# Runs the libFuzzer targets of a --enable-fuzzing build for a while each.
#
#     tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
#
# TARGET is a name such as "conf" or "fuzz-conf" (default: every target
# built in BUILD_DIR/tests/fuzz). Each target runs on a copy of its seed
# corpus (tests/fuzz/corpus/NAME), never on the source tree, with its
# dictionary when there is one. Prints one line per target:
#
#     NAME execs=N cov=N ft=N corp=N/SIZE
#
# and, for a target that crashed, leaked, timed out or ran out of memory,
# the reproducer's path, its base64 and the end of libFuzzer's log. Exits 1
# if any target failed. FUZZ_WORK=DIR keeps the work files there (by
# default a fresh temporary directory, removed when every target passed).
set -u

usage() {
	echo "usage: $0 BUILD_DIR SECONDS [TARGET...]" >&2
	exit 2
}
[ $# -ge 2 ] || usage
build=$1
seconds=$2
shift 2
case $seconds in '' | *[!0-9]*) usage ;; esac
here=$(cd "$(dirname "$0")" && pwd)
bindir=$build/tests/fuzz
[ -d "$bindir" ] || { echo "$0: no $bindir: configure with --enable-fuzzing and make" >&2; exit 2; }

if [ $# -eq 0 ]; then
	for f in "$bindir"/fuzz-*; do
		[ -x "$f" ] && [ -f "$f" ] && set -- "$@" "$(basename "$f")"
	done
	[ $# -gt 0 ] || { echo "$0: no fuzz target built in $bindir" >&2; exit 2; }
fi

if [ -n "${FUZZ_WORK:-}" ]; then
	work=$FUZZ_WORK
	mkdir -p "$work" || exit 2
	keep=1
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/sitrep-fuzz.XXXXXX") || exit 2
	keep=0
fi

# UBSan reports abort the run (the fuzzing build does not add
# -fno-sanitize-recover); leaks are checked after every input.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# the parsers must not depend on the environment's language
export LC_ALL=C.UTF-8

dict_for() {
	case $1 in
	conf) echo conf.dict ;;
	runbook) echo markdown.dict ;;
	theme) echo theme.dict ;;
	sanitize) echo sanitize.dict ;;
	docker-ps | docker-inspect | docker-stats | health | http) echo json.dict ;;
	probe | df | meminfo | systemd) echo probe.dict ;;
	*) [ -f "$here/dict/$1.dict" ] && echo "$1.dict" ;;
	esac
}

failed=0
for target in "$@"; do
	name=${target#fuzz-}
	bin=$bindir/fuzz-$name
	if [ ! -x "$bin" ]; then
		echo "$name MISSING: no $bin"
		failed=1
		continue
	fi
	corpus=$work/corpus-$name
	artifacts=$work/artifacts-$name
	log=$work/$name.log
	rm -rf "$corpus"
	mkdir -p "$corpus" "$artifacts"
	[ -d "$here/corpus/$name" ] && cp -R "$here/corpus/$name/." "$corpus/"
	args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
	    -artifact_prefix="$artifacts/")
	if [ "$name" = runbook ]; then
		args+=(-max_len=1048576)
	else
		args+=(-max_len=65536)
	fi
	dict=$(dict_for "$name")
	[ -n "$dict" ] && args+=(-dict="$here/dict/$dict")

	# libFuzzer stops itself; the outer limit only catches a hang outside an input
	timeout -k 10 $((seconds + 120)) "$bin" "${args[@]}" "$corpus" >"$log" 2>&1
	rc=$?

	stats=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	[ -n "$execs" ] || execs=$(printf '%s\n' "$stats" | sed -n 's/^#\([0-9]*\).*/\1/p')
	field() { printf '%s\n' "$stats" | sed -n "s/.* $1: \([^ ]*\).*/\1/p"; }
	line="$name execs=${execs:-0} cov=$(field cov) ft=$(field ft) corp=$(field corp)"
	if [ $rc -eq 0 ]; then
		echo "$line"
		continue
	fi
	failed=1
	echo "$line FAILED (exit $rc)"
	reason=$(grep -m1 -E '^==[0-9]+==ERROR|^SUMMARY|broken promise|runtime error|ERROR: libFuzzer|timeout after|out-of-memory' "$log")
	[ -n "$reason" ] && echo "  $reason"
	found=0
	for f in $(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log"); do
		found=1
		echo "  reproducer: $f"
		echo "  rerun: $bin $f"
		if [ "$(wc -c <"$f")" -le 8192 ]; then
			echo "  base64:"
			base64 <"$f" | sed 's/^/    /'
		fi
	done
	[ $found -eq 1 ] || echo "  no reproducer written; log: $log"
	echo "  --- end of $log"
	tail -40 "$log" | sed 's/^/  | /'
	keep=1
done

if [ $keep -eq 0 ]; then
	rm -rf "$work"
else
	echo "work files: $work"
fi
exit $failed
