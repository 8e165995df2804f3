#!/bin/bash
# The transports against a real sshd (and this machine): a health tunnel
# whose local reader is busy never blocks the worker and loses nothing;
# output that arrived while the worker ran health checks counts; output
# with NUL bytes; an output flood is cut off; a host that lets sitrep log
# in but whose shell exits at once is not logged into again and again.
. "${top_srcdir:-.}/tests/fleet/lib.sh"
. "$top_srcdir/tests/tmux/lib.sh"
: "${SITREP:=$top_builddir/sitrep}" "${DRIVER:=$top_builddir/tests/integration/transport-driver}"
[[ -x $DRIVER ]] || tap_skip_all "tests/integration/transport-driver is not built"
fleet_up 1 --no-containers
trap '_term_cleanup; _fleet_cleanup' EXIT

work=$FLEET_DIR/sitrep
mkdir -p "$work"
export XDG_CONFIG_HOME=$work/cfg XDG_DATA_HOME=$work/data SITREP_DATADIR=$top_srcdir
conf=$work/sitrep.conf
sitrep_conf "$conf" 3
printf 'host h1\nhost here\n    transport local\n' >>"$conf"
drive() { timeout 60 "$DRIVER" "$conf" "$@"; }
val() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' <<<"$2"; }

# a health body larger than any socket buffer, through the host's session
head -c 600000 /dev/urandom | base64 -w 76 >"$work/body"
fleet fault h1 health-body "$work/body"
out=$(drive h1 tunnel 18790 "$work/resp"); st=$?
tap_is "$st" 0 "the tunnel pump returns while its local reader is busy (no hang)"
tap_is "$(val full "$out")" 1 "and says the local end is full"
awk 'b { print } /^\r$/ { b = 1 }' "$work/resp" >"$work/got"
tap_ok "all $(wc -c <"$work/body") bytes of the body arrive, in order, once it is read" \
	cmp -s "$work/body" "$work/got"

for h in h1 here; do
	# the worker reads the script's output after its health checks
	out=$(drive "$h" late 1000)
	tap_is "$(val rc "$out")" 0 "$h: output that came while the worker was busy counts ($(val rc "$out"))"
	out=$(drive "$h" script "printf 'a\\000b\\n'")
	tap_is "$(val rc "$out")" 0 "$h: output with a NUL byte is read to its end marker"
	tap_is "$(val hex "$out")" 6100620a0a "$h: every byte of it, the NUL too"
	out=$(drive "$h" script "head -c 17000000 /dev/zero")
	tap_like "$(val rc "$out")" "^-1 the probe's output passed 16 MiB" "$h: an output flood is cut off"
done

# the same NUL through sitrep status: the host stays up, the check is judged
cat >"$work/nul.conf" <<CONF
$(grep -v '^host\|^    ' "$conf")
host h1
    check nul printf 'a\\000b\\n' expect ^a
CONF
out=$("$SITREP" -c "$work/nul.conf" status --json h1)
tap_is "$(jq -r '.hosts[0].connection' <<<"$out")" connected "a check printing a NUL: the host stays connected"
tap_is "$(jq -r '.hosts[0].checks[0].state' <<<"$out")" OK "and its check is judged"

# a health target through the host's session that never answers (its SYNs
# are dropped: sshd's connect hangs for minutes) fails its own check only,
# and costs the host one pending connection, not one per cycle
fleet fault h1 blackhole 18791
cat >"$work/hole.conf" <<CONF
$(grep -v '^host\|^    \|^interval' "$conf")
interval 1
host h1
    health gw http://localhost:$FLEET_HEALTH_PORT/health via-ssh
    health hole http://localhost:18791/ via-ssh timeout 2
    health closed http://localhost:18799/ via-ssh
CONF
out=$("$SITREP" -c "$work/hole.conf" status --json h1)
hc() { jq -r ".hosts[0].health[] | select(.name == \"$1\") | .$2" <<<"$out"; }
tap_is "$(hc gw state)" OK "a tunnel that never connects: the host's other health check is OK"
tap_is "$(hc hole state)" CRIT "the one that never connects is CRIT"
tap_like "$(hc hole reason)" "tunnel to localhost:18791: not connected after 2 s" "and says why ($(hc hole reason))"
tap_is "$(hc closed state)" CRIT "a port nothing listens on is CRIT"
tap_like "$(hc closed reason)" "tunnel to localhost:18799: Connection refused" "and says why ($(hc closed reason))"
term_start hole 120 40 "$SITREP" -c "$work/hole.conf"
tap_ok "the console shows the check waiting" wait_screen hole 15 'not connected after'
sleep 6
pending=$(fleet exec h1 ss -tnpH state syn-sent dst 127.0.0.1:18791 | grep -c sshd)
tap_is "$pending" 1 "after 6 cycles sshd has one connection to it pending"
tap_like "$(screen hole)" 'OK +gw ' "and gw is still OK on screen"
keys hole q
fleet fault h1 blackhole-off

# login works, the shell does not (nologin): back off, do not hammer sshd
chmod o+x "$FLEET_DIR"	# nobody reads the fleet's authorized_keys
cat >"$work/nologin.conf" <<CONF
$(grep -v '^host\|^    ' "$conf")
host h1
    user nobody
CONF
out=$("$SITREP" -c "$work/nologin.conf" status --json h1)
tap_is "$(jq -r '.hosts[0].state' <<<"$out")" DOWN "a shell that exits at once: DOWN"
tap_like "$(jq -r '.hosts[0].reason' <<<"$out")" "shell exited" "with the reason ($(jq -r '.hosts[0].reason' <<<"$out"))"
logins() { grep -c 'Accepted publickey for nobody' "$FLEET_DIR/h1/sshd.log"; }
before=$(logins)
term_start wall 100 30 "$SITREP" -c "$work/nologin.conf" wall
sleep 10
n=$(( $(logins) - before ))
tap_ok "the wall shows h1 DOWN" wait_screen wall 5 'DOWN'
keys wall q
ok $(( n >= 2 && n <= 7 ? 0 : 1 )) "10 s of a failing host: $n logins (reconnect once, then back off 1, 2, 4 s)"
tap_done
