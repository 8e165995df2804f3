#!/bin/bash
# ThreadSanitizer: the fleet against 30 hosts with faults injected (links
# down, sshd killed and frozen, docker hanging, health flapping) while the
# stress driver does what the console does. Runs when the tree is built
# with --enable-tsan (CI does); no data race may be reported.
. "${top_srcdir:-.}/tests/fleet/lib.sh"
stress=$top_builddir/tests/tsan/stress
[[ -x $stress ]] || tap_skip_all "tests/tsan/stress is not built"
nm "$stress" 2>/dev/null | grep -q __tsan_init || tap_skip_all "not a ThreadSanitizer build (configure --enable-tsan)"
: "${TSAN_HOSTS:=30}" "${TSAN_SECONDS:=60}"
fleet_up "$TSAN_HOSTS" --crash-period 30
conf=$FLEET_DIR/stress.conf
{
	echo "ssh-config $FLEET_SSH_CONFIG"
	echo "known-hosts $FLEET_DIR/known_hosts"
	echo "interval 2"
	echo "timeout 4"
	echo "stats-every 3"
	for ((i = 1; i <= TSAN_HOSTS; i++)); do
		echo "host h$i"
		echo "    health gateway http://localhost:18790/health via-ssh json status=healthy"
		echo "    check pong echo PONG expect PONG"
	done
} >"$conf"
faults() {
	local k=0 h
	while sleep 3; do
		k=$((k + 1))
		h=h$(( (k % TSAN_HOSTS) + 1 ))
		case $((k % 5)) in
		0) fleet fault "$h" link-down; sleep 4; fleet fault "$h" link-up ;;
		1) fleet fault "$h" sshd-kill; sleep 3; fleet fault "$h" sshd-start ;;
		2) fleet fault "$h" sshd-stop; sleep 4; fleet fault "$h" sshd-cont ;;
		3) fleet fault "$h" docker-hang; sleep 4; fleet fault "$h" docker-unhang ;;
		4) fleet fault "$h" health-unhealthy; sleep 2; fleet fault "$h" health-healthy ;;
		esac >/dev/null 2>&1
	done
}
faults &
fault_pid=$!
TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 report_signal_unsafe=0 suppressions=$top_srcdir/tests/tsan/suppressions.txt" \
	"$stress" "$conf" "$TSAN_SECONDS" >"$FLEET_DIR/stress.out" 2>&1
st=$?
kill "$fault_pid" 2>/dev/null
wait "$fault_pid" 2>/dev/null
tap_is "$st" 0 "the stress run ends cleanly"
races=$(grep -c 'WARNING: ThreadSanitizer' "$FLEET_DIR/stress.out")
tap_is "$races" 0 "no data race reported ($TSAN_HOSTS hosts, $TSAN_SECONDS s, faults injected)"
((races == 0)) || tap_diag "$(grep -A30 'WARNING: ThreadSanitizer' "$FLEET_DIR/stress.out" | head -120)"
tap_like "$(tail -1 "$FLEET_DIR/stress.out")" "stress: $TSAN_HOSTS hosts" "$(tail -1 "$FLEET_DIR/stress.out")"
tap_done
