#!/bin/bash
# ssh_config compatibility with OpenSSH, on the real test fleet: for each
# keyword, one ssh_config; `ssh -G`, a real `ssh -F CONF HOST true` and
# `sitrep -F CONF status HOST` must agree (both connect, or both refuse),
# or sitrep must refuse naming the keyword. Never silently different.
# Then `sitrep hosts trust` writes where OpenSSH reads, and says so.
. "${top_srcdir:-.}/tests/fleet/lib.sh"

: "${SITREP:=$top_builddir/sitrep}"
fleet_up 2 --no-containers

work=$FLEET_DIR/sshconfig
mkdir -p "$work"
export XDG_CONFIG_HOME=$work/cfg XDG_DATA_HOME=$work/data
ip1=$(fleet ip h1) ip2=$(fleet ip h2)
key1=$(awk -v ip="$ip1" '$1 == ip { print $2, $3; exit }' "$FLEET_DIR/known_hosts")
kh=$FLEET_DIR/known_hosts
# a sitrep.conf naming only the hosts: every ssh setting comes from -F
sconf=$work/sitrep.conf
printf 'interval 1\ntimeout 4\nload-warn 50\nload-crit 100\nhost h1\nhost h2\nhost h1-inner\nhost h1-twice\nhost h1-pc\n' >"$sconf"

# the settings every test host needs; $1: the host's address
base() {
	cat <<EOF
    HostName $1
    User root
    IdentityFile $FLEET_DIR/client_key
    IdentitiesOnly yes
    StrictHostKeyChecking yes
    CheckHostIP no
    BatchMode yes
    KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org
EOF
}
# known_hosts settings; $1 user files, $2 global files
khs() { printf '    UserKnownHostsFile %s\n    GlobalKnownHostsFile %s\n' "$1" "${2:-/dev/null}"; }

ssh_ok() { timeout 20 ssh -F "$1" "$2" true </dev/null >/dev/null 2>&1; }
# sitrep's view of HOST through CONF: "connected", or its reason
sitrep_conn() {
	local out
	out=$("$SITREP" -c "$sconf" -F "$1" status --json "$2" 2>"$work/stderr")
	if [[ $(jq -r '.hosts[0].connection' <<<"$out") == connected ]]; then
		echo connected
	else
		jq -r '.hosts[0].reason // "no answer"' <<<"$out"
	fi
}
# row NAME CONF HOST WANT [KEYWORD]: ssh and sitrep agree with WANT
# (connects / refuses); or, with KEYWORD, sitrep refuses naming it
row() {
	local name=$1 conf=$2 host=$3 want=$4 kw=$5 ssh_says sitrep_says
	ssh -G -F "$conf" "$host" >/dev/null 2>&1 || tap_diag "$name: ssh -G rejects the config"
	ssh_ok "$conf" "$host" && ssh_says=connects || ssh_says=refuses
	local got; got=$(sitrep_conn "$conf" "$host")
	[[ $got == connected ]] && sitrep_says=connects || sitrep_says=refuses
	if [[ -n $kw ]]; then
		tap_is "$ssh_says" "$want" "$name: OpenSSH $want"
		tap_like "$sitrep_says: $got" "^refuses: .*$kw" "$name: sitrep refuses naming $kw"
	else
		tap_is "$ssh_says" "$want" "$name: OpenSSH $want"
		tap_is "$sitrep_says" "$want" "$name: sitrep $want too ($got)"
	fi
}

# HostKeyAlias: the key is known only under the alias
echo "myalias $key1" >"$work/kh.alias"
{ echo "Host h1"; base "$ip1"; echo "    HostKeyAlias myalias"; khs "$work/kh.alias"; } >"$work/c.alias"
row HostKeyAlias "$work/c.alias" h1 connects

# hashed known_hosts (HashKnownHosts yes, as ssh-keygen -H writes it)
cp "$kh" "$work/kh.hashed"
ssh-keygen -q -H -f "$work/kh.hashed" >/dev/null 2>&1
tap_not "the hashed file holds no plain address" grep -q "$ip1" "$work/kh.hashed"
{ echo "Host h1"; base "$ip1"; khs "$work/kh.hashed"; } >"$work/c.hashed"
row "hashed known_hosts" "$work/c.hashed" h1 connects

# several UserKnownHostsFile: the key is in the second one only
: >"$work/kh.empty"
{ echo "Host h1"; base "$ip1"; khs "$work/kh.empty $kh"; } >"$work/c.multi"
row "UserKnownHostsFile, two files" "$work/c.multi" h1 connects

# GlobalKnownHostsFile
{ echo "Host h1"; base "$ip1"; khs "$work/kh.empty" "$kh"; } >"$work/c.global"
row GlobalKnownHostsFile "$work/c.global" h1 connects

# @revoked: the key is listed and revoked; never accepted
{ cat "$kh"; echo "@revoked * $key1"; } >"$work/kh.revoked"
{ echo "Host h1"; base "$ip1"; khs "$work/kh.revoked"; } >"$work/c.revoked"
row "@revoked" "$work/c.revoked" h1 refuses
tap_like "$(sitrep_conn "$work/c.revoked" h1)" "REVOKED" "@revoked: sitrep says the key is revoked"

# @cert-authority: host certificates are not supported: refused by name
ssh-keygen -q -t ed25519 -N '' -f "$work/ca" >/dev/null
echo "@cert-authority * $(cut -d' ' -f1,2 "$work/ca.pub")" >"$work/kh.ca"
{ echo "Host h1"; base "$ip1"; khs "$work/kh.ca"; } >"$work/c.ca"
row "@cert-authority" "$work/c.ca" h1 refuses "@cert-authority"

# Include
{ echo "Host h1"; base "$ip1"; khs "$kh"; } >"$work/inc.conf"
echo "Include $work/inc.conf" >"$work/c.include"
row Include "$work/c.include" h1 connects

# Match host / user: the address comes only from the Match block
{ echo "Match host h1"; base "$ip1"; khs "$kh"; } >"$work/c.mhost"
row "Match host" "$work/c.mhost" h1 connects
# (the first value given wins: the Match block comes first)
{ echo "Match user root"; base "$ip1"; khs "$kh";
  echo "Host h1"; echo "    HostName 192.0.2.1"; echo "    ConnectTimeout 2"; khs "$kh"; } >"$work/c.muser"
row "Match user (matches)" "$work/c.muser" h1 connects
sed -i 's/^Match user root/Match user nobody/' "$work/c.muser"
row "Match user (does not match)" "$work/c.muser" h1 refuses

# Match exec: the command decides which address
{ echo "Match exec \"test -e $work/flag\""; base "$ip1"; khs "$kh";
  echo "Host h1"; echo "    HostName 192.0.2.1"; echo "    ConnectTimeout 2"; khs "$kh"; } >"$work/c.mexec"
touch "$work/flag"
row "Match exec (true)" "$work/c.mexec" h1 connects
rm -f "$work/flag"
row "Match exec (false)" "$work/c.mexec" h1 refuses

# ProxyJump (one hop, then a chain) and ProxyCommand: h1's own sshd on its
# 127.0.0.1, reached through h1; its key is h1's (HostKeyAlias)
{
	echo "Host h1"; base "$ip1"; khs "$kh"
	echo "Host h1-inner"; base 127.0.0.1; echo "    HostKeyAlias h1"; echo "    ProxyJump h1"; khs "$kh"
	echo "Host h1-twice"; base 127.0.0.1; echo "    HostKeyAlias h1"; echo "    ProxyJump h1,h1-inner"; khs "$kh"
	echo "Host h1-pc"; base 127.0.0.1; echo "    HostKeyAlias h1"
	echo "    ProxyCommand ssh -F $work/c.jump -W %h:%p h1"; khs "$kh"
} >"$work/c.jump"
before=$(grep -c 'Accepted publickey' "$FLEET_DIR/h1/sshd.log")
row ProxyJump "$work/c.jump" h1-inner connects
row "ProxyJump chain" "$work/c.jump" h1-twice connects
row ProxyCommand "$work/c.jump" h1-pc connects
after=$(grep -c 'Accepted publickey' "$FLEET_DIR/h1/sshd.log")
ok $(( after - before >= 8 ? 0 : 1 )) "the jumps logged in on h1 itself ($((after - before)) logins)"

# IdentityAgent none, IdentitiesOnly with a key the host does not take
{ echo "Host h1"; base "$ip1"; echo "    IdentityAgent none"; khs "$kh"; } >"$work/c.agent"
row "IdentityAgent none" "$work/c.agent" h1 connects
ssh-keygen -q -t ed25519 -N '' -f "$work/stranger" >/dev/null
{ echo "Host h1"; base "$ip1" | sed "s|IdentityFile .*|IdentityFile $work/stranger|"; khs "$kh"; } >"$work/c.ionly"
row "IdentitiesOnly (a key the host refuses)" "$work/c.ionly" h1 refuses

# CertificateFile: user certificates are not supported: refused by name
cp "$FLEET_DIR/client_key.pub" "$work/ck.pub"
ssh-keygen -q -s "$work/ca" -I sitrep-test -n root "$work/ck.pub" >/dev/null 2>&1
cert=$work/ck-cert.pub
tap_ok "a user certificate to name" test -s "$cert"
{ echo "Host h1"; base "$ip1"; echo "    CertificateFile $cert"; khs "$kh"; } >"$work/c.cert"
row CertificateFile "$work/c.cert" h1 connects CertificateFile

# ConnectTimeout, ServerAliveInterval, LogLevel: connect the same; LogLevel
# never brings libssh's chatter to the terminal
{ echo "Host h1"; base "$ip1"; echo "    ConnectTimeout 3"; echo "    ServerAliveInterval 1";
  echo "    LogLevel DEBUG3"; khs "$kh"; } >"$work/c.misc"
row "ConnectTimeout, ServerAliveInterval, LogLevel DEBUG3" "$work/c.misc" h1 connects
tap_is "$(cat "$work/stderr")" "" "LogLevel DEBUG3: nothing on stderr"
{ echo "Host h2"; base 192.0.2.1; echo "    ConnectTimeout 1"; khs "$kh"; } >"$work/c.ctimeout"
t0=$(date +%s%N)
row "ConnectTimeout 1 (no such address)" "$work/c.ctimeout" h2 refuses
took=$(( ($(date +%s%N) - t0) / 1000000 ))
ok $(( took < 9000 ? 0 : 1 )) "both gave up within the timeouts (${took} ms)"

# User / Port: the config's wrong port, sitrep.conf's port wins as ssh -p does
{ echo "Host h2"; base "$ip2"; echo "    Port 2"; khs "$kh"; } >"$work/c.port"
tap_not "the config's port alone: OpenSSH refuses" ssh_ok "$work/c.port" h2
tap_ok "ssh -p 22 connects" timeout 20 ssh -F "$work/c.port" -p 22 h2 true
printf 'interval 1\ntimeout 4\nhost h2\n    port 22\n    user root\n' >"$work/sitrep-port.conf"
out=$("$SITREP" -c "$work/sitrep-port.conf" -F "$work/c.port" status --json h2 2>&1)
tap_is "$(jq -r '.hosts[0].connection' <<<"$out" 2>/dev/null)" connected "sitrep.conf's port 22 wins, as -p does"

# hosts trust writes where OpenSSH reads
{ echo "Host h1"; base "$ip1"; khs /dev/null; } >"$work/c.devnull"
msg=$("$SITREP" -c "$sconf" -F "$work/c.devnull" hosts trust h1 --yes 2>&1); st=$?
tap_not "trust into UserKnownHostsFile /dev/null: not reported as done" test "$st" -eq 0
tap_like "$msg" "/dev/null" "and the message names the file ($msg)"

rm -f "$work/kh.first" "$work/kh.second"
{ echo "Host h1"; base "$ip1"; echo "    HostKeyAlias trusted-alias"; echo "    HashKnownHosts yes";
  khs "$work/kh.first $work/kh.second"; } >"$work/c.trust"
tap_not "before: OpenSSH refuses the unknown key" ssh_ok "$work/c.trust" h1
msg=$("$SITREP" -c "$sconf" -F "$work/c.trust" hosts trust h1 --yes 2>&1); st=$?
tap_is "$st" 0 "trust: done ($msg)"
tap_like "$msg" "$work/kh.first" "trust: says the file it wrote"
tap_like "$(cat "$work/kh.first" 2>/dev/null)" '^\|1\|' "hashed, as HashKnownHosts yes says"
tap_ok "the line is found under the alias (ssh-keygen -F)" \
    bash -c "ssh-keygen -F trusted-alias -f '$work/kh.first' | grep -q ed25519"
tap_ok "then OpenSSH connects with it" ssh_ok "$work/c.trust" h1
tap_is "$(sitrep_conn "$work/c.trust" h1)" connected "and so does sitrep"
tap_done
