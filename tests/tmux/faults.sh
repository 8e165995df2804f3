#!/bin/bash
# Faults against the fleet while the console runs: link down, sshd killed,
# sshd frozen mid-cycle, a link slowed to 2 s, authentication failure, the
# host key changed while connected, docker hanging. Each host shows the
# right state within a bounded time, the other hosts keep updating, the
# console answers keys throughout, the fleet log records what happened,
# and threads and file descriptors return to their baseline.
. "${top_srcdir:-.}/tests/fleet/lib.sh"
. "$top_srcdir/tests/tmux/lib.sh"
: "${SITREP:=$top_builddir/sitrep}"
fleet_up 4 --crash-period 30
trap '_term_cleanup; _fleet_cleanup' EXIT

work=$FLEET_DIR/sitrep
mkdir -p "$work"
export XDG_CONFIG_HOME=$work/cfg XDG_DATA_HOME=$work/data SITREP_DATADIR=$top_srcdir
db=$XDG_DATA_HOME/sitrep/sitrep.db
cp "$FLEET_SSH_CONFIG" "$work/ssh_config"
conf=$work/sitrep.conf
cat >"$conf" <<CONF
ssh-config $work/ssh_config
known-hosts $FLEET_DIR/known_hosts
interval 1
timeout 4
# the test hosts share this machine's kernel, and so its load average
load-warn 50
load-crit 100
CONF
for h in h1 h2 h3 h4; do echo "host $h" >>"$conf"; done

term_start c 140 40 env TERM=xterm-256color "$SITREP" -c "$conf"
row() { screen c | grep -E "^[^│]*[A-Z]+ +$1 " | head -1; }
state_is() { row "$1" | grep -qE "$2 +$1 "; }
up() { row "$1" | grep -qE "(OK|WARN|CRIT) +$1 "; }
all_up() { up h1 && up h2 && up h3 && up h4; }
tap_ok "all four hosts up" wait_until 30 all_up
pid=$(term_pid c)
sleep 3
threads0=$(ls /proc/"$pid"/task | wc -l)
fds0=$(ls /proc/"$pid"/fd | wc -l)
tap_diag "baseline: $threads0 threads, $fds0 fds"

# age of a host's data as shown, in seconds ("0s", "12s", "1m05s")
age() { row "$1" | grep -oE '[0-9]+(m[0-9]+)?s *│' | head -1 | sed -E 's/ *│//; s/m/*60+/; s/s$//' | bc; }
keys_answer() {
	local t0 took
	t0=$(date +%s%N)
	keys c '?'
	wait_screen c 2 'Keys \(\? or Esc closes\)' || return 1
	took=$(( ($(date +%s%N) - t0) / 1000000 ))
	keys c Escape
	sleep 0.2
	echo "$took"
}
# fault HOST WORD SECONDS DESCRIPTION: the host reaches WORD in time, the
# others keep fresh data, and a key is answered meanwhile
check_fault() {
	local h=$1 word=$2 limit=$3 what=$4 t0 took other ms
	t0=$(date +%s%N)
	wait_until "$limit" state_is "$h" "$word"; local st=$?
	took=$(( ($(date +%s%N) - t0) / 1000000 ))
	ok $st "$what: $h is $word within ${limit} s (${took} ms)"
	for other in h1 h2 h3 h4; do
		[[ $other == "$h" ]] && continue
		state_is "$other" 'DOWN|UNTRUSTED' && continue	# a host still recovering
		a=$(age "$other")
		ok $(( ${a:-99} <= 4 ? 0 : 1 )) "$what: $other keeps updating (data ${a:-?} s old)"
		break
	done
	ms=$(keys_answer)
	ok $? "$what: the console answers a key (${ms:-?} ms)"
}
recovered() { wait_until "$2" up "$1"; }

fleet fault h1 link-down
check_fault h1 DOWN 8 "link down"
fleet fault h1 link-up
tap_ok "link up: h1 back by itself" recovered h1 20

fleet fault h2 sshd-kill
check_fault h2 DOWN 8 "sshd killed"
fleet fault h2 sshd-start
tap_ok "sshd started: h2 back by itself" recovered h2 20

fleet fault h3 sshd-stop
check_fault h3 DOWN 10 "sshd frozen mid-cycle"
fleet fault h3 sshd-cont
tap_ok "sshd thawed: h3 back" recovered h3 20

fleet fault h3 docker-hang
check_fault h3 UNKNOWN 12 "docker hangs"
tap_like "$(keys c j j; sleep 1; screen c)" "did not answer in time" "the host pane says the engine did not answer"
keys c k k
fleet fault h3 docker-unhang
tap_ok "docker back: h3 recovers" recovered h3 20

# a link slowed to 2 s: new sessions go through the latency proxy
fleet fault h4 lag 2000
fleet fault h4 sshd-kill
fleet fault h4 sshd-start
slow_ok() { up h4 && (( $(age h4) <= 8 )); }
tap_ok "a 2 s link: h4 reconnects and keeps reporting" wait_until 60 slow_ok
check_fault h4 'OK|WARN|CRIT' 5 "slow link"
fleet fault h4 lag 0
fleet fault h4 sshd-kill
fleet fault h4 sshd-start
tap_ok "fast again: h4 up" recovered h4 30

# authentication failure: h2 offers a key the host does not know
ssh-keygen -q -t ed25519 -N '' -f "$work/wrong_key"
awk -v k="$work/wrong_key" '/^Host h2$/ {h=1} /^Host / && !/^Host h2$/ {h=0}
	h && /IdentityFile/ {print "    IdentityFile " k; next} {print}' "$FLEET_SSH_CONFIG" >"$work/ssh_config"
fleet fault h2 sshd-kill
fleet fault h2 sshd-start
auth_failed() { row h2 | grep -qE 'DOWN +h2 +authenticati'; }
tap_ok "authentication failure: h2 DOWN, the reason says so" wait_until 20 auth_failed
check_fault h2 DOWN 5 "authentication failure"
cp "$FLEET_SSH_CONFIG" "$work/ssh_config"
tap_ok "the right key again: h2 back" recovered h2 30

# the host key changes while sitrep is connected: reconnecting must refuse
sum=$(sha256sum "$FLEET_DIR/known_hosts")
fleet fault h1 rekey
sleep 2
tap_ok "rekeyed while connected: the open session goes on" up h1
fleet fault h1 sshd-kill
fleet fault h1 sshd-start
key_refused() { row h1 | grep -qE 'UNTRUSTED +h1 +HOST KEY CH'; }
tap_ok "host key changed: h1 refused loudly (UNTRUSTED, HOST KEY CHANGED)" wait_until 20 key_refused
check_fault h1 UNTRUSTED 5 "host key changed"
tap_is "$(sha256sum "$FLEET_DIR/known_hosts")" "$sum" "known_hosts untouched"

# the fleet log recorded it all
log=$(sqlite3 "$db" "select host || ' ' || kind from event where source='fleet'")
for want in "h1 lost" "h1 back" "h2 lost" "h3 lost" "h1 key"; do
	tap_like "$log" "$want" "the timeline recorded: $want"
done

# after recovery: threads and descriptors back to the baseline
sleep 5
threads1=$(ls /proc/"$pid"/task | wc -l)
fds1=$(ls /proc/"$pid"/fd | wc -l)
tap_is "$threads1" "$threads0" "threads back to the baseline"
ok $(( fds1 <= fds0 + 1 ? 0 : 1 )) "file descriptors back to the baseline ($fds1 vs $fds0; h1 is refused)"
keys c q
tap_ok "q quits" wait_screen c 5 '__EXITED__ 0'
tap_done
