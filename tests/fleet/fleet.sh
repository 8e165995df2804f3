#!/usr/bin/env bash
# fleet.sh: a fleet of fake hosts for sitrep's integration tests.
#
# Each host is a network namespace (veth pair in 10.213.0.0/16) plus its own
# mount and UTS namespaces, held open by one small "holder" process.  Inside
# it run a real sshd (own ed25519 host key), podman with its own storage and a
# `podman system service` (Docker API), the health server healthd on
# 127.0.0.1:18790, and three containers: web (healthy), bot (crash loop, exit
# 3), job (exited 7).  See `fleet.sh help` and tests/fleet/README.md.
#
# Everything the fleet starts is found again through PID files, the host's
# network namespace (`ip netns pids`) and the host's cgroups
# (/sys/fs/cgroup/*/sitrep-sK-hI): never by process name.
#
# shellcheck disable=SC2207,SC2046  # PIDs and fixed argument lists: split on purpose
set -euo pipefail
[[ -n ${FLEET_DEBUG:-} ]] && set -x

FLEET_SH=$(readlink -f "${BASH_SOURCE[0]}")
FLEET_SRC=$(dirname "$FLEET_SH")
: "${top_srcdir:=$FLEET_SRC/../..}"
: "${top_builddir:=$top_srcdir}"
# automake passes relative paths; commands run inside a host (nsenter -m
# resets the cwd) need absolute ones
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)

MAX_N=30
MAX_SLOTS=8
HEALTH_PORT=18790     # inside each host's namespace
LAG_PORT=2222         # lag proxy, inside each host's namespace
IMAGE=localhost/fleet:latest
IMAGE_RECIPE=3        # bump when the image contents change
HOST_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

if [[ $(id -u) -eq 0 ]]; then
    FLEET_MODE_DEFAULT=netns
    CACHE=${FLEET_CACHE:-/var/tmp/sitrep-fleet}
    RUNDIR=${FLEET_RUNDIR:-/run/sitrep-fleet}
else
    FLEET_MODE_DEFAULT=loopback
    CACHE=${FLEET_CACHE:-/tmp/sitrep-fleet-$(id -u)}
    RUNDIR=${FLEET_RUNDIR:-${XDG_RUNTIME_DIR:-/tmp}/sitrep-fleet-run-$(id -u)}
fi

die() { echo "fleet.sh: $*" >&2; exit 1; }
warn() { echo "fleet.sh: $*" >&2; }
msleep() { sleep "$1"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# phase NAME: records how long `up` took to get here (DIR/up-timing.log)
phase() { echo "$(( $(now_ms) - UP_T0 )) ms $1" >>"$FLEET_DIR/up-timing.log"; }

usage() {
    cat <<'EOF'
usage:
  fleet.sh up DIR N [--crash-period S] [--slot K] [--owner PID [--rm-dir-on-owner-exit]]
                    [--no-containers]
  fleet.sh down DIR
  fleet.sh fault DIR HOST FAULT [ARG]
  fleet.sh exec DIR HOST CMD [ARG...]
  fleet.sh ssh DIR HOST [CMD...]
  fleet.sh ip DIR HOST
  fleet.sh status DIR
  fleet.sh check            (exit 0 if this machine can run a full fleet, else
                             print what is missing and exit 1)

up      starts hosts h1..hN (N <= 30) in a free slot (0-7) and returns once every
        host answers `ssh hN true`.  --owner PID: tear the fleet down by itself
        when process PID exits (lib.sh passes the test's PID), and then also
        remove DIR with --rm-dir-on-owner-exit.
faults  link-down link-up sshd-kill sshd-start sshd-stop sshd-cont
        health-unhealthy health-healthy health-body FILE health-status CODE
        health-delay MS disk-fill disk-free rekey docker-hang docker-unhang
        lag MS (added round-trip time; lag 0 = direct again)
        container-unhealthy container-healthy
        blackhole PORT (127.0.0.1:PORT in the host takes no connection: SYNs
        are dropped) blackhole-off
EOF
}

# ---------------------------------------------------------------- helpers

# pid_alive PID: true if PID exists and is not a zombie
pid_alive() {
    local pid=$1 l
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    { read -r l <"/proc/$pid/stat"; } 2>/dev/null || return 1
    l=${l##*) }
    [[ ${l:0:1} != Z && ${l:0:1} != X ]]
}

# wait_gone PID...: waits (5 s at most) until the processes, killed with -9,
# are gone: the kernel takes a while to end one under load, and `down`
# returns only once nothing of the fleet runs
wait_gone() {
    local p deadline=$((SECONDS + 5))
    for p; do
        while pid_alive "$p" && ((SECONDS < deadline)); do sleep 0.05; done
    done
}

# proc_state PID: the one-letter state (R S D T Z ...)
proc_state() {
    local l
    { read -r l <"/proc/$1/stat"; } 2>/dev/null || return 0
    l=${l##*) }
    echo "${l:0:1}"
}

readpid() {
    local p=""
    { read -r p _ <"$1"; } 2>/dev/null || true
    [[ $p =~ ^[0-9]+$ ]] && echo "$p"
    return 0
}

# proc_start PID: the process start time (to tell a reused PID apart)
proc_start() {
    local l
    { read -r l <"/proc/$1/stat"; } 2>/dev/null || return 0
    l=${l##*) }
    set -- $l
    echo "${20}"
}

# pidfile_alive FILE: true if the "PID STARTTIME" in FILE is still that process
pidfile_alive() {
    local f=$1 p s
    [[ -s $f ]] || return 1
    read -r p s <"$f" || true
    pid_alive "$p" || return 1
    [[ -z $s || $(proc_start "$p") == "$s" ]]
}

# wait_file FILE TIMEOUT_S: wait for FILE to exist and be non-empty
wait_file() {
    local f=$1 t=$2 i=0 max
    max=$(( t * 50 ))
    while [[ ! -s $f ]]; do
        (( i++ < max )) || return 1
        msleep 0.02
    done
}

# descendants PID...: prints the descendants of the PIDs (from /proc; the
# kernel may lack /proc/PID/task/*/children)
descendants() {
    awk -v roots="$*" '
        { s = $0; sub(/.*\) /, "", s); split(s, f, " "); kids[f[2]] = kids[f[2]] " " $1 }
        END {
            n = split(roots, q, " ")
            for (i = 1; i <= n; i++) {
                m = split(kids[q[i]], c, " ")
                for (j = 1; j <= m; j++) { print c[j]; q[++n] = c[j] }
            }
        }' /proc/[0-9]*/stat 2>/dev/null || true
}

hname() { echo "h$1"; }
nsname() { echo "sitrep-s$1-h$2"; }   # also the root-side veth name (<= 13 chars)
host_ip() { echo "10.213.$(( $1 * 32 + $2 )).2"; }
root_ip() { echo "10.213.$(( $1 * 32 + $2 )).1"; }
lo_ssh_port() { echo $(( 22100 + $1 * 32 + $2 )); }
lo_lag_port() { echo $(( 23100 + $1 * 32 + $2 )); }
lo_health_port() { echo $(( 18800 + $1 * 32 + $2 )); }

load_env() {
    local dir=$1
    [[ -f $dir/fleet.env ]] || die "$dir is not a fleet directory (no fleet.env)"
    # shellcheck disable=SC1091
    . "$dir/fleet.env"
}

# host_index NAME -> i
host_index() {
    local h=$1
    [[ $h =~ ^h([0-9]+)$ ]] || die "bad host name: $h (want h1..h$FLEET_N)"
    local i=${BASH_REMATCH[1]}
    (( i >= 1 && i <= FLEET_N )) || die "no such host: $h (fleet has h1..h$FLEET_N)"
    echo "$i"
}

# host_env_array I: sets the array ENVV (no subshell)
host_env_array() {
    local i=$1 hd=$FLEET_DIR/h$1
    ENVV=("PATH=$HOST_PATH" "HOME=${FLEET_HOME:-/root}" "LANG=C.UTF-8"
        "USER=$FLEET_USER" "LOGNAME=$FLEET_USER" "FLEET_HOST=h$i"
        "CONTAINERS_CONF=$hd/containers.conf" "CONTAINERS_STORAGE_CONF=$hd/storage.conf"
        "DOCKER_HOST=unix://$hd/podman.sock")
    [[ $FLEET_MODE != loopback ]] || ENVV+=("XDG_RUNTIME_DIR=$hd/xdg")
}

# hrun I CMD...: run CMD inside host I's namespaces with the host's env
hrun() {
    local i=$1; shift
    local -a ENVV
    host_env_array "$i"
    local -a envv=("${ENVV[@]}")
    if [[ $FLEET_MODE == netns ]]; then
        local hp
        hp=$(readpid "$FLEET_DIR/h$i/holder.pid")
        [[ -n $hp ]] && pid_alive "$hp" || die "host h$i is not running (no holder)"
        nsenter -t "$hp" -n -m -u -- env -i "${envv[@]}" "$@"
    else
        (cd / && env -i "${envv[@]}" "$@")
    fi
}

# hdaemon I LOG CMD...: start CMD detached (own session) inside host I
hdaemon() {
    local i=$1 log=$2; shift 2
    local -a ENVV
    host_env_array "$i"
    local -a envv=("${ENVV[@]}")
    if [[ $FLEET_MODE == netns ]]; then
        local hp
        hp=$(readpid "$FLEET_DIR/h$i/holder.pid")
        setsid -f nsenter -t "$hp" -n -m -u -- env -i "${envv[@]}" "$@" </dev/null >>"$log" 2>&1
    else
        (cd / && setsid -f env -i "${envv[@]}" "$@" </dev/null >>"$log" 2>&1)
    fi
}

# cgroup_roots: sets CG_ROOTS to every mounted hierarchy (v1 controllers,
# named v1, unified; or the single v2 root)
CG_ROOTS=()
cgroup_roots() {
    ((${#CG_ROOTS[@]})) && return 0
    local d
    if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
        CG_ROOTS=(/sys/fs/cgroup)
        return 0
    fi
    for d in /sys/fs/cgroup/*/; do
        [[ -f ${d}cgroup.procs ]] && CG_ROOTS+=("${d%/}")
    done
    return 0
}

# kill_cgroups REL...: SIGKILL every process in the cgroups REL (paths
# relative to the hierarchy roots) and their children, in every hierarchy
kill_cgroups() {
    local rel root d f p
    cgroup_roots
    for rel; do
        for root in "${CG_ROOTS[@]}"; do
            d=$root/$rel
            [[ -d $d ]] || continue
            [[ -f $d/cgroup.kill ]] && { echo 1 >"$d/cgroup.kill"; } 2>/dev/null
            for f in "$d"/cgroup.procs "$d"/*/cgroup.procs "$d"/*/*/cgroup.procs; do
                [[ -f $f ]] || continue
                while read -r p; do
                    kill -9 "$p" 2>/dev/null || true
                done <"$f"
            done
        done
    done
    return 0
}

# rm_cgroups REL...: removes the cgroups REL and their children in every
# hierarchy, killing what is left in them, retrying briefly
rm_cgroups() {
    local rel root
    local -a dirs
    cgroup_roots
    for _ in {1..60}; do
        dirs=()
        for rel; do
            for root in "${CG_ROOTS[@]}"; do
                [[ -d $root/$rel ]] || continue
                shopt -s nullglob
                dirs+=("$root/$rel"/*/*/ "$root/$rel"/*/ "$root/$rel")
                shopt -u nullglob
            done
        done
        ((${#dirs[@]})) || return 0
        rmdir "${dirs[@]}" 2>/dev/null && return 0
        kill_cgroups "$@"
        msleep 0.05
    done
    warn "could not remove cgroups: $*"
}

# ------------------------------------------------------------ prerequisites

missing_prereqs() {
    local mode=$1 c miss=()
    for c in ssh ssh-keygen setsid flock; do
        command -v "$c" >/dev/null || miss+=("$c")
    done
    [[ -x /usr/sbin/sshd ]] || miss+=("sshd (apt-get install openssh-server)")
    if [[ $mode == netns ]]; then
        for c in ip nsenter unshare mount; do
            command -v "$c" >/dev/null || miss+=("$c")
        done
        if [[ -z ${FLEET_NO_CONTAINERS:-} ]]; then
            command -v podman >/dev/null || miss+=("podman (apt-get install podman)")
            command -v runc >/dev/null || miss+=("runc (apt-get install runc)")
            [[ -x /bin/busybox ]] || miss+=("busybox-static (apt-get install busybox-static)")
            command -v docker >/dev/null || miss+=("docker CLI")
        fi
    fi
    command -v cc >/dev/null || command -v gcc >/dev/null || {
        [[ -x ${HEALTHD:-$top_builddir/tests/fleet/healthd} ]] || miss+=("cc (to build healthd)")
    }
    printf '%s\n' "${miss[@]}"
}

cmd_check() {
    local miss
    miss=$(missing_prereqs "$FLEET_MODE_DEFAULT")
    if [[ -n $miss ]]; then
        echo "missing: $(echo "$miss" | paste -sd, -)"
        return 1
    fi
    if [[ $FLEET_MODE_DEFAULT == loopback ]]; then
        echo "not root: loopback mode only (no namespaces, no link/disk faults)"
        return 1
    fi
    if ! unshare --net --mount true 2>/dev/null; then
        echo "cannot create namespaces here (unshare --net --mount failed)"
        return 1
    fi
    if [[ ! -d /sys/fs/cgroup ]]; then
        echo "no /sys/fs/cgroup"
        return 1
    fi
    echo "ok"
}

# ------------------------------------------------------------ build & cache

# find_or_build NAME ENVVAR: path of healthd/lagproxy
find_or_build() {
    local name=$1 var=$2 p src sum out cc
    p=${!var:-}
    if [[ -n $p ]]; then
        [[ -x $p ]] || die "$var=$p is not executable"
        readlink -f "$p"; return
    fi
    for p in "$top_builddir/tests/fleet/$name" "$FLEET_SRC/$name"; do
        [[ -x $p && $p -nt $FLEET_SRC/$name.c && $p -nt $FLEET_SRC/tool.c ]] && { echo "$p"; return; }
    done
    # not built (manual use outside `make check`): build a private copy
    src=$FLEET_SRC/$name.c
    [[ -f $src ]] || die "cannot find $name (set $var)"
    sum=$(cat "$src" "$FLEET_SRC/tool.h" "$FLEET_SRC/tool.c" | cksum | cut -d' ' -f1)
    out=$CACHE/bin/$name-$sum
    if [[ ! -x $out ]]; then
        mkdir -p "$CACHE/bin"
        cc=$(command -v cc || command -v gcc) || die "no C compiler to build $name"
        "$cc" -std=c11 -O2 -Wall -Wextra -o "$out.tmp.$$" "$src" "$FLEET_SRC/tool.c" >&2 || die "building $name failed"
        mv -f "$out.tmp.$$" "$out"
    fi
    echo "$out"
}

# ensure_image: shared read-only image store with localhost/fleet:latest.
# Sets STORE.
ensure_image() {
    local key bb_sum pv tmp
    bb_sum=$(stat -L -c '%s-%Y' /bin/busybox)
    pv=$(stat -L -c '%s-%Y' "$(command -v podman)")
    key="r${IMAGE_RECIPE}-b${bb_sum}-p${pv}"
    STORE=$CACHE/store-$key
    [[ -f $STORE/.ready ]] && return 0
    mkdir -p "$CACHE"
    (
        flock -w 120 9 || die "cache lock busy"
        [[ -f $STORE/.ready ]] && exit 0
        rm -rf "$STORE"
        tmp=$(mktemp -d "$CACHE/build.XXXXXX")
        local rf=$tmp/rootfs a
        mkdir -p "$rf"/{bin,sbin,etc,tmp,proc,sys,dev,root,var/log,srv,data}
        chmod 1777 "$rf/tmp"
        cp /bin/busybox "$rf/bin/busybox"
        for a in sh ash sleep echo cat true false ls env kill ps test '[' printf \
                 date touch rm mkdir seq head tail wc grep sed awk yes dd df \
                 hostname id uname free top httpd nc wget; do
            ln -sf busybox "$rf/bin/$a"
        done
        echo "root:x:0:0:root:/root:/bin/sh" >"$rf/etc/passwd"
        echo "root:x:0:" >"$rf/etc/group"
        echo "fleet" >"$rf/etc/hostname"
        tar -C "$rf" -cf "$tmp/rootfs.tar" .
        podman --root "$STORE" --runroot "$tmp/run" --tmpdir "$tmp/tmp" \
            --runtime runc --cgroup-manager cgroupfs --events-backend file \
            --storage-driver overlay \
            import --change 'CMD ["/bin/sh"]' "$tmp/rootfs.tar" "$IMAGE" >"$tmp/import.log" 2>&1 \
            || { cat "$tmp/import.log" >&2; rm -rf "$tmp"; die "podman import failed"; }
        cp "$tmp/rootfs.tar" "$CACHE/rootfs-$key.tar"
        rm -rf "$tmp"
        touch "$STORE/.ready"
    ) 9>"$CACHE/cache.lock"
}

# ------------------------------------------------------------ slots & keeper

# acquire_slot WANTED: sets SLOT and LOCKFD (lock held on LOCKFD)
acquire_slot() {
    local want=$1 k deadline
    mkdir -p "$RUNDIR"
    if [[ -n $want ]]; then
        [[ $want =~ ^[0-7]$ ]] || die "--slot must be 0..7"
        exec {LOCKFD}>"$RUNDIR/slot-$want.lock"
        flock -w "${FLEET_SLOT_WAIT:-60}" "$LOCKFD" || die "slot $want is busy"
        SLOT=$want
        return
    fi
    deadline=$(( SECONDS + ${FLEET_SLOT_WAIT:-120} ))
    while :; do
        for (( k = 0; k < MAX_SLOTS; k++ )); do
            exec {LOCKFD}>"$RUNDIR/slot-$k.lock"
            if flock -n "$LOCKFD"; then
                SLOT=$k
                return
            fi
            exec {LOCKFD}>&-
        done
        (( SECONDS < deadline )) || die "all $MAX_SLOTS fleet slots are busy"
        msleep 0.5
    done
}

# The keeper holds the slot lock for the fleet's lifetime.  With an owner it
# tears the fleet down once the owner process is gone (test killed with -9).
cmd_keeper() {
    local dir=$1 owner=$2 owner_start=$3 lockfd=$4 rmdir=${5:-}
    echo "$$ $(proc_start $$)" >"$dir/keeper.pid"
    if [[ -z $owner ]]; then
        exec sleep infinity   # keeps the inherited lock fd open
    fi
    while :; do
        if ! pid_alive "$owner" || [[ $(proc_start "$owner") != "$owner_start" ]]; then
            echo "keeper: owner $owner is gone, tearing the fleet down" >>"$dir/keeper.log"
            FLEET_IN_KEEPER=1 "$FLEET_SH" down "$dir" >>"$dir/keeper.log" 2>&1 || true
            [[ -n $rmdir ]] && rm -rf "$dir"
            exit 0
        fi
        sleep 1 {lockfd}>&-
    done
}

# ------------------------------------------------------------ teardown

# Kills everything of host i (fleet env loaded).  Fast: no podman calls.
host_teardown() {
    local i=$1 hd=$FLEET_DIR/h$1 ns pids f p id d
    ns=$(nsname "$FLEET_SLOT" "$i")
    pids=()
    # a host still being started (by an `up` that may have died)
    if [[ $BASHPID != "$(readpid "$hd/hostup.pid")" ]] && pidfile_alive "$hd/hostup.pid"; then
        p=$(readpid "$hd/hostup.pid")
        pids=("$p" $(descendants "$p"))
        kill -STOP "${pids[@]}" 2>/dev/null || true
        kill -9 "${pids[@]}" 2>/dev/null || true
        pids=()
    fi
    for f in lagproxy holder sshd healthd blackhole podman hcloop; do
        p=$(readpid "$hd/$f.pid")
        [[ -n $p ]] && pid_alive "$p" && grep -qF -- "$FLEET_DIR" "/proc/$p/cmdline" 2>/dev/null &&
            pids+=("$p")
    done
    if [[ $FLEET_MODE == netns && $FLEET_OWNS_SLOT == 1 && -e /run/netns/$ns ]]; then
        pids+=($(ip netns pids "$ns" 2>/dev/null || true))
    fi
    if ((${#pids[@]})); then
        kill -STOP "${pids[@]}" 2>/dev/null || true
        kill -9 "${pids[@]}" 2>/dev/null || true
        wait_gone "${pids[@]}"
    fi
    # containers: our own live in cgroups sitrep-sK-hI; containers created by
    # tests live under libpod_parent and are found by their IDs
    if [[ $FLEET_MODE == netns ]]; then
        local -a cgs=()
        [[ $FLEET_OWNS_SLOT == 1 ]] && cgs+=("$ns")
        for d in "$hd"/root/overlay-containers/*/; do
            id=${d%/}; id=${id##*/}
            [[ $id =~ ^[0-9a-f]{64}$ ]] && cgs+=("libpod_parent/libpod-$id")
        done
        kill_cgroups "${cgs[@]}"
        # a second sweep for anything spawned meanwhile (podman cleanup)
        if [[ $FLEET_OWNS_SLOT == 1 && -e /run/netns/$ns ]]; then
            pids=($(ip netns pids "$ns" 2>/dev/null || true))
            ((${#pids[@]})) && kill -9 "${pids[@]}" 2>/dev/null || true
        fi
        rm_cgroups "${cgs[@]}"
        if [[ $FLEET_OWNS_SLOT == 1 ]]; then
            ip link del "$ns" 2>/dev/null || true
            ip netns del "$ns" 2>/dev/null || true
        fi
    else
        # loopback mode: container processes through podman's pid files
        for f in "$hd"/run/overlay-containers/*/userdata/conmon.pid "$hd"/run/overlay-containers/*/userdata/pidfile; do
            p=$(readpid "$f")
            [[ -n $p ]] && pid_alive "$p" && kill -9 "$p" 2>/dev/null || true
        done
    fi
    rm -rf "$hd/root" "$hd/run" "$hd/tmp" "$hd/xdg" 2>/dev/null || {
        chmod -R u+w "$hd" 2>/dev/null; rm -rf "$hd/root" "$hd/run" "$hd/tmp" "$hd/xdg" 2>/dev/null || true
    }
    rm -f "$hd"/*.pid "$hd"/*.sock
}

# sweep_slot K: remove whatever namespaces, links and cgroups of slot K are
# left over from a fleet that died without `down`
sweep_slot() {
    local k=$1 ns d p pids
    local prev
    prev=$(cat "$RUNDIR/slot-$k.dir" 2>/dev/null || true)
    # the previous owner's own teardown, if its directory still describes a
    # fleet of this slot (it may have been deleted, or reused for another)
    if [[ -n $prev && $prev != "${FLEET_DIR:-}" && -f $prev/fleet.env ]] &&
       grep -qx "FLEET_SLOT=$k" "$prev/fleet.env"; then
        "$FLEET_SH" down "$prev" >/dev/null 2>&1 || true
    fi
    [[ $(id -u) -eq 0 ]] || return 0
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^sitrep-s$k-h[0-9]+$" || true); do
        pids=($(ip netns pids "$ns" 2>/dev/null || true))
        ((${#pids[@]})) && kill -9 "${pids[@]}" 2>/dev/null || true
    done
    local -a cgs=()
    cgroup_roots
    for d in "${CG_ROOTS[@]}"; do
        for p in "$d"/sitrep-s$k-h*/; do
            p=${p%/}; p=${p##*/}
            [[ $p =~ ^sitrep-s$k-h[0-9]+$ && " ${cgs[*]} " != *" $p "* ]] && cgs+=("$p")
        done
    done
    # containers that tests made through the Docker API live under
    # libpod_parent; those of the previous fleet are known by their overlay
    # upper dirs inside its directory (which may be gone by now)
    if [[ -n $prev ]]; then
        local root f pid mi
        for root in "${CG_ROOTS[@]}"; do
            [[ -f $root/cgroup.kill || $root == */pids ]] || continue
            for f in "$root"/libpod_parent/libpod-*/cgroup.procs; do
                [[ -f $f ]] || continue
                pid=""
                read -r pid <"$f" 2>/dev/null || true
                [[ -n $pid ]] || continue
                mi=$(<"/proc/$pid/mountinfo") 2>/dev/null || continue
                if [[ $mi == *"upperdir=$prev/h"* ]]; then
                    p=${f%/cgroup.procs}
                    cgs+=("libpod_parent/${p##*/}")
                fi
            done
            break
        done
    fi
    if ((${#cgs[@]})); then
        kill_cgroups "${cgs[@]}"
        rm_cgroups "${cgs[@]}"
    fi
    for ns in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E "^sitrep-s$k-h[0-9]+$" || true); do
        ip link del "$ns" 2>/dev/null || true
    done
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^sitrep-s$k-h[0-9]+$" || true); do
        ip netns del "$ns" 2>/dev/null || true
    done
}

cmd_down() {
    local dir=${1:-}
    [[ -n $dir ]] || die "usage: fleet.sh down DIR"
    [[ -d $dir ]] || return 0
    dir=$(cd "$dir" && pwd -P)
    [[ -f $dir/fleet.env ]] || return 0
    load_env "$dir"
    (
        flock -w 60 8 || true
        local p i kp
        # an `up` still running for this fleet is stopped first
        p=$(readpid "$dir/up.pid")
        if [[ -n $p && $p != "$$" && $p != "${FLEET_UP_PID:-}" ]] && pidfile_alive "$dir/up.pid"; then
            local -a tree
            tree=("$p" $(descendants "$p"))
            kill -STOP "${tree[@]}" 2>/dev/null || true
            kill -9 "${tree[@]}" 2>/dev/null || true
        fi
        # the slot's namespaces and cgroups are ours unless another fleet
        # has taken the slot over since (then only our PID files count)
        FLEET_OWNS_SLOT=1
        local reg
        reg=$(cat "$RUNDIR/slot-$FLEET_SLOT.dir" 2>/dev/null || true)
        [[ -z $reg || $reg == "$dir" ]] || FLEET_OWNS_SLOT=0
        for (( i = 1; i <= FLEET_N; i++ )); do
            host_teardown "$i" &
        done
        wait
        kp=$(readpid "$dir/keeper.pid")
        if [[ -z ${FLEET_IN_KEEPER:-} && -n $kp ]] && pidfile_alive "$dir/keeper.pid"; then
            local -a kps
            kps=("$kp" $(descendants "$kp"))
            kill -9 "${kps[@]}" 2>/dev/null || true
            wait_gone "${kps[@]}"
        fi
        rm -f "$dir/keeper.pid" "$dir/up.pid"
        if [[ $(cat "$RUNDIR/slot-$FLEET_SLOT.dir" 2>/dev/null) == "$dir" ]]; then
            rm -f "$RUNDIR/slot-$FLEET_SLOT.dir"
        fi
        sed -i 's/^FLEET_STATE=.*/FLEET_STATE=down/' "$dir/fleet.env"
    ) 8>>"$dir/.down.lock"
}

# ------------------------------------------------------------ up

write_host_files() {
    local i=$1 hd=$FLEET_DIR/h$1 ip port envline
    mkdir -p "$hd/health" "$hd/root" "$hd/run" "$hd/tmp"
    ssh-keygen -q -t ed25519 -N '' -C "h$i" -f "$hd/ssh_host_ed25519_key" </dev/null
    if [[ $FLEET_MODE == netns ]]; then
        ip=$(host_ip "$FLEET_SLOT" "$i"); port=22
    else
        ip=127.0.0.1; port=$(lo_ssh_port "$FLEET_SLOT" "$i")
        mkdir -p "$hd/xdg"; chmod 700 "$hd/xdg"
    fi
    echo "$port" >"$hd/ssh_port"
    envline="DOCKER_HOST=unix://$hd/podman.sock CONTAINERS_CONF=$hd/containers.conf CONTAINERS_STORAGE_CONF=$hd/storage.conf FLEET_HOST=h$i"
    {
        echo "# sshd for fleet host h$i (generated by fleet.sh)"
        if [[ $FLEET_MODE == netns ]]; then
            echo "ListenAddress $ip:22"
            echo "ListenAddress 127.0.0.1:22"
        else
            echo "ListenAddress 127.0.0.1:$port"
        fi
        cat <<EOF
HostKey $hd/ssh_host_ed25519_key
PidFile $hd/sshd.pid
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile $FLEET_DIR/authorized_keys
SetEnv $envline
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding yes
MaxStartups 200:30:400
MaxSessions 100
LoginGraceTime 30
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
LogLevel INFO
EOF
    } >"$hd/sshd_config"
    cat >"$hd/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$hd/root"
runroot = "$hd/run"

[storage.options]
additionalimagestores = [ "${STORE:-}" ]
EOF
    cat >"$hd/containers.conf" <<EOF
[containers]
default_ulimits = [ "nofile=1024:1024", "nproc=1024:1024" ]
netns = "none"
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$hd/tmp"
num_locks = 256
EOF
    : >"$hd/health/.keep"
}

# host_up i: starts host i (holder, sshd, healthd, podman, containers)
host_up() {
    local i=$1 hd=$FLEET_DIR/h$1 ns hp name=h$1
    ns=$(nsname "$FLEET_SLOT" "$i")
    hphase() { echo "$(( $(now_ms) - UP_T0 )) ms h$i $1" >>"$hd/up-timing.log"; }
    # so that `down` can stop this half-made host even if `up` itself died
    echo "$BASHPID $(proc_start "$BASHPID")" >"$hd/hostup.pid"
    write_host_files "$i"
    hphase "files written"
    if [[ $FLEET_MODE == netns ]]; then
        # holder: own mount + UTS namespace inside the host's netns
        setsid -f nsenter --net="/run/netns/$ns" unshare --mount --uts --propagation private -- \
            /bin/bash -c '
                set -e
                umount -l /run/netns 2>/dev/null || true
                mount -t tmpfs -o size=32m,mode=0755 sitrep-run /run
                mkdir -p /run/sshd /run/lock
                mount -t tmpfs -o size=64m,mode=1777 sitrep-shm /dev/shm
                mount -t tmpfs -o size=16m,mode=0755 sitrep-data /srv/data
                if [ -f /root/.bashrc ]; then mount --bind "$2/bashrc" /root/.bashrc; fi
                if [ -f /root/.profile ]; then mount --bind "$2/profile" /root/.profile; fi
                echo "$3" >/proc/sys/kernel/hostname
                echo $$ >"$1/holder.pid.tmp"
                mv "$1/holder.pid.tmp" "$1/holder.pid"
                exec -a "sitrep-fleet-holder $1" sleep infinity
            ' holder "$hd" "$FLEET_DIR" "$name" </dev/null >>"$hd/holder.log" 2>&1
    else
        setsid -f /bin/bash -c 'echo $$ >"$1/holder.pid"; exec -a "sitrep-fleet-holder $1" sleep infinity' holder "$hd" \
            </dev/null >>"$hd/holder.log" 2>&1
    fi
    wait_file "$hd/holder.pid" 10 || { cat "$hd/holder.log" >&2; die "h$i: holder did not start"; }
    hp=$(readpid "$hd/holder.pid")
    hphase "holder up"

    # podman's Docker API first: it takes longest to come up
    if [[ $FLEET_CONTAINERS == 1 ]]; then
        hdaemon "$i" "$hd/podman.log" /bin/sh -c 'echo $$ >"$1"; exec podman system service --time=0 "unix://$2"' \
            sh "$hd/podman.pid" "$hd/podman.sock"
    fi

    # sshd (daemonizes; PID file written once its sockets are bound)
    hrun "$i" /usr/sbin/sshd -f "$hd/sshd_config" -E "$hd/sshd.log" ||
        { cat "$hd/sshd.log" >&2; die "h$i: sshd failed"; }

    # health server
    local hlisten=127.0.0.1:$HEALTH_PORT
    [[ $FLEET_MODE == loopback ]] && hlisten=127.0.0.1:$(lo_health_port "$FLEET_SLOT" "$i")
    hdaemon "$i" "$hd/healthd.log" "$HEALTHD_BIN" --listen "$hlisten" --dir "$hd/health" \
        --pidfile "$hd/healthd.pid"

    if [[ $FLEET_CONTAINERS == 1 ]]; then
        # the containers are made through the Docker API of the host's own
        # podman service: far cheaper than one podman CLI run per container
        local n=0
        until [[ -S $hd/podman.sock ]]; do
            (( n++ < 500 )) || { cat "$hd/podman.log" >&2; die "h$i: podman service did not start"; }
            msleep 0.02
        done
        hphase "podman service up"
        local -a common=(--network none --cgroup-parent "/$ns")
        [[ $FLEET_MODE == netns ]] || common=(--network none)
        local period=$FLEET_CRASH_PERIOD
        {
            hrun "$i" docker run -d --name web "${common[@]}" --label sitrep.fleet=web \
                --health-cmd 'test ! -e /tmp/unhealthy' --health-retries 1 --health-interval 24h \
                "$IMAGE" sleep 1000000 &
            local p_web=$!
            hrun "$i" docker run -d --name bot "${common[@]}" --label sitrep.fleet=bot --restart always \
                "$IMAGE" sh -c "echo \"bot: starting (pid \$\$)\"; echo 'bot: connected to queue'; echo 'bot: processing'; sleep $period; echo 'bot: fatal: lost connection to queue' >&2; exit 3" &
            local p_bot=$!
            hrun "$i" docker run --name job "${common[@]}" --label sitrep.fleet=job "$IMAGE" \
                sh -c 'echo "job: starting migration"; echo "job: applying step 1/2"; echo "job: step 2 failed: constraint violation" >&2; exit 7' </dev/null || true
            wait "$p_web" && wait "$p_bot"
        } >>"$hd/setup.log" 2>&1 || { tail -20 "$hd/setup.log" >&2; die "h$i: containers failed"; }
        hphase "containers made"
        # podman needs systemd timers for health checks: run them ourselves
        local hc
        hc=$(host_healthcheck "$i" 2>&1) && [[ $hc != *unhealthy* ]] ||
            { echo "$hc" >&2; tail -20 "$hd/setup.log" >&2; die "h$i: web health check failed"; }
        hdaemon "$i" "$hd/hcloop.log" /bin/sh -c 'echo $$ >"$1"; t=$2; shift 2; while sleep "$t"; do "$@" >/dev/null 2>&1; done' \
            sh "$hd/hcloop.pid" "${FLEET_HEALTH_INTERVAL:-60}" $(healthcheck_cmd "$i")
    fi

    hphase "health check done"
    wait_file "$hd/sshd.pid" 10 || { cat "$hd/sshd.log" >&2; die "h$i: sshd did not start"; }
    wait_file "$hd/healthd.pid" 10 || { cat "$hd/healthd.log" >&2; die "h$i: healthd did not start"; }
    echo "$name $(host_addr "$i") $hp" >"$hd/hosts.line"
    rm -f "$hd/hostup.pid"
}

# healthcheck_cmd I: the command that runs web's health check on host I
healthcheck_cmd() {
    if command -v curl >/dev/null; then
        # libpod API: runs the check and records the result
        echo curl -sf --max-time 20 --unix-socket "$FLEET_DIR/h$1/podman.sock" \
            http://d/v4.0.0/libpod/containers/web/healthcheck
    else
        echo podman healthcheck run web
    fi
}

host_healthcheck() {
    local i=$1
    # shellcheck disable=SC2046
    hrun "$i" $(healthcheck_cmd "$i")
}

host_addr() {
    if [[ $FLEET_MODE == netns ]]; then host_ip "$FLEET_SLOT" "$1"; else echo 127.0.0.1; fi
}

# ssh_config and known_hosts from the per-host state (port, lag)
write_ssh_files() {
    local i hd addr port key tmp
    tmp=$FLEET_DIR/ssh_config.tmp.$$
    {
        echo "# sitrep test fleet (generated by fleet.sh; slot $FLEET_SLOT, mode $FLEET_MODE)"
        for (( i = 1; i <= FLEET_N; i++ )); do
            hd=$FLEET_DIR/h$i
            addr=$(host_addr "$i")
            port=$(cat "$hd/ssh_port" 2>/dev/null || echo 22)
            cat <<EOF

Host h$i
    HostName $addr
    Port $port
    User $FLEET_USER
    IdentityFile $FLEET_DIR/client_key
    IdentitiesOnly yes
    UserKnownHostsFile $FLEET_DIR/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    CheckHostIP no
    BatchMode yes
    KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org
EOF
        done
    } >"$tmp"
    mv -f "$tmp" "$FLEET_DIR/ssh_config"
}

write_known_hosts() {
    local i hd addr key p lagp
    {
        for (( i = 1; i <= FLEET_N; i++ )); do
            hd=$FLEET_DIR/h$i
            addr=$(host_addr "$i")
            key=$(cut -d' ' -f1,2 "$hd/ssh_host_ed25519_key.pub")
            if [[ $FLEET_MODE == netns ]]; then
                p=22; lagp=$LAG_PORT
            else
                p=$(lo_ssh_port "$FLEET_SLOT" "$i"); lagp=$(lo_lag_port "$FLEET_SLOT" "$i")
            fi
            if [[ $p == 22 ]]; then
                echo "h$i $key"
                echo "$addr $key"
            else
                echo "[h$i]:$p $key"
                echo "[$addr]:$p $key"
            fi
            echo "[h$i]:$lagp $key"
            echo "[$addr]:$lagp $key"
        done
    } >"$FLEET_DIR/known_hosts"
}

cmd_up() {
    local dir="" n="" slot="" owner="" crash=4 nocont=${FLEET_NO_CONTAINERS:-} rmdir=""
    while (($#)); do
        case $1 in
            --crash-period) crash=${2:?}; shift 2 ;;
            --slot) slot=${2:?}; shift 2 ;;
            --owner) owner=${2:?}; shift 2 ;;
            --rm-dir-on-owner-exit) rmdir=1; shift ;;
            --no-containers) nocont=1; shift ;;
            -*) die "unknown option $1" ;;
            *) if [[ -z $dir ]]; then dir=$1; elif [[ -z $n ]]; then n=$1; else die "extra argument $1"; fi; shift ;;
        esac
    done
    [[ -n $dir && -n $n ]] || { usage >&2; exit 2; }
    [[ $n =~ ^[0-9]+$ ]] && (( n >= 1 && n <= MAX_N )) || die "N must be 1..$MAX_N"
    [[ $crash =~ ^[0-9]+$ ]] && (( crash >= 1 )) || die "--crash-period must be a positive integer"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    [[ $dir =~ ^[A-Za-z0-9/._+-]+$ ]] || die "DIR must not contain spaces or special characters: $dir"
    local t0=$SECONDS
    UP_T0=$(now_ms)

    local mode=$FLEET_MODE_DEFAULT miss
    miss=$(missing_prereqs "$mode")
    [[ -z $miss ]] || die "missing: $(echo "$miss" | paste -sd, -)"

    if [[ -f $dir/fleet.env ]]; then
        if pidfile_alive "$dir/keeper.pid" &&
           ! { [[ -f $dir/up.pid ]] && ! pidfile_alive "$dir/up.pid"; }; then
            # (an `up` that died half-way is cleaned below instead)
            die "a fleet is already running in $dir (fleet.sh down $dir first)"
        fi
        cmd_down "$dir" >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"/h[0-9]* "$dir"/ssh_config "$dir"/known_hosts "$dir"/hosts "$dir"/client_key* "$dir"/fleet.env
    echo "$$ $(proc_start $$)" >"$dir/up.pid"
    FLEET_UP_PID=$$

    local owner_start=""
    if [[ -n $owner ]]; then
        pid_alive "$owner" || die "--owner $owner: no such process"
        owner_start=$(proc_start "$owner")
    fi

    acquire_slot "$slot"
    FLEET_DIR=$dir FLEET_SLOT=$SLOT FLEET_N=$n FLEET_MODE=$mode
    : >"$dir/up-timing.log"
    phase "slot $SLOT acquired"
    FLEET_USER=$(id -un)
    FLEET_HOME=$HOME
    [[ $mode == netns ]] && FLEET_HOME=/root
    # the keeper inherits the lock fd; nothing else may
    setsid -f "$FLEET_SH" _keeper "$dir" "$owner" "$owner_start" "$LOCKFD" "$rmdir" </dev/null >>"$dir/keeper.log" 2>&1
    wait_file "$dir/keeper.pid" 10 || die "keeper did not start"
    exec {LOCKFD}>&-

    # containers: needs podman; in loopback mode only if rootless podman works
    FLEET_CONTAINERS=1
    if [[ -n $nocont ]] || ! command -v podman >/dev/null; then
        FLEET_CONTAINERS=0
    fi
    FLEET_CRASH_PERIOD=$crash
    cat >"$dir/fleet.env" <<EOF
FLEET_STATE=up
FLEET_DIR=$dir
FLEET_MODE=$mode
FLEET_SLOT=$SLOT
FLEET_N=$n
FLEET_USER=$FLEET_USER
FLEET_HOME=$FLEET_HOME
FLEET_CONTAINERS=$FLEET_CONTAINERS
FLEET_CRASH_PERIOD=$crash
FLEET_SSH_CONFIG=$dir/ssh_config
FLEET_HEALTH_PORT=$HEALTH_PORT
EOF
    # leftovers of an earlier fleet in this slot (killed with -9, ...)
    sweep_slot "$SLOT"
    echo "$dir" >"$RUNDIR/slot-$SLOT.dir"

    HEALTHD_BIN=$(find_or_build healthd HEALTHD)
    LAGPROXY_BIN=$(find_or_build lagproxy LAGPROXY)
    printf 'HEALTHD_BIN=%s\nLAGPROXY_BIN=%s\n' "$HEALTHD_BIN" "$LAGPROXY_BIN" >>"$dir/fleet.env"
    STORE=""
    if [[ $FLEET_CONTAINERS == 1 ]]; then
        if [[ $mode == loopback ]]; then
            # rootless podman needs subuids, newuidmap, a usable cgroup
            # setup...: only on request, and only if it answers at all
            if [[ -z ${FLEET_LOOPBACK_CONTAINERS:-} ]] ||
               ! podman --root "$dir/.probe/root" --runroot "$dir/.probe/run" info >/dev/null 2>&1; then
                warn "loopback mode: no containers (set FLEET_LOOPBACK_CONTAINERS=1 to try rootless podman)"
                FLEET_CONTAINERS=0
                sed -i 's/^FLEET_CONTAINERS=.*/FLEET_CONTAINERS=0/' "$dir/fleet.env"
            fi
            rm -rf "$dir/.probe"
        fi
    fi
    if [[ $FLEET_CONTAINERS == 1 ]]; then
        ensure_image
    fi
    phase "image and binaries ready"

    ssh-keygen -q -t ed25519 -N '' -C "sitrep-fleet-client" -f "$dir/client_key" </dev/null
    cp "$dir/client_key.pub" "$dir/authorized_keys"
    printf '%s\n' '# stock bashrc for fleet hosts' 'case $- in *i*) ;; *) return;; esac' \
        'PS1='"'"'\u@\h:\w\$ '"'" >"$dir/bashrc"
    printf '%s\n' '# stock profile for fleet hosts' \
        'if [ -n "$BASH" ] && [ -f ~/.bashrc ]; then . ~/.bashrc; fi' >"$dir/profile"

    local i
    for (( i = 1; i <= n; i++ )); do
        mkdir -p "$dir/h$i"
    done

    phase "client key written"
    if [[ $mode == netns ]]; then
        mkdir -p /srv/data
        local batch=$dir/.ip-batch ns
        : >"$batch"
        for (( i = 1; i <= n; i++ )); do
            ns=$(nsname "$SLOT" "$i")
            printf 'netns add %s\nlink add %s type veth peer name eth0 netns %s\naddr add %s/30 dev %s\nlink set %s up\n' \
                "$ns" "$ns" "$ns" "$(root_ip "$SLOT" "$i")" "$ns" "$ns" >>"$batch"
        done
        ip -batch "$batch" || die "creating namespaces failed"
        for (( i = 1; i <= n; i++ )); do
            ns=$(nsname "$SLOT" "$i")
            printf 'addr add %s/30 dev eth0\nlink set eth0 up\nlink set lo up\n' "$(host_ip "$SLOT" "$i")" |
                ip -n "$ns" -batch - || die "configuring $ns failed"
        done
        rm -f "$batch"
    fi

    phase "namespaces and links created"
    # start the hosts in parallel
    local -a jobs=()
    for (( i = 1; i <= n; i++ )); do
        host_up "$i" >"$dir/h$i/up.log" 2>&1 &
        jobs+=($!)
    done
    local failed=0
    for (( i = 1; i <= n; i++ )); do
        if ! wait "${jobs[i-1]}"; then
            warn "h$i failed to start:"; sed 's/^/  /' "$dir/h$i/up.log" >&2
            failed=1
        fi
    done
    if (( failed )); then
        FLEET_IN_KEEPER="" cmd_down "$dir" || true
        die "fleet did not start"
    fi

    phase "hosts started"
    : >"$dir/hosts.tmp"
    for (( i = 1; i <= n; i++ )); do cat "$dir/h$i/hosts.line" >>"$dir/hosts.tmp"; done
    mv -f "$dir/hosts.tmp" "$dir/hosts"
    write_known_hosts
    write_ssh_files

    # every host must answer `ssh hN true`
    local deadline=$(( SECONDS + ${FLEET_UP_TIMEOUT:-60} ))
    local -a pending=() left
    for (( i = 1; i <= n; i++ )); do pending+=("$i"); done
    while ((${#pending[@]})); do
        local -A pj=()
        for i in "${pending[@]}"; do
            ssh -F "$dir/ssh_config" -o ConnectTimeout=5 -o ConnectionAttempts=1 "h$i" true \
                </dev/null >"$dir/h$i/ssh-check.log" 2>&1 &
            pj[$i]=$!
        done
        left=()
        for i in "${pending[@]}"; do
            wait "${pj[$i]}" || left+=("$i")
        done
        unset pj
        pending=("${left[@]}")
        ((${#pending[@]})) || break
        if (( SECONDS >= deadline )); then
            for i in "${pending[@]}"; do
                warn "h$i does not answer ssh:"; sed 's/^/  /' "$dir/h$i/ssh-check.log" >&2
            done
            FLEET_IN_KEEPER="" cmd_down "$dir" || true
            die "fleet did not come up"
        fi
        msleep 0.2
    done
    phase "every host answers ssh"
    rm -f "$dir/up.pid"
    echo "fleet up: $n hosts, slot $SLOT, mode $mode, $(( SECONDS - t0 ))s, dir $dir" >&2
}

# ------------------------------------------------------------ faults

# sshd_tree I: the listening sshd and its per-connection children
sshd_tree() {
    local p c comm ns
    p=$(readpid "$FLEET_DIR/h$1/sshd.pid")
    if [[ -n $p ]] && pid_alive "$p"; then
        echo "$p"
        for c in $(descendants "$p"); do
            # only sshd processes (sessions), not the user's commands
            comm=""
            { read -r comm <"/proc/$c/comm"; } 2>/dev/null || true
            if [[ $comm == sshd ]]; then echo "$c"; fi
        done
    fi
    # sessions whose monitor died (or that a restarted listener never
    # forked) are no one's descendants: find them in the host's namespace
    if [[ $FLEET_MODE == netns ]]; then
        ns=$(nsname "$FLEET_SLOT" "$1")
        for c in $(ip netns pids "$ns" 2>/dev/null); do
            comm=""
            { read -r comm <"/proc/$c/comm"; } 2>/dev/null || true
            [[ $comm == sshd && $c != "$p" ]] && echo "$c"
        done
    fi
    return 0
}

sshd_start() {
    local i=$1 hd=$FLEET_DIR/h$1 p
    p=$(readpid "$hd/sshd.pid")
    if [[ -n $p ]] && pid_alive "$p"; then return 0; fi
    rm -f "$hd/sshd.pid"
    hrun "$i" /usr/sbin/sshd -f "$hd/sshd_config" -E "$hd/sshd.log"
    wait_file "$hd/sshd.pid" 10 || { tail -5 "$hd/sshd.log" >&2; die "h$i: sshd did not start"; }
}

health_set() {
    local hd=$1 status=$2 body=$3
    local d=$hd/health
    if [[ -n $body ]]; then
        printf '%s' "$body" >"$d/body.tmp" && mv -f "$d/body.tmp" "$d/body"
    else
        rm -f "$d/body"
    fi
    echo "$status" >"$d/status.tmp" && mv -f "$d/status.tmp" "$d/status"
}

set_lag() {
    local i=$1 ms=$2 hd=$FLEET_DIR/h$1 p listen to
    [[ $ms =~ ^[0-9]+$ ]] || die "lag wants a number of milliseconds"
    local oneway=$(( ms / 2 ))
    echo "$oneway" >"$hd/lag_oneway_ms.tmp" && mv -f "$hd/lag_oneway_ms.tmp" "$hd/lag_oneway_ms"
    echo "$ms" >"$hd/lag_ms"
    if [[ $FLEET_MODE == netns ]]; then
        listen=$(host_ip "$FLEET_SLOT" "$i"):$LAG_PORT; to=127.0.0.1:22
    else
        listen=127.0.0.1:$(lo_lag_port "$FLEET_SLOT" "$i"); to=127.0.0.1:$(lo_ssh_port "$FLEET_SLOT" "$i")
    fi
    p=$(readpid "$hd/lagproxy.pid")
    if [[ -n $p ]] && pid_alive "$p"; then
        kill -HUP "$p"   # new delay, existing connections keep going
    elif (( ms > 0 )); then
        rm -f "$hd/lagproxy.pid"
        hdaemon "$i" "$hd/lagproxy.log" "$LAGPROXY_BIN" --listen "$listen" --to "$to" \
            --delay-ms "$oneway" --delay-file "$hd/lag_oneway_ms" --pidfile "$hd/lagproxy.pid"
        wait_file "$hd/lagproxy.pid" 10 || { cat "$hd/lagproxy.log" >&2; die "h$i: lagproxy did not start"; }
    fi
    # new connections go through the proxy while lag > 0
    if (( ms > 0 )); then
        echo "${listen##*:}" >"$hd/ssh_port"
    elif [[ $FLEET_MODE == netns ]]; then
        echo 22 >"$hd/ssh_port"
    else
        lo_ssh_port "$FLEET_SLOT" "$i" >"$hd/ssh_port"
    fi
    (
        flock 7
        write_ssh_files
    ) 7>>"$FLEET_DIR/.config.lock"
}

cmd_fault() {
    local dir=${1:?usage: fleet.sh fault DIR HOST FAULT [ARG]} host=${2:?host} fault=${3:?fault} arg=${4:-}
    dir=$(cd "$dir" && pwd -P)
    load_env "$dir"
    local i hd p
    i=$(host_index "$host")
    hd=$dir/h$i
    case $fault in
        link-down|link-up)
            [[ $FLEET_MODE == netns ]] || die "$fault: unsupported in loopback mode"
            ip link set "$(nsname "$FLEET_SLOT" "$i")" "${fault#link-}" ;;
        sshd-kill)
            local -a t
            t=($(sshd_tree "$i"))
            ((${#t[@]})) && kill -9 "${t[@]}" 2>/dev/null || true
            rm -f "$hd/sshd.pid" ;;
        sshd-start|sshd-cont)
            if [[ $fault == sshd-cont ]]; then
                local -a t
                t=($(sshd_tree "$i"))
                ((${#t[@]})) && kill -CONT "${t[@]}" 2>/dev/null || true
            else
                sshd_start "$i"
            fi ;;
        sshd-stop)
            local -a t
            t=($(sshd_tree "$i"))
            ((${#t[@]})) || die "h$i: sshd is not running"
            kill -STOP "${t[@]}" ;;
        health-unhealthy) health_set "$hd" 503 '{"status":"unhealthy"}' ;;
        health-healthy)
            health_set "$hd" 200 ""
            rm -f "$hd/health/delay_ms" ;;
        health-body)
            [[ -f $arg ]] || die "health-body wants a FILE"
            cp -f "$arg" "$hd/health/body.tmp" && mv -f "$hd/health/body.tmp" "$hd/health/body" ;;
        health-status)
            [[ $arg =~ ^[1-5][0-9][0-9]$ ]] || die "health-status wants a code 100..599"
            echo "$arg" >"$hd/health/status.tmp" && mv -f "$hd/health/status.tmp" "$hd/health/status" ;;
        blackhole)
            [[ $arg =~ ^[0-9]+$ ]] || die "blackhole wants a PORT"
            pidfile_alive "$hd/blackhole.pid" && die "h$i already has a blackhole"
            rm -f "$hd/blackhole.pid"
            hdaemon "$i" "$hd/blackhole.log" "$HEALTHD_BIN" --listen "127.0.0.1:$arg" --blackhole \
                --pidfile "$hd/blackhole.pid"
            wait_file "$hd/blackhole.pid" 10 || { cat "$hd/blackhole.log" >&2; die "h$i: blackhole did not start"; } ;;
        blackhole-off)
            p=$(readpid "$hd/blackhole.pid")
            if [[ -n $p ]] && pid_alive "$p"; then kill "$p"; fi
            rm -f "$hd/blackhole.pid" ;;
        health-delay)
            [[ $arg =~ ^[0-9]+$ ]] || die "health-delay wants milliseconds"
            echo "$arg" >"$hd/health/delay_ms.tmp" && mv -f "$hd/health/delay_ms.tmp" "$hd/health/delay_ms" ;;
        disk-fill)
            [[ $FLEET_MODE == netns ]] || die "$fault: unsupported in loopback mode"
            hrun "$i" /bin/sh -c 'cat /dev/zero >/srv/data/.fleet-fill 2>/dev/null; exit 0' ;;
        disk-free)
            [[ $FLEET_MODE == netns ]] || die "$fault: unsupported in loopback mode"
            hrun "$i" rm -f /srv/data/.fleet-fill ;;
        rekey)
            rm -f "$hd/newkey" "$hd/newkey.pub"
            ssh-keygen -q -t ed25519 -N '' -C "h$i-rekeyed" -f "$hd/newkey" </dev/null
            mv -f "$hd/newkey.pub" "$hd/ssh_host_ed25519_key.pub"
            mv -f "$hd/newkey" "$hd/ssh_host_ed25519_key"
            # restart the listener with the new key; live sessions stay
            p=$(readpid "$hd/sshd.pid")
            if [[ -n $p ]] && pid_alive "$p"; then kill -9 "$p"; fi
            rm -f "$hd/sshd.pid"
            sshd_start "$i" ;;
        docker-hang|docker-unhang)
            [[ $FLEET_CONTAINERS == 1 ]] || die "$fault: this fleet has no containers"
            p=$(readpid "$hd/podman.pid")
            [[ -n $p ]] && pid_alive "$p" || die "h$i: podman service is not running"
            if [[ $fault == docker-hang ]]; then kill -STOP "$p"; else kill -CONT "$p"; fi ;;
        container-unhealthy|container-healthy)
            [[ $FLEET_CONTAINERS == 1 ]] || die "$fault: this fleet has no containers"
            if [[ $fault == container-unhealthy ]]; then
                hrun "$i" podman exec web touch /tmp/unhealthy
            else
                hrun "$i" podman exec web rm -f /tmp/unhealthy
            fi
            host_healthcheck "$i" >/dev/null 2>&1 || true ;;
        lag)
            set_lag "$i" "${arg:?lag wants MS}" ;;
        *) die "unknown fault: $fault" ;;
    esac
}

# ------------------------------------------------------------ misc commands

cmd_exec() {
    local dir=${1:?usage: fleet.sh exec DIR HOST CMD...} host=${2:?host}
    shift 2
    (($#)) || die "usage: fleet.sh exec DIR HOST CMD..."
    dir=$(cd "$dir" && pwd -P)
    load_env "$dir"
    local i
    i=$(host_index "$host")
    hrun "$i" "$@"
}

cmd_ssh() {
    local dir=${1:?usage: fleet.sh ssh DIR HOST [CMD...]} host=${2:?host}
    shift 2
    dir=$(cd "$dir" && pwd -P)
    exec ssh -F "$dir/ssh_config" "$host" "$@"
}

cmd_ip() {
    local dir=${1:?usage: fleet.sh ip DIR HOST} host=${2:?host}
    dir=$(cd "$dir" && pwd -P)
    load_env "$dir"
    local i
    i=$(host_index "$host")
    host_addr "$i"
}

cmd_status() {
    local dir=${1:?usage: fleet.sh status DIR}
    dir=$(cd "$dir" && pwd -P)
    load_env "$dir"
    local kp i hd p s link
    kp=$(readpid "$dir/keeper.pid")
    echo "fleet $dir: state=$FLEET_STATE mode=$FLEET_MODE slot=$FLEET_SLOT hosts=$FLEET_N containers=$FLEET_CONTAINERS keeper=$([[ -n $kp ]] && pid_alive "$kp" && echo up || echo down)"
    for (( i = 1; i <= FLEET_N; i++ )); do
        hd=$dir/h$i
        s="h$i $(host_addr "$i")"
        p=$(readpid "$hd/holder.pid"); s+=" holder=$([[ -n $p ]] && pid_alive "$p" && echo up || echo down)"
        p=$(readpid "$hd/sshd.pid")
        if [[ -n $p ]] && pid_alive "$p"; then
            [[ $(proc_state "$p") == T ]] && s+=" sshd=stopped" || s+=" sshd=up"
        else
            s+=" sshd=down"
        fi
        p=$(readpid "$hd/healthd.pid"); s+=" healthd=$([[ -n $p ]] && pid_alive "$p" && echo up || echo down)"
        s+=" health=$(cat "$hd/health/status" 2>/dev/null || echo 200)"
        if [[ $FLEET_CONTAINERS == 1 ]]; then
            p=$(readpid "$hd/podman.pid")
            if [[ -n $p ]] && pid_alive "$p"; then
                [[ $(proc_state "$p") == T ]] && s+=" docker=hung" || s+=" docker=up"
            else
                s+=" docker=down"
            fi
        fi
        if [[ $FLEET_MODE == netns ]]; then
            link=$(ip -o link show "$(nsname "$FLEET_SLOT" "$i")" 2>/dev/null | grep -q 'state UP\|,UP' && echo up || echo down)
            s+=" link=$link"
        fi
        s+=" lag=$(cat "$hd/lag_ms" 2>/dev/null || echo 0)ms"
        echo "$s"
    done
}

main() {
    local cmd=${1:-help}
    (($#)) && shift
    case $cmd in
        up) cmd_up "$@" ;;
        down) cmd_down "$@" ;;
        fault) cmd_fault "$@" ;;
        exec) cmd_exec "$@" ;;
        ssh) cmd_ssh "$@" ;;
        ip) cmd_ip "$@" ;;
        status) cmd_status "$@" ;;
        check) cmd_check ;;
        _keeper) cmd_keeper "$@" ;;
        help|-h|--help) usage ;;
        *) usage >&2; exit 2 ;;
    esac
}

main "$@"
