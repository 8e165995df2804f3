#!/bin/bash
# sitrep status against the real test fleet: what it reports equals what
# ssh + docker / df / curl report on each host; health flips; failing
# checks; unreachable hosts; host keys (unknown, changed, trusted).
. "${top_srcdir:-.}/tests/fleet/lib.sh"

: "${SITREP:=$top_builddir/sitrep}"
fleet_up 3

work=$FLEET_DIR/sitrep
mkdir -p "$work"
export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data
conf=$work/sitrep.conf
sitrep_conf "$conf" 3
for h in h1 h2 h3; do
	cat >>"$conf" <<CONF
host $h
    containers docker
    health gateway http://localhost:18790/health via-ssh json status=healthy
    check pong echo PONG expect ^PONG\$
    check wrong echo NOPE expect ^PONG\$
    check fails sh -c 'exit 4'
CONF
done
status() { "$SITREP" -c "$conf" status --json "$@"; }
jqh() { jq -r --arg h "$1" ".hosts[] | select(.name==\$h) | $2" <<<"$out"; }

# the crash-looping bot has crashed at least once
crashed() { (( $(fssh h1 "docker inspect --format '{{.RestartCount}}' bot") >= 1 )); }
tap_ok "bot crashed once on h1 (fleet setup)" wait_until 30 crashed
restarts() { fssh h1 "docker inspect --format '{{.RestartCount}}' bot"; }
# the bot keeps crashing: what sitrep saw lies between the counts before and after it looked
before=$(restarts)
out=$(status); st=$?
after=$(restarts)
tap_is "$(jq -r '.hosts|length' <<<"$out")" 3 "three hosts reported"
tap_is "$st" 2 "exit 2: failing checks are CRIT"
for h in h1 h2 h3; do
	tap_is "$(jqh $h .connection)" connected "$h reached over ssh with strict host keys"
done

# containers: the same as docker ps on the host itself
ps=$(fssh h1 "docker ps -a --format '{{.Names}} {{.State}}'" | sort)
mine=$(jqh h1 '.containers.items[] | "\(.name) \(.engine_state)"' | sort)
names() { awk '{print $1}' <<<"$1" | sort | tr '\n' ' '; }
tap_is "$(names "$mine")" "$(names "$ps")" "h1: the containers docker ps lists"
tap_is "$(jqh h1 '.containers.items[]|select(.name=="web")|.state')" OK "web is OK"
tap_is "$(jqh h1 '.containers.items[]|select(.name=="web")|.engine_state')" running "web is running"
tap_is "$(jqh h1 '.containers.items[]|select(.name=="job")|.exit_code')" 7 "job exited with 7"
tap_is "$(jqh h1 '.containers.items[]|select(.name=="job")|.reason')" "exited (7)" "and says so"
r1=$(jqh h1 '.containers.items[]|select(.name=="bot")|.restarts')
tap_is "$(jqh h1 '.containers.items[]|select(.name=="bot")|.restarting')" true "bot is seen restarting"
tap_is "$(jqh h1 '.containers.items[]|select(.name=="bot")|.state')" CRIT "a crash loop is CRIT"
ok $(( r1 >= before && r1 <= after ? 0 : 1 )) "bot's restart count matches docker inspect ($before <= $r1 <= $after)"
grows() { out=$(status h1); r2=$(jqh h1 '.containers.items[]|select(.name=="bot")|.restarts'); (( r2 > r1 )); }
tap_ok "the restart count grows" wait_until 20 grows

# the tail of a container's log, on demand
logs=$("$SITREP" -c "$conf" logs -n 20 h1 bot)
tap_like "$logs" 'bot: connected to queue' "sitrep logs: the container's log lines"
tap_like "$logs" 'bot: fatal: lost connection to queue' "stderr lines too"
"$SITREP" -c "$conf" logs h1 no-such-container >/dev/null 2>&1
tap_not "a container that does not exist: non-zero exit" test $? -eq 0

# disk and memory: the same as df -P and /proc/meminfo there
dfp=$(fssh h1 "df -P / | awk 'NR==2 {gsub(\"%\",\"\",\$5); print \$5}'")
got=$(jqh h1 '.disks[]|select(.mount=="/")|.used_pct')
ok $(( got >= dfp - 1 && got <= dfp + 1 ? 0 : 1 )) "h1 / use matches df -P ($got vs $dfp)"
tap_ok "the host's own /srv/data disk is seen" test -n "$(jqh h1 '.disks[]|select(.mount=="/srv/data")|.mount')"
tap_is "$(jqh h1 .hostname)" h1 "the host's own hostname"

# checks and health
tap_is "$(jqh h1 '.checks[]|select(.name=="pong")|.state')" OK "a check whose output matches is OK"
tap_is "$(jqh h1 '.checks[]|select(.name=="wrong")|.state')" CRIT "a check whose expect does not match is CRIT"
tap_like "$(jqh h1 '.checks[]|select(.name=="wrong")|.reason')" "does not match" "and says why"
tap_is "$(jqh h1 '.checks[]|select(.name=="fails")|.exit_code')" 4 "a failing check keeps its exit code"
curlout=$(fssh h2 "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:18790/health")
tap_is "$(jqh h2 '.health[0].http_status')" "$curlout" "health status as curl sees it on the host ($curlout)"
tap_is "$(jqh h2 '.health[0].state')" OK "health OK through the ssh tunnel"
fleet fault h2 health-unhealthy
out=$(status h2)
tap_is "$(jqh h2 '.health[0].http_status')" 503 "switched to 503"
tap_is "$(jqh h2 '.health[0].state')" CRIT "health CRIT"
tap_is "$(jqh h2 '.health[0].reason')" "HTTP 503" "with the status in words"
fleet fault h2 health-healthy

# an unreachable host
fleet fault h3 link-down
t0=$(date +%s%N)
out=$(status h3); st=$?
took=$(( ($(date +%s%N) - t0) / 1000000 ))
tap_is "$(jqh h3 .state)" DOWN "link down: DOWN"
tap_is "$st" 3 "exit 3 for an unreachable host"
ok $(( took < 8000 ? 0 : 1 )) "reported within the timeout bound (${took} ms)"
fleet fault h3 link-up
fleet fault h3 sshd-kill
out=$(status h3)
tap_is "$(jqh h3 .state)" DOWN "sshd killed: DOWN"
tap_like "$(jqh h3 .reason)" "refused|timed out|connect" "with the reason ($(jqh h3 .reason))"
fleet fault h3 sshd-start
out=$(status h3)
tap_is "$(jqh h3 .connection)" connected "sshd back: reached again"

# out of file descriptors: sitrep's own error, never the hosts' state.
# The hard limit is lowered from small (nothing connects) until every
# host connects; each run is judged as a monitoring system would read it.
fdseen=0 fdbad=0 fdlimit=0 fdn=6 fdrc=0
while (( fdn <= 64 )); do
	out=$(prlimit --nofile=$fdn:$fdn "$SITREP" -c "$conf" --log "$work/fd.log" status --json \
	    2>"$work/fd.err"); st=$?
	if [[ -z $out ]]; then
		# too few to start: sitrep's own error before any host
		[[ $st == 3 ]] && grep -q "^sitrep: out of file descriptors (limit $fdn)" "$work/fd.err" ||
		    { fdbad=$fdn; tap_diag "limit $fdn: exit $st: $(cat "$work/fd.err")"; }
		fdn=$((fdn + 2)); continue
	fi
	errs=$(jq -r '.hosts[] | select(.connection_error // "" | test("out of file descriptors")) | .name' <<<"$out")
	# the host's own words for it would be DOWN with "Too many open files"
	if jq -e '.hosts[] | select(.state=="DOWN" or .state=="UNTRUSTED" or .state=="CRIT")
	    | select(((.reason // "") + (.connection_error // "")) | test("open files|descriptor"; "i"))' \
	    <<<"$out" >/dev/null; then
		fdbad=$fdn; tap_diag "limit $fdn: $(jq -c '.hosts[]|[.name,.state,.reason]' <<<"$out")"
	fi
	[[ -z $errs ]] && break
	if (( !fdseen )) || [[ $(wc -w <<<"$errs") -lt 3 ]]; then
		fdseen=1 fdlimit=$fdn fdrc=$st fdout=$out fderr=$(cat "$work/fd.err")
	fi
	(( st == 3 )) || { fdbad=$fdn; tap_diag "limit $fdn: exit $st with $errs out of descriptors"; }
	fdn=$((fdn + 2))
done
ok $((!fdseen)) "a low descriptor limit made connections fail (up to $fdlimit)"
tap_is "$fdbad" 0 "at no limit was a host shown DOWN/CRIT for it, and every such run exited 3"
out_last=$out out=$fdout
h=$(jq -r '[.hosts[] | select(.connection_error // "" | test("out of file"))][0].name' <<<"$out")
tap_is "$(jqh "$h" .state)" UNKNOWN "$h: UNKNOWN, not DOWN"
tap_is "$(jqh "$h" .connection)" "sitrep error" "$h: the connection failed on sitrep's side"
tap_is "$(jqh "$h" .reason)" "sitrep: out of file descriptors (limit $fdlimit)" "$h: with the limit in the reason"
tap_is "$fdrc" 3 "exit 3 (sitrep's own error), whatever the hosts that answered are"
tap_like "$fderr" "^sitrep: out of file descriptors \\(limit $fdlimit\\), reaching h" "said on stderr"
tap_like "$(cat "$work/fd.log")" "h[0-9]: sitrep: out of file descriptors \\(limit [0-9]+\\)" "and in the --log"
tap_ok "with enough descriptors ($fdn) every host connects" \
    test "$(jq -r '[.hosts[]|select(.connection=="connected")]|length' <<<"$out_last")" = 3

# host keys
cp "$FLEET_DIR/known_hosts" "$work/kh.orig"
grep -v "$(fleet ip h1)" "$FLEET_DIR/known_hosts" | grep -v '^h1[ ,]' >"$work/kh.noh1"
sed -i "s|^known-hosts .*|known-hosts $work/kh.noh1|" "$conf"
accepted() { grep -c 'Accepted publickey' "$FLEET_DIR/h1/sshd.log"; }
before=$(accepted)
out=$(status h1); st=$?
tap_is "$(jqh h1 .state)" UNTRUSTED "an unknown key: UNTRUSTED"
want=$(ssh-keygen -lf "$FLEET_DIR/h1/ssh_host_ed25519_key.pub" 2>/dev/null | awk '{print $2}')
[[ -n $want ]] || want=$(ssh-keyscan -t ed25519 "$(fleet ip h1)" 2>/dev/null | ssh-keygen -lf - | awk '{print $2}')
tap_is "$(jqh h1 .fingerprint)" "$want" "its SHA256 fingerprint is shown"
tap_is "$(accepted)" "$before" "and sitrep never authenticated: no command ran"
# StrictHostKeyChecking no in the ssh config changes nothing
sed 's/StrictHostKeyChecking yes/StrictHostKeyChecking no/' "$FLEET_SSH_CONFIG" >"$work/ssh_config.lax"
sed -i "s|^ssh-config .*|ssh-config $work/ssh_config.lax|" "$conf"
out=$(status h1)
tap_is "$(jqh h1 .state)" UNTRUSTED "StrictHostKeyChecking no changes nothing"
tap_is "$(accepted)" "$before" "still no login"
"$SITREP" -c "$conf" hosts trust h1 --fingerprint SHA256:wrong >/dev/null 2>&1
tap_not "trust with the wrong fingerprint is refused" grep -q "$(fleet ip h1)" "$work/kh.noh1"
tap_ok "trust with the right fingerprint" "$SITREP" -c "$conf" hosts trust h1 --fingerprint "$want"
out=$(status h1)
tap_is "$(jqh h1 .connection)" connected "then h1 is reached"
sed -i "s|^ssh-config .*|ssh-config $FLEET_SSH_CONFIG|; s|^known-hosts .*|known-hosts $FLEET_DIR/known_hosts|" "$conf"
sum=$(sha256sum "$FLEET_DIR/known_hosts")
fleet fault h1 rekey
out=$(status h1)
tap_is "$(jqh h1 .state)" UNTRUSTED "a changed key is refused"
tap_like "$(jqh h1 .reason)" "HOST KEY CHANGED" "loudly"
"$SITREP" -c "$conf" hosts trust h1 --yes >/dev/null 2>&1
tap_not "hosts trust refuses a changed key" test $? -eq 0
tap_is "$(sha256sum "$FLEET_DIR/known_hosts")" "$sum" "known_hosts is byte-identical"
tap_done
