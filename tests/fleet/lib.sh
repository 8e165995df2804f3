# shellcheck shell=bash
# lib.sh: sourced by sitrep's integration tests (bash).
#
#   . "${top_srcdir:-.}/tests/fleet/lib.sh"
#   fleet_up 3 --crash-period 25      # skips the whole test if no fleet here
#   plan 4
#   tap_ok "h1 answers" fssh h1 true
#   tap_is "$(fssh h1 hostname)" h1 "hostname"
#   fleet fault h2 health-unhealthy
#   wait_until 10 some_check
#   tap_done
#
# fleet_up starts a fleet in a fresh temp dir, sets FLEET_DIR and
# FLEET_SSH_CONFIG, and tears it down on EXIT/INT/TERM even when the test
# fails.  If the test process is killed with -9, the fleet's keeper notices
# and tears the fleet down by itself (fleet.sh up --owner).
#
# Call fleet_up (or fleet_require) before `plan`: when the fleet cannot run
# here (not root, podman/sshd missing, no namespaces) the test prints
# "1..0 # SKIP reason" and exits 0.
#
# Environment: top_srcdir / top_builddir (automake's AM_TESTS_ENVIRONMENT;
# default: this file's repository), FLEET_SH, HEALTHD, LAGPROXY,
# FLEET_KEEP=1 (keep the temp dir), FLEET_ALLOW_LOOPBACK=1 (accept the
# non-root loopback mode instead of skipping).

FLEET_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$FLEET_LIB_DIR/../..}"
: "${top_builddir:=$top_srcdir}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
export top_srcdir top_builddir
: "${FLEET_SH:=$top_srcdir/tests/fleet/fleet.sh}"
[[ -x $FLEET_SH ]] || FLEET_SH=$FLEET_LIB_DIR/fleet.sh
if [[ -z ${HEALTHD:-} && -x $top_builddir/tests/fleet/healthd ]]; then
    export HEALTHD=$top_builddir/tests/fleet/healthd
fi
if [[ -z ${LAGPROXY:-} && -x $top_builddir/tests/fleet/lagproxy ]]; then
    export LAGPROXY=$top_builddir/tests/fleet/lagproxy
fi

# ------------------------------------------------------------------ TAP
# The helpers return the test's status (so `tap_ok ... || bail_out ...`
# works); do not run TAP tests under `set -e`.

_tap_n=0
_tap_failed=0
_tap_plan=""

plan() {
    _tap_plan=$1
    echo "1..$1"
}

tap_diag() {
    local line
    while IFS= read -r line; do echo "# $line"; done <<<"$*"
}

_tap_result() {  # _tap_result STATUS DESC
    _tap_n=$((_tap_n + 1))
    local desc=${2//#/\\#}
    if [[ $1 -eq 0 ]]; then
        echo "ok $_tap_n - $desc"
    else
        echo "not ok $_tap_n - $desc"
        _tap_failed=$((_tap_failed + 1))
    fi
    return "$1"
}

# ok STATUS DESC: passes when STATUS (an exit status) is 0
ok() { _tap_result "$( [[ $1 -eq 0 ]] && echo 0 || echo 1 )" "$2"; }

# tap_ok DESC CMD...: passes when CMD exits 0; CMD's output goes to diagnostics
# on failure
tap_ok() {
    local desc=$1 out st=0
    shift
    out=$("$@" 2>&1) || st=$?
    if ! _tap_result "$st" "$desc"; then
        tap_diag "command: $*"
        tap_diag "exit status: $st"
        [[ -n $out ]] && tap_diag "$out"
    fi
    return $st
}

# tap_not DESC CMD...: passes when CMD fails (exits non-zero)
tap_not() {
    local desc=$1 out st=0
    shift
    out=$("$@" 2>&1) || st=$?
    if [[ $st -eq 127 ]]; then
        _tap_result 1 "$desc"
        tap_diag "command not found: $*"
        return 1
    fi
    if ! _tap_result "$([[ $st -ne 0 ]] && echo 0 || echo 1)" "$desc"; then
        tap_diag "command: $*"
        tap_diag "succeeded, but should have failed"
        [[ -n $out ]] && tap_diag "$out"
        return 1
    fi
    return 0
}

# tap_is GOT WANT DESC
tap_is() {
    local got=$1 want=$2 desc=$3
    if [[ $got == "$want" ]]; then
        _tap_result 0 "$desc"
    else
        _tap_result 1 "$desc"
        tap_diag "got:  '$got'"
        tap_diag "want: '$want'"
        return 1
    fi
}

# tap_like GOT REGEX DESC
tap_like() {
    local got=$1 re=$2 desc=$3
    if [[ $got =~ $re ]]; then
        _tap_result 0 "$desc"
    else
        _tap_result 1 "$desc"
        tap_diag "got:     '$got'"
        tap_diag "pattern: '$re'"
        return 1
    fi
}

# tap_skip REASON [COUNT]: skip COUNT (default 1) tests
tap_skip() {
    local reason=$1 n=${2:-1} k
    for ((k = 0; k < n; k++)); do
        _tap_n=$((_tap_n + 1))
        echo "ok $_tap_n # SKIP $reason"
    done
}

# tap_skip_all REASON: skip the whole test (valid before or after `plan`)
tap_skip_all() {
    if [[ -z $_tap_plan ]]; then
        echo "1..0 # SKIP $1"
    else
        tap_skip "$1" $((_tap_plan - _tap_n))
    fi
    _tap_skipping=1
    exit 0
}

# bail_out REASON: abort the whole test run (tap-driver reports an error)
bail_out() {
    echo "Bail out! $1"
    exit 1
}

# tap_done: prints the plan if none was given; exits 1 if any test failed
tap_done() {
    [[ -n $_tap_plan ]] || echo "1..$_tap_n"
    if [[ -n $_tap_plan && $_tap_n -ne $_tap_plan ]]; then
        tap_diag "planned $_tap_plan tests but ran $_tap_n"
        exit 1
    fi
    ((_tap_failed == 0)) || exit 1
    exit 0
}

# wait_until TIMEOUT_S CMD...: polls CMD every 0.2 s; 0 once it succeeds,
# 1 after TIMEOUT_S seconds
wait_until() {
    local timeout=$1
    shift
    local now end
    # in tenths of a second
    end=$(($(date +%s%N) / 100000000 + timeout * 10))
    while :; do
        "$@" >/dev/null 2>&1 && return 0
        now=$(($(date +%s%N) / 100000000))
        ((now < end)) || return 1
        sleep 0.2
    done
}

# ------------------------------------------------------------------ fleet

# fleet_require: skips the test unless a full fleet can run here
fleet_require() {
    local why
    if [[ ${SITREP_TESTS:-all} == unit ]]; then
        tap_skip_all "SITREP_TESTS=unit: fleet tests not run here"
    fi
    # CI sets SITREP_REQUIRE_FLEET: a fleet that cannot start there is a failure, not a skip
    if [[ -n ${SITREP_REQUIRE_FLEET:-} ]]; then
        tap_skip_all() { bail_out "the test fleet is required here: $1"; }
    fi
    if [[ $(id -u) -ne 0 && -z ${FLEET_ALLOW_LOOPBACK:-} ]]; then
        tap_skip_all "fleet tests need root (network namespaces, podman)"
    fi
    if ! why=$("$FLEET_SH" check 2>&1); then
        if [[ -z ${FLEET_ALLOW_LOOPBACK:-} || $why == missing:* ]]; then
            tap_skip_all "no test fleet on this machine: $why"
        fi
    fi
}

_fleet_cleanup() {
    local st=$?
    trap - EXIT INT TERM
    if [[ -n ${FLEET_DIR:-} && -d $FLEET_DIR ]]; then
        "$FLEET_SH" down "$FLEET_DIR" >/dev/null 2>&1 || true
        if [[ -n ${FLEET_KEEP:-} || ($_tap_failed -gt 0 && -z ${_tap_skipping:-}) ]]; then
            echo "# fleet logs kept in $FLEET_DIR"
        else
            rm -rf "$FLEET_DIR"
        fi
    fi
    return $st
}

# fleet_up N [fleet.sh up options]: starts a fleet in a fresh temp dir
fleet_up() {
    fleet_require
    FLEET_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sitrep-fleet.XXXXXX")
    FLEET_SSH_CONFIG=$FLEET_DIR/ssh_config
    export FLEET_DIR FLEET_SSH_CONFIG
    trap '_fleet_cleanup' EXIT
    trap '_fleet_cleanup; exit 130' INT
    trap '_fleet_cleanup; exit 143' TERM
    local log=$FLEET_DIR/up.out
    if ! "$FLEET_SH" up "$FLEET_DIR" "$@" --owner $$ --rm-dir-on-owner-exit >"$log" 2>&1; then
        _tap_failed=1   # keep the logs
        tap_diag "$(cat "$log")"
        bail_out "fleet.sh up failed (logs in $FLEET_DIR)"
    fi
    # shellcheck disable=SC1091
    . "$FLEET_DIR/fleet.env"
}

# fleet CMD [ARGS...]: fleet.sh CMD $FLEET_DIR ARGS... (fault, exec, ip, status, down)
fleet() {
    local cmd=$1
    shift
    "$FLEET_SH" "$cmd" "$FLEET_DIR" "$@"
}

# fssh HOST [CMD...]: ssh to a fleet host through the fleet's ssh_config
# (stdin is /dev/null, so it is safe inside `while read` loops)
# (ConnectTimeout defaults to 5 s; ssh keeps the first value it sees, so an
# explicit -o ConnectTimeout=N given to fssh replaces the default)
fssh() {
    local a
    local -a ct=(-o ConnectTimeout=5)
    for a; do
        [[ $a == *ConnectTimeout* ]] && ct=()
    done
    ssh -F "$FLEET_SSH_CONFIG" "${ct[@]}" "$@" </dev/null
}

# fleet_hosts: prints h1..hN
fleet_hosts() {
    awk '{print $1}' "$FLEET_DIR/hosts"
}

# sitrep_conf FILE [TIMEOUT]: starts a sitrep.conf for this fleet (its
# ssh_config and known_hosts, a 1 s interval); the test appends its hosts
sitrep_conf() {
    cat >"$1" <<CONF
ssh-config $FLEET_SSH_CONFIG
known-hosts $FLEET_DIR/known_hosts
interval 1
timeout ${2:-3}
# the test hosts share this machine's kernel, and so its load average
load-warn 50
load-crit 100
CONF
}
