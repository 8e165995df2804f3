#!/bin/bash
# Notifications to a real HTTP server on loopback that records what it
# gets: every event once, in order, in each format; with the server down
# nothing is lost and everything arrives after it comes back; the console
# stays responsive while an endpoint hangs.
. "${top_srcdir:-.}/tests/fleet/lib.sh"
[[ ${SITREP_TESTS:-all} == unit ]] && tap_skip_all "SITREP_TESTS=unit"
: "${SITREP:=$top_builddir/sitrep}" "${HEALTHD:=$top_builddir/tests/fleet/healthd}"
[[ -x $HEALTHD ]] || tap_skip_all "healthd is not built"

work=$(mktemp -d)
srv_pid=
cleanup() { [[ -n $srv_pid ]] && kill "$srv_pid" 2>/dev/null; tmux -L "sitrep-notify-$$" kill-server 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export XDG_CONFIG_HOME=$work/cfg XDG_DATA_HOME=$work/data USER=oncall SITREP_DATADIR=$top_srcdir
mkdir -p "$work/srv"
rec=$work/requests.jsonl
start_server() {
	"$HEALTHD" --listen 127.0.0.1:${port:-0} --dir "$work/srv" --record "$rec" >"$work/srv.out" &
	srv_pid=$!
	wait_until 5 grep -q listening "$work/srv.out"
	port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$work/srv.out" | head -1)
}
stop_server() { kill "$srv_pid"; wait "$srv_pid" 2>/dev/null; srv_pid=; }
start_server
tap_ok "a recording HTTP server on loopback (port $port)" test -n "$port"

export TG_TOKEN=123456:tok-secret-abcdef
conf=$work/sitrep.conf
cat >"$conf" <<CONF
host local
    address local
notify hook
    type json
    url http://127.0.0.1:$port/hook
notify chat
    type slack
    url http://127.0.0.1:$port/slack
    events open,resolve
notify tg
    type telegram
    url http://127.0.0.1:$port
    token \${TG_TOKEN}
    chat-id -100123
    events open
CONF
s() { "$SITREP" -c "$conf" "$@"; }
id=$(s incident open --title 'Gateway down' --severity P2)
s incident note "looking at the logs" >/dev/null
s incident severity P1 >/dev/null
s incident milestone mitigated >/dev/null
s incident resolve --summary done >/dev/null
paths=$(jq -r .path "$rec" | tr '\n' ' ')
tap_is "$(jq -r 'select(.path=="/hook") | .body' "$rec" | jq -r .event | tr '\n' ' ')" \
	"open note severity milestone resolve " "the JSON hook got every event once, in order"
tap_is "$(jq -r 'select(.path=="/slack") | .body' "$rec" | jq -r .text | cut -d: -f1 | tr '\n' '|')" \
	"[sitrep] #$id P2 Gateway down|[sitrep] #$id P1 Gateway down|" "Slack got only open and resolve"
tg=$(jq -r 'select(.path|startswith("/bot")) | .path' "$rec")
tap_is "$tg" "/bot$TG_TOKEN/sendMessage" "Telegram sendMessage with the token in the URL"
tap_is "$(jq -r 'select(.path|startswith("/bot")) | .body' "$rec" | jq -r .chat_id)" -100123 "to the chat id"
tap_not "the token never reaches the store" grep -rq "tok-secret" "$XDG_DATA_HOME"
tap_is "$(s notify status)" "0 waiting" "nothing waits in the outbox"

# the server goes down: nothing is lost, everything arrives after it is back
stop_server
: >"$rec"
id2=$(s incident open --title 'Disk full' --severity P3)
for i in 1 2 3; do s incident note "note $i" >/dev/null; done
tap_ok "the twins do not fail while the endpoint is down" test -n "$id2"
tap_is "$(s notify status)" "6 waiting
  chat 1
  hook 4
  tg 1" "6 messages wait in the outbox, counted per target (4 hook, 1 slack, 1 telegram)"
start_server
s notify flush >/dev/null
wait_until 10 test "$(wc -l <"$rec")" -ge 6
tap_is "$(jq -r 'select(.path=="/hook") | .body' "$rec" | jq -r .text | sed 's/.*: //' | tr '\n' '|')" \
	"P3 Disk full (response target 1d00h)|note 1|note 2|note 3|" \
	"after the outage: every message, once, in order"
tap_is "$(wc -l <"$rec")" 6 "no duplicate"
tap_is "$(s notify status)" "0 waiting" "the outbox is empty"

# a hanging endpoint never blocks the console
echo 20000 >"$work/srv/delay_ms"
: >"$rec"
if command -v tmux >/dev/null; then
	tmx() { tmux -L "sitrep-notify-$$" -f /dev/null "$@"; }
	tmx new-session -d -s c -x 120 -y 35 "TERM=xterm-256color $SITREP -c $conf; sleep 60"
	wait_until 10 sh -c "tmux -L sitrep-notify-$$ capture-pane -p -t c | grep -q HOSTS"
	s incident note "while the hook hangs" >/dev/null &
	note_pid=$!
	sleep 1
	t0=$(date +%s%N)
	tmx send-keys -t c '?'
	wait_until 3 sh -c "tmux -L sitrep-notify-$$ capture-pane -p -t c | grep -q 'Keys (?'"; st=$?
	took=$(( ($(date +%s%N) - t0) / 1000000 ))
	ok $st "the console answers a key while the endpoint hangs (${took} ms)"
	tmx send-keys -t c Escape q Enter
	wait "$note_pid"
	tap_ok "the note is recorded even though its delivery hangs" sh -c "'$SITREP' -c '$conf' incident show --json | jq -r '.timeline[].text' | grep -q 'while the hook hangs'"
else
	tap_skip "tmux is not installed" 2
fi
tap_done
