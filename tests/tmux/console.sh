#!/bin/bash
# The console in a real terminal against the real fleet: states on screen,
# a crash loop shown as restarting, a health flip within two intervals,
# resizes, help, filter, NO_COLOR, themes, and a clean exit on SIGTERM.
. "${top_srcdir:-.}/tests/fleet/lib.sh"
. "$top_srcdir/tests/tmux/lib.sh"
: "${SITREP:=$top_builddir/sitrep}"
fleet_up 3
trap '_term_cleanup; _fleet_cleanup' EXIT

work=$FLEET_DIR/sitrep
mkdir -p "$work"
conf=$work/sitrep.conf
{
	echo "ssh-config $FLEET_SSH_CONFIG"
	echo "known-hosts $FLEET_DIR/known_hosts"
	echo "interval 1"
	echo "timeout 3"
	echo "load-warn 50"
	echo "load-crit 100"
	for h in h1 h2 h3; do
		echo "host $h"
		echo "    health gateway http://localhost:18790/health via-ssh json status=healthy"
	done
	# wide and combining characters, to be measured and cut at column boundaries
	echo "    check wide printf '漢字テスト🔥 Кириллица é ünïcödé 漢字テスト漢字テスト漢字テスト漢字テスト漢字テスト漢字テスト' expect NEVER"
} >"$conf"
run=(env XDG_CONFIG_HOME="$work/cfg" XDG_DATA_HOME="$work/data" SITREP_DATADIR="$top_srcdir"
	TERM=xterm-256color "$SITREP" -c "$conf")

term_start main 120 35 "${run[@]}"
tap_ok "the console lists every fleet host" wait_screen main 20 'h3'
row() { screen main | grep -E "^[^│]*[A-Z]+ +$1 " | head -1; }
known() { ! screen main | grep -qE '^[^│]*UNKNOWN +h[123] '; }
tap_ok "every host reached" wait_until 20 known
for h in h1 h2 h3; do
	tap_like "$(row $h)" "(OK|WARN|CRIT) +$h" "$h has a state symbol and word"
done
crashed() { (( $(fssh h1 "docker inspect --format '{{.RestartCount}}' bot") >= 1 )); }
wait_until 30 crashed
tap_ok "the crash-looping bot shows as RESTARTING" wait_screen main 20 'RESTARTING +bot'
tap_like "$(row h1)" "CRIT" "and makes h1 CRIT"

keys main j
tap_ok "h2 selected, its health OK" wait_screen main 5 'gateway +http 200'
fleet fault h2 health-unhealthy
t0=$(date +%s%N)
wait_screen main 10 'CRIT +gateway +http 503'; st=$?
took=$(( ($(date +%s%N) - t0) / 1000000 ))
ok $st "health 503 turns h2's gateway CRIT on screen"
ok $(( took <= 2 * 1000 + 1000 ? 0 : 1 )) "within two intervals (${took} ms, interval 1 s)"
tap_like "$(screen main)" 'CRIT +gateway +http 503 .*HTTP 503' "with the reason in words"
tap_like "$(row h2)" "CRIT" "and the h2 row is CRIT"
keys main k
fleet fault h2 health-healthy

keys main '?'
tap_ok "? shows the help overlay" wait_screen main 3 'Keys \(\? or Esc closes\)'
help=$(screen main)
for k in 'refresh now' 'filter hosts' 'logs of the selected' 'quit'; do
	tap_like "$help" "$k" "the help lists: $k"
done
keys main Escape
keys main / ; sleep 0.3; keys main h 2 Enter
tap_ok "the filter narrows the fleet list" wait_screen main 3 'HOSTS 1/3'
tap_not "h1 is filtered out" sh -c "tmux -L $TMUX_SOCKET capture-pane -p -t main | grep -qE '^[^│]*(OK|WARN|CRIT) +h1 '"
keys main / ; sleep 0.3; keys main C-u Enter
tap_ok "an empty filter shows all again" wait_screen main 3 'HOSTS 3 '

# resizes: no crash, redrawn, nothing outside the window
for size in "40 12" "80 24" "200 60" "300 100" "39 11" "120 35"; do
	set -- $size
	tmx resize-window -t main -x "$1" -y "$2"
	sleep 0.6
	s=$(screen main)
	widest=$(LC_ALL=C.UTF-8 wc -L <<<"$s")
	if (( $1 < 40 || $2 < 12 )); then
		tap_like "$s" "needs at least 40x12" "${1}x${2}: a one-line message"
	else
		tap_like "$(head -1 <<<"$s")" "sitrep|#[0-9]" "${1}x${2}: the status line is drawn"
	fi
	ok $(( widest <= $1 ? 0 : 1 )) "${1}x${2}: no line wider than the window ($widest)"
	tap_ok "${1}x${2}: still running" test -n "$(term_pid main)"
done

# a wide line cut at a column boundary never spills over the edge
keys main j j
sleep 1
tap_ok "the host pane shows h3's wide check output" wait_screen main 5 'output: 漢字'
for cols in 90 91 92 93; do
	tmx resize-window -t main -x "$cols" -y 30
	sleep 0.5
	widest=$(screen main | LC_ALL=C.UTF-8 wc -L)
	ok $(( widest <= cols ? 0 : 1 )) "${cols} columns: wide text cut at a column boundary ($widest)"
done
tmx resize-window -t main -x 120 -y 35
keys main k k

# SIGTERM: the program ends and the terminal is sane again
kill -TERM "$(term_pid main)"
tap_ok "SIGTERM ends the console" wait_screen main 5 '__EXITED__'
modes=$(screen main)
tap_like "$modes" '[^-]icanon' "the terminal is back in canonical mode"
tap_like "$modes" '[^-]echo ' "with echo on"

# SIGINT and a fatal signal restore the terminal too
for sig in INT SEGV; do
	term_start "sig$sig" 100 30 "${run[@]}"
	wait_screen "sig$sig" 15 'HOSTS 3'
	kill -"$sig" "$(term_pid "sig$sig")"
	tap_ok "SIG$sig ends the console" wait_screen "sig$sig" 10 '__EXITED__'
	tap_like "$(screen "sig$sig")" '[^-]icanon' "SIG$sig: the terminal is sane again"
done

# a user theme from $XDG_CONFIG_HOME/sitrep/themes
mkdir -p "$work/cfg/sitrep/themes"
printf 'ok bright-green default bold\ncrit bright-white red bold\n' >"$work/cfg/sitrep/themes/team.theme"
term_start usertheme 100 30 "${run[@]}" --theme team
tap_ok "a user theme loads by name" wait_screen usertheme 15 'HOSTS 3'
keys usertheme q

# NO_COLOR: no colour codes at all
term_start mono 100 30 env NO_COLOR=1 "${run[@]}"
# once the hosts have states: those are what colours would show
tap_ok "NO_COLOR: states still in words" wait_screen mono 30 '(OK|WARN|CRIT) +h1 '
tap_not "NO_COLOR: capture-pane -e shows no colour" \
	sh -c "tmux -L $TMUX_SOCKET capture-pane -p -e -t mono | grep -qE $'\x1b\\\\[[0-9;]*(3[0-7]|4[0-7]|38;5|48;5|9[0-7]|10[0-7])[;m]'"
keys mono q
tmx kill-session -t mono

# each shipped theme loads and draws
for t in dark light high-contrast mono; do
	term_start "theme-$t" 100 30 "${run[@]}" --theme "$t"
	tap_ok "theme $t draws the console" wait_screen "theme-$t" 15 'HOSTS 3'
	keys "theme-$t" q
done
printf 'ok purple default\n' >"$work/bad.theme"
"${run[@]}" --theme "$work/bad.theme" status >/dev/null 2>"$work/err" </dev/null
term_start badtheme 100 30 "${run[@]}" --theme "$work/bad.theme"
tap_ok "a bad theme file: file:line error" wait_screen badtheme 5 "bad.theme:1: colour 'purple'"
tap_done
