#!/bin/bash
# The program's surface without a fleet: options, usage errors, config
# errors with file:line, the embedded default (this machine, local
# transport), the incident twins against a real store, runbook lint.
. "${top_srcdir:-.}/tests/fleet/lib.sh"
: "${SITREP:=$top_builddir/sitrep}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data HOME=$work USER=tester
unset NO_COLOR

out=$("$SITREP" --version)
tap_like "$out" '^sitrep [0-9]+\.[0-9]+\.[0-9]+$' "--version prints the version"
out=$("$SITREP" --help)
tap_like "$out" 'usage: sitrep' "--help prints usage"
tap_like "$out" 'status' "--help lists the commands"
"$SITREP" --bogus >/dev/null 2>"$work/err"; st=$?
tap_is "$st" 2 "an unknown option exits 2"
tap_like "$(cat "$work/err")" 'unknown option' "and says so on stderr"
"$SITREP" frobnicate 2>/dev/null; tap_is $? 2 "an unknown command exits 2"

printf 'interval 5\nhost a\n    address h\n    colour blue\n' > "$work/bad.conf"
"$SITREP" -c "$work/bad.conf" hosts 2>"$work/err"; st=$?
tap_is "$st" 3 "hosts: a bad configuration is UNKNOWN (3), as for status"
tap_like "$(cat "$work/err")" "bad.conf:4: unknown host key 'colour'" "and names file:line"
"$SITREP" -c "$work/missing.conf" report 1 2>"$work/err"; tap_is $? 2 "a missing -c file exits 2"
"$SITREP" -c "$work/bad.conf" status 2>/dev/null; tap_is $? 3 "status: a bad configuration is UNKNOWN (3), never CRIT"
"$SITREP" -c "$work/bad.conf" report 1 2>/dev/null; tap_is $? 2 "report: a bad configuration exits 2"
tap_ok "every subcommand answers --help" "$SITREP" incident --help

# the console refuses without a terminal and points to status
"$SITREP" </dev/null >"$work/out" 2>"$work/err"; st=$?
tap_is "$st" 2 "the console without a terminal exits 2"
tap_like "$(cat "$work/err")" "sitrep status" "and points to sitrep status"

# the embedded default: this machine over the local transport
out=$("$SITREP" status --json); st=$?
tap_like "$st" '^[0-3]$' "status exits with a monitoring code ($st)"
tap_is "$(jq -r '.hosts | length' <<<"$out")" 1 "one host: this machine"
tap_is "$(jq -r '.hosts[0].connection' <<<"$out")" connected "reached without ssh"
tap_ok "memory of this machine" test "$(jq -r '.hosts[0].memory.total_kb' <<<"$out")" -gt 0
want=$(awk '/MemTotal/ {print $2}' /proc/meminfo)
tap_is "$(jq -r '.hosts[0].memory.total_kb' <<<"$out")" "$want" "the same MemTotal as /proc/meminfo"
tap_is "$(jq -r '.hosts[0].load.cores' <<<"$out")" "$(getconf _NPROCESSORS_ONLN)" "the same core count"
rootpct=$(df -P / | awk 'NR==2 {gsub("%","",$5); print $5}')
got=$(jq -r '.hosts[0].disks[] | select(.mount=="/") | .used_pct' <<<"$out")
ok $(( got >= rootpct - 1 && got <= rootpct + 1 ? 0 : 1 )) "the / use matches df -P ($got vs $rootpct)"
"$SITREP" status >"$work/out"; tap_like "$(head -1 "$work/out")" "$(hostname)" "the table names this host"

# incidents against a real store, from a script
id=$("$SITREP" incident open --title 'Gateway down' --severity P1 --host local --users-impacted yes --impact high)
tap_like "$id" '^[0-9]+$' "incident open prints the id"
tap_ok "a note" "$SITREP" incident note "restarting the gateway"
tap_ok "a triage tick" "$SITREP" incident tick 1
tap_ok "severity change" "$SITREP" incident severity P0
tap_ok "runbook chosen" "$SITREP" incident runbook "Gateway not responding"
tap_ok "step 1 starts" "$SITREP" incident step start 1
tap_ok "step 1 done" "$SITREP" incident step done --note fine
tap_ok "a command runs here and is recorded" "$SITREP" incident run --host "$(hostname)" -- echo hello-from-run
"$SITREP" incident -i "$id" run --host "$(hostname)" -- sh -c 'exit 7' >/dev/null 2>&1
tap_is $? 7 "words after -- keep their quoting (sh -c 'exit 7' exits 7)"
"$SITREP" incident run -- rm -rf /tmp/sitrep-never-exists >"$work/out" 2>&1; st=$?
tap_ok "a destructive command is refused without --confirm" test "$st" -ne 0
tap_like "$(cat "$work/out")" "destructive \\(rm with -r\\)" "and says why"
tap_ok "milestone restored" "$SITREP" incident milestone restored
show=$("$SITREP" incident show --json)
tap_is "$(jq -r .severity <<<"$show")" P0 "show: the severity change"
tap_like "$(jq -r '.timeline[].text' <<<"$show")" 'hello-from-run' "show: the command is in the timeline"
tap_is "$(jq -r '.commands[0].output' <<<"$show" | tr -d '\r')" hello-from-run "show: its output is kept"
tap_is "$(jq -r '.commands[0].exit_status' <<<"$show")" 0 "show: its exit status"
tap_is "$(jq -r '.steps[0].outcome' <<<"$show")" done "show: the step's outcome"
tap_ok "resolve" "$SITREP" incident resolve --summary "it broke" --root-cause "a bad deploy" --action "add an alert;bob;detection"
tap_is "$(sqlite3 "$XDG_DATA_HOME/sitrep/sitrep.db" 'PRAGMA integrity_check')" ok "the store is intact"
tap_like "$("$SITREP" incident list)" "resolved" "list shows it resolved"
"$SITREP" report "$id" -o "$work/report.md"
tap_ok "a report" test -s "$work/report.md"
tap_like "$(cat "$work/report.md")" "Time to triage" "with the figures"
if command -v cmark >/dev/null; then
	tap_ok "the report is CommonMark" cmark --validate-utf8 "$work/report.md"
else
	tap_skip "cmark not installed"
fi
tap_ok "stats" "$SITREP" stats
tap_is "$("$SITREP" stats --json | jq -r .real.incidents)" 1 "stats counts the incident"

# secrets from the configuration never reach what is shown, stored or reported:
# the bot's id is the start of its token, and the command writes the token in
# three pieces, then once across the 64 KiB the store keeps
export SITREP_TEST_BOT_ID=123456789 SITREP_TEST_TOKEN=123456789:AAFq-Zx9_cliSecretValue
export PIECE1=1234 PIECE2=56789:AAFq-Zx9_cli PIECE3=SecretValue
printf 'db %s\nhost here\n    address local\n    check tok "test -n ${SITREP_TEST_TOKEN} -a -n ${SITREP_TEST_BOT_ID}"\n' \
    "$work/secret.db" >"$work/secret.conf"
sec() { "$SITREP" -c "$work/secret.conf" "$@"; }
sid=$(sec incident open --title 'Token check' --severity P3 --host here --drill)
out=$(sec incident -i "$sid" run --host here -- \
    sh -c 'printf "id=%s" "$PIECE1"; sleep 0.2; printf "%s" "$PIECE2"; sleep 0.2; printf "%s bot=%s end\n" "$PIECE3" "$SITREP_TEST_BOT_ID"' \
    | tr -d '\r')
tap_is "$out" "id=[secret] bot=[secret] end" "a token written in three pieces is shown as one [secret]"
sec incident -i "$sid" run --host here -- \
    sh -c 'head -c 65530 /dev/zero | tr "\0" x; printf "%s" "$SITREP_TEST_TOKEN"; head -c 1000 /dev/zero | tr "\0" y' >/dev/null
show=$(sec incident -i "$sid" show --json)
tap_is "$(jq -r '.commands[0].output' <<<"$show" | tr -d '\r')" "id=[secret] bot=[secret] end" \
    "stored redacted"
kept=$(jq -r '.commands[1].output' <<<"$show")
tap_is "${#kept}" 65530 "output past the store's 64 KiB is cut before the [secret] it would split"
tap_is "$(jq -r '.commands[1].output_total' <<<"$show")" $((65530 + 8 + 1000)) "and counted whole"
sec report "$sid" -o "$work/secret.md"
all="$show$(cat "$work/secret.md")"
tap_ok "no piece of the token in show or the report" \
    sh -c '! printf "%s" "$1" | grep -q -e AAFq -e SecretValue -e x1234' _ "$all"
tap_ok "nor in the store's files" sh -c '! grep -aq -e AAFq -e SecretValue -e x1234 "$1"/secret.db*' _ "$work"
unset SITREP_TEST_BOT_ID SITREP_TEST_TOKEN PIECE1 PIECE2 PIECE3

# runbooks
tap_ok "the shipped runbooks lint clean" "$SITREP" runbook lint "$top_srcdir"/runbooks/[a-z]*.md
printf '# Broken\n\n## Runbook 1: Oops\n\n1. **Step** (5 min)\n   ```bash\n   echo never closed\n' > "$work/bad.md"
"$SITREP" runbook lint "$work/bad.md" >"$work/out" 2>&1; st=$?
tap_is "$st" 1 "lint fails on a broken runbook"
tap_like "$(cat "$work/out")" "bad.md:6:" "and names file:line"
tap_like "$("$SITREP" runbook list)" "Crash loop" "runbook list shows the shipped ones"

# placeholders are asked for before a command runs
printf '# P\n\n## Runbook 1: Restore\n\n1. **Restore the backup** (5 min)\n   ```bash\n   echo restoring backup-<latest_timestamp>.tar.gz\n   ```\n2. **Look** (1 min)\n   ```bash\n   printf "got %%s." "<dir>" <dir>\n   ```\n3. **Elsewhere** (1 min)\n   ```bash\n   ssh nosuchhost echo hi\n   ```\n' >"$work/ph.md"
"$SITREP" incident open --title 'Restore drill' --severity P3 --drill --runbook "$work/ph.md" >/dev/null
"$SITREP" incident step start 1 >/dev/null
"$SITREP" incident run --host "$(hostname)" --step 1 >"$work/out" 2>&1; st=$?
tap_ok "a placeholder without a value: not run" test "$st" -ne 0
tap_like "$(cat "$work/out")" "--set '<latest_timestamp>=" "it says which value is needed"
out=$("$SITREP" incident run --host "$(hostname)" --step 1 --set '<latest_timestamp>=2026-11-21')
tap_like "$out" 'restoring backup-2026-11-21.tar.gz' "with the value it runs, filled in"
# a value is data: one literal word, never shell code
out=$("$SITREP" incident run --host "$(hostname)" --step 2 --set "<dir>=g; touch $work/X" 2>&1)
tap_like "$out" "got g; touch $work/X\\.got g; touch $work/X\\." "the value arrives as one word, in and out of quotes"
tap_ok "and runs nothing" test ! -e "$work/X"
out=$("$SITREP" incident run --host "$(hostname)" --step 2 --set '<dir>=$(id -un)' 2>&1)
tap_like "$out" 'got \$\(id -un\)\.got \$\(id -un\)\.' "\$(...) in a value is not expanded"
"$SITREP" incident run --step 3 >"$work/out" 2>&1; st=$?
tap_ok "a command for a host outside the fleet: not run" test "$st" -ne 0
tap_like "$(cat "$work/out")" "runs it on nosuchhost, which is not in the fleet" "and it says where it would run"
"$SITREP" incident run --host "$(hostname)" --step 3 >"$work/out" 2>&1; st=$?
tap_ok "--host does not move it to another host" test "$st" -ne 0

# the man pages are clean
if command -v mandoc >/dev/null; then
	tap_ok "sitrep(1) is clean under mandoc -Tlint" sh -c "mandoc -Tlint -W warning '$top_srcdir/man/sitrep.1'; test \$? -eq 0"
	tap_ok "sitrep.conf(5) is clean under mandoc -Tlint" sh -c "mandoc -Tlint -W warning '$top_srcdir/man/sitrep.conf.5'; test \$? -eq 0"
else
	tap_skip "mandoc is not installed" 2
fi
tap_like "$("$SITREP" runbook show 'Crash loop')" "docker" "runbook show prints the commands"
tap_done
