#!/bin/bash
# A scripted incident against the real fleet, with the command-line twins,
# gives the reviewed golden report (times and durations normalised); the
# report is CommonMark (cmark) and holds no byte below 0x20 but newline.
. "${top_srcdir:-.}/tests/fleet/lib.sh"
: "${SITREP:=$top_builddir/sitrep}"
fleet_up 1

work=$FLEET_DIR/sitrep
mkdir -p "$work"
export XDG_CONFIG_HOME=$work/cfg XDG_DATA_HOME=$work/data SITREP_DATADIR=$top_srcdir USER=oncall
conf=$work/sitrep.conf
sitrep_conf "$conf" 3
cat >>"$conf" <<CONF
rto 1h
rpo 15m
host h1
CONF
s() { "$SITREP" -c "$conf" "$@"; }
rb=$top_srcdir/tests/data/console/walk.md
id=$(s incident open --title 'Bot flapping | restarts `fast`' --severity P2 --host h1 \
	--service telegram-bot --users-impacted yes --impact high --runbook "$rb#1")
tap_is "$id" 1 "incident 1 opened"
s incident note $'first look: bot exits with 3\x1b]0;pwned\x07 <script>alert(1)</script>' >/dev/null
s incident tick 1 >/dev/null
s incident tick 2 >/dev/null
s incident severity P1 >/dev/null
s incident step start 1 >/dev/null
s incident run --host h1 -- echo 'bot Up 2 seconds' >/dev/null
s incident step done --note 'it restarts every few seconds' >/dev/null
s incident step start 2 >/dev/null
s incident run --host h1 -- sh -c 'printf "restarting bot\nbot\n"' >/dev/null
s incident run --host h1 -- sh -c 'echo "no such container: bottt" >&2; exit 3' >/dev/null
s incident step failed --note 'typo in the name' >/dev/null
s incident milestone mitigated >/dev/null
s incident milestone restored >/dev/null
s incident resolve --summary 'The bot crashed on start for 20 minutes.' \
	--impact 'Users got no answers from the bot.' \
	--root-cause 'A config change removed the token file.' \
	--resolution 'Restored the token file; restarted the bot.' \
	--prevention 'Check the token file in the deploy.' \
	--went-well 'The crash loop was seen at once.' \
	--needs-improvement 'The restart runbook had a typo.' \
	--data-loss 0s \
	--action 'Add a deploy check for the token file;alice;prevention' \
	--action 'Fix the runbook typo;bob;process' >/dev/null
tap_ok "the scripted incident is resolved" sh -c "'$SITREP' -c '$conf' incident list | grep -q resolved"

s report "$id" -o "$work/report.md"
tap_ok "sitrep report writes the report" test -s "$work/report.md"
if command -v cmark >/dev/null; then
	tap_ok "it parses as CommonMark" sh -c "cmark --validate-utf8 '$work/report.md' >'$work/report.html'"
	tap_not "no raw <script> in the rendered HTML" grep -q '<script>' "$work/report.html"
else
	tap_skip "cmark is not installed" 2
fi
tap_not "no byte below 0x20 but newline" env LC_ALL=C grep -qP '[\x00-\x09\x0b-\x1f\x7f]' "$work/report.md"
normalise() {
	sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC/YYYY-MM-DD hh:mm:ss UTC/g' \
	    -e 's/[0-9]{2}:[0-9]{2}:[0-9]{2}/hh:mm:ss/g' \
	    -e 's/\b([0-9]+d[0-9]{2}h|[0-9]+h[0-9]{2}m|[0-9]+m[0-9]{2}s|[0-9]+s)\b/<dur>/g' "$1"
}
normalise "$work/report.md" >"$work/report.norm"
golden=$top_srcdir/tests/data/report/golden.md
if [[ -n ${SITREP_UPDATE_GOLDEN:-} ]]; then
	cp "$work/report.norm" "$golden"
fi
tap_ok "the report equals the reviewed golden file" diff -u "$golden" "$work/report.norm"
s report "$id" -o "$work/again.md"
tap_ok "the same store gives the same report, byte for byte" cmp "$work/report.md" "$work/again.md"

# a token from the configuration, written over ssh in three pieces, is shown,
# stored and reported as one [secret]; the bot's id is the start of it
export SITREP_TEST_BOT_ID=123456789 SITREP_TEST_TOKEN=123456789:AAFq-Zx9_sshSecretValue
{ cat "$conf"; printf '    check tok "test -n ${SITREP_TEST_TOKEN} -a -n ${SITREP_TEST_BOT_ID}"\n'; } \
    >"$work/secret.conf"
sec() { "$SITREP" -c "$work/secret.conf" --db "$work/secret.db" "$@"; }
sid=$(sec incident open --title 'Token over ssh' --severity P3 --host h1 --drill)
out=$(sec incident -i "$sid" run --host h1 -- \
    sh -c 'printf "id=1234"; sleep 0.3; printf "56789:AAFq-Zx9_ssh"; sleep 0.3; printf "SecretValue bot=123456789 end\n"' |
    tr -d '\r')
tap_is "$out" "id=[secret] bot=[secret] end" "over ssh: a token in three writes is shown as one [secret]"
tap_is "$(sec incident -i "$sid" show --json | jq -r '.commands[0].output' | tr -d '\r')" \
    "id=[secret] bot=[secret] end" "and stored so"
sec report "$sid" -o "$work/secret.md"
tap_like "$(cat "$work/secret.md")" 'id=\[secret\] bot=\[secret\] end' "and reported so"
tap_done
