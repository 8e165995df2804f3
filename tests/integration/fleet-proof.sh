#!/usr/bin/env bash
# fleet-proof: the test fleet itself works (3 hosts) and cleans up after
# itself.  Every later integration test relies on what is checked here.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
# shellcheck source=../fleet/lib.sh
. "$top_srcdir/tests/fleet/lib.sh"

fleet_up 3 --crash-period 2
fssh h1 command -v curl >/dev/null || bail_out "curl is not installed (apt-get install curl)"

plan 47

hosts=(h1 h2 h3)

# ---- containers, seen through each host's own ssh + docker
for h in "${hosts[@]}"; do
    ps_json=$(fssh "$h" "docker ps -a --format '{{json .}}'" 2>&1)
    web=$(grep '"Names":"web"' <<<"$ps_json")
    tap_like "$web" '"State":"running"' "$h: web is running (docker ps over ssh)"
    job=$(grep '"Names":"job"' <<<"$ps_json")
    tap_like "$job" '"Status":"Exited \(7\)' "$h: job exited with code 7 (docker ps)"
done

tap_is "$(fssh h1 docker inspect --format '{{.State.ExitCode}}' job)" 7 "h1: docker inspect job ExitCode is 7"
tap_is "$(fssh h2 docker inspect --format '{{.State.Health.Status}}' web)" healthy "h2: web health check is healthy (docker inspect)"
tap_like "$(fssh h3 podman ps --format '{{.Names}}')" 'web' "h3: plain podman over ssh sees the host's containers"

# the bot crash-loops: its RestartCount grows between two observations
restarts() { fssh "$1" docker inspect --format '{{.RestartCount}}' bot; }
r1=$(restarts h1)
tap_like "$r1" '^[0-9]+$' "h1: bot RestartCount is a number ($r1)"
bot_restarted() { local r; r=$(restarts h1) && [[ $r =~ ^[0-9]+$ ]] && ((r > r1)); }
tap_ok "h1: bot RestartCount grows (was $r1)" wait_until 20 bot_restarted
tap_like "$(fssh h1 docker logs bot 2>&1)" 'bot: fatal: lost connection' "h1: bot logs its crash"

# ---- the health endpoint, only inside each host
health() { fssh "$1" "curl -s -m 5 -w ' %{http_code}' http://127.0.0.1:18790/health"; }
for h in "${hosts[@]}"; do
    tap_is "$(health "$h")" '{"status":"healthy"} 200' "$h: /health answers 200 healthy"
done
fleet fault h2 health-unhealthy
tap_is "$(health h2)" '{"status":"unhealthy"} 503' "h2: /health answers 503 unhealthy after the fault"
tap_is "$(health h1)" '{"status":"healthy"} 200' "h1: unaffected by h2's fault"
fleet fault h2 health-healthy
tap_is "$(health h2)" '{"status":"healthy"} 200' "h2: /health healthy again"
tap_not "health port is not reachable from outside the host" \
    curl -s -m 2 "http://$(fleet ip h1):18790/health"

# ---- each host is its own machine
tap_is "$(fssh h2 hostname)" h2 "h2 has its own hostname"
tap_is "$(fssh h3 cat /proc/sys/kernel/hostname)" h3 "h3 has its own UTS namespace"
fssh h1 'dd if=/dev/zero of=/srv/data/x bs=1M count=1 2>/dev/null'
tap_ok "/srv/data/x exists on h1" fssh h1 test -e /srv/data/x
tap_not "/srv/data is private to each host" fssh h2 test -e /srv/data/x
tap_like "$(fssh h1 'df -k /srv/data | tail -1')" ' 16384 ' "/srv/data is a 16 MB tmpfs"
tap_is "$(fssh h1 'echo $PATH')" /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    "sshd sessions get a plain PATH (root's real .bashrc with pyenv does not run)"
tap_is "$(fleet ip h2)" "$(awk '$1=="h2"{print $2}' "$FLEET_DIR/hosts")" "fleet.sh ip agrees with DIR/hosts"

# ---- strict host key checking is in force
tap_ok "ssh_config sets StrictHostKeyChecking yes" grep -q 'StrictHostKeyChecking yes' "$FLEET_SSH_CONFIG"
empty_kh=$FLEET_DIR/empty_known_hosts
: >"$empty_kh"
out=$(ssh -F "$FLEET_SSH_CONFIG" -o UserKnownHostsFile="$empty_kh" -o ConnectTimeout=5 h1 true </dev/null 2>&1)
st=$?
tap_like "$st $out" '^[1-9][0-9]* .*Host key verification failed' "a host whose key is not in known_hosts is refused"
fleet fault h3 rekey
out=$(fssh h3 true 2>&1)
st=$?
tap_like "$st $out" '^[1-9][0-9]* .*REMOTE HOST IDENTIFICATION HAS CHANGED' "after rekey, h3 is refused: host key changed"
tap_ok "h1 still accepted" fssh h1 true

# ---- the other faults every later test relies on
fleet fault h1 container-unhealthy
tap_is "$(fssh h1 docker inspect --format '{{.State.Health.Status}}' web)" unhealthy "container-unhealthy: web is unhealthy"
fleet fault h1 container-healthy
tap_is "$(fssh h1 docker inspect --format '{{.State.Health.Status}}' web)" healthy "container-healthy: web is healthy again"

printf 'bad \033[31mred\033]0;title\007 \xff\xfe {"status":' >"$FLEET_DIR/hostile.bin"
fleet fault h1 health-body "$FLEET_DIR/hostile.bin"
tap_is "$(fssh h1 'curl -s http://127.0.0.1:18790/health | od -An -tx1' | tr -d ' \n')" \
    "$(od -An -tx1 <"$FLEET_DIR/hostile.bin" | tr -d ' \n')" "health-body: /health serves the file's exact bytes"
fleet fault h1 health-healthy

fleet fault h1 disk-fill
tap_not "disk-fill: writing to /srv/data fails" fssh h1 'echo x >/srv/data/more'
fleet fault h1 disk-free
tap_ok "disk-free: writing to /srv/data works again" fssh h1 'echo x >/srv/data/more'

fleet fault h2 docker-hang
tap_not "docker-hang: docker on h2 hangs" timeout 1.5 ssh -F "$FLEET_SSH_CONFIG" h2 docker ps
tap_ok "docker-hang: ssh to h2 still works" fssh h2 true
fleet fault h2 docker-unhang
tap_ok "docker-unhang: docker on h2 answers again" fssh h2 docker ps

fleet fault h1 link-down
tap_not "link-down: h1 is unreachable" fssh -o ConnectTimeout=1 h1 true
fleet fault h1 link-up
tap_ok "link-up: h1 is reachable again" fssh h1 true

fleet fault h2 lag 200
t0=$(date +%s%N)
fssh h2 true
t1=$(date +%s%N)
lag_ms=$(( (t1 - t0) / 1000000 ))
# an ssh command needs at least 5 round trips (TCP, banners, key exchange,
# auth, channel)
tap_ok "lag 200: an ssh command to h2 takes >= 1 s (took ${lag_ms} ms)" test "$lag_ms" -ge 1000
fleet fault h2 lag 0
tap_is "$(ssh -G -F "$FLEET_SSH_CONFIG" h2 </dev/null 2>/dev/null | awk '$1=="port"{print $2}')" 22 "lag 0: ssh_config points at port 22 again"
tap_ok "lag 0: h2 answers" fssh h2 true

# ---- cleanup: nothing of the fleet is left after down
slot=$FLEET_SLOT
mapfile -t pids < <(cat "$FLEET_DIR"/h*/*.pid "$FLEET_DIR"/keeper.pid 2>/dev/null | awk '{print $1}')
# a pid names the same process only while its start time is the same: after
# down, another suite's new process may have been given a freed pid
started() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $20}'; }
declare -A start
for p in "${pids[@]}"; do start[$p]=$(started "$p"); done
cids=()
for d in "$FLEET_DIR"/h*/root/overlay-containers/*/; do
    d=${d%/}; d=${d##*/}
    [[ $d =~ ^[0-9a-f]{64}$ ]] && cids+=("$d")
done
fleet down
tap_is "$(ip netns list | grep "^sitrep-s$slot-h")" "" "no network namespace of slot $slot is left"
tap_is "$(ip -o link show | grep "sitrep-s$slot-h")" "" "no veth of slot $slot is left"
# what of the fleet still runs: its recorded processes (the same ones, by
# start time) and any process still naming the fleet's directory (sshd -f,
# healthd --dir, podman, conmon)
fleet_left() {
    left=""
    for p in "${pids[@]}"; do
        [[ -n ${start[$p]} && $(started "$p") == "${start[$p]}" ]] || continue
        [[ $(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1) != Z ]] && left+=" $p($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-60))"
    done
    for f in /proc/[0-9]*/cmdline; do
        p=${f#/proc/}; p=${p%/cmdline}
        [[ $p == "$$" || $p == "$BASHPID" ]] && continue
        grep -qF -- "$FLEET_DIR" "$f" 2>/dev/null && left+=" $p($(tr '\0' ' ' <"$f" | cut -c1-60))"
    done
    [[ -z $left ]]
}
# a process killed by down may take a moment to be reaped on a busy machine;
# one that is still there after 5 s was left behind
wait_until 5 fleet_left || true
fleet_left
tap_is "$left" "" "no process of the fleet is left"
cg_left=""
# Another test may take the freed slot at once (make -j2 check): look at the
# slot's host cgroups only while holding the slot's lock ourselves.
rundir=/run/sitrep-fleet
exec {slotfd}>"$rundir/slot-$slot.lock"
if flock -w 30 "$slotfd"; then
    for d in /sys/fs/cgroup/*/"sitrep-s$slot-h"* /sys/fs/cgroup/"sitrep-s$slot-h"*; do
        [[ -d $d ]] && cg_left+=" $d"
    done
fi
for c in "${cids[@]}"; do
    for d in /sys/fs/cgroup/*/libpod_parent/libpod-"$c" /sys/fs/cgroup/libpod_parent/libpod-"$c"; do
        [[ -d $d ]] && cg_left+=" $d"
    done
done
tap_is "${cg_left# }" "" "no container cgroup of the fleet is left (${#cids[@]} containers)"
exec {slotfd}>&-

tap_done
