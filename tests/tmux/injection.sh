#!/bin/bash
# Escape injection: 54 hostile strings (tests/data/hostile/corpus.txt) fed
# through every path that reaches the screen or the report: container
# names, health bodies, check output, log lines, command output, runbook
# text and notes. The bytes sitrep writes to the terminal (captured with
# script(1)) and the report hold none of them raw.
. "${top_srcdir:-.}/tests/fleet/lib.sh"
. "$top_srcdir/tests/tmux/lib.sh"
[[ ${SITREP_TESTS:-all} == unit ]] && tap_skip_all "SITREP_TESTS=unit"
: "${SITREP:=$top_builddir/sitrep}" "${HEALTHD:=$top_builddir/tests/fleet/healthd}"
command -v script >/dev/null || tap_skip_all "script(1) is not installed"
command -v jq >/dev/null || tap_skip_all "jq is not installed"

work=$(mktemp -d)
srv_pid=
trap '[[ -n $srv_pid ]] && kill $srv_pid; _term_cleanup; rm -rf "$work"' EXIT
export XDG_CONFIG_HOME=$work/cfg XDG_DATA_HOME=$work/data SITREP_DATADIR=$top_srcdir USER=oncall

# decode the corpus: one raw string per line, and its needle
needles=()
: >"$work/corpus.bin"
while IFS=$'\t' read -r needle str; do
	[[ -z $needle || $needle == \#* ]] && continue
	printf '%b\n' "$str" >>"$work/corpus.bin"
	needles+=("$needle")
done <"$top_srcdir/tests/data/hostile/corpus.txt"
n=${#needles[@]}
tap_ok "a corpus of at least 40 hostile strings ($n)" test "$n" -ge 40

# a fake docker on this machine: containers named by the corpus, logs made of it
mkdir -p "$work/bin"
jq -Rc --unbuffered 'select(length > 0) | {ID: (input_line_number | tostring | ("000000000000" + .)[-12:] | "abcdef" + .),
	Names: ., Image: "img", State: "running", Status: "Up 3 minutes"}' <"$work/corpus.bin" >"$work/ps.jsonl" 2>/dev/null ||
	jq -Rc '{ID: "abcdefabcdef", Names: ., State: "running", Status: "Up"}' <"$work/corpus.bin" >"$work/ps.jsonl"
cat >"$work/bin/docker" <<SH
#!/bin/sh
case "\$1" in
ps) [ "\$2" = -a ] && cat "$work/ps.jsonl" ;;
logs) cat "$work/corpus.bin" ;;
esac
exit 0
SH
chmod +x "$work/bin/docker"

# a health endpoint whose body is the corpus
mkdir -p "$work/srv"
tr '\n' ' ' <"$work/corpus.bin" >"$work/srv/body"
echo 500 >"$work/srv/status"
"$HEALTHD" --listen 127.0.0.1:0 --dir "$work/srv" >"$work/srv.out" &
srv_pid=$!
wait_until 5 grep -q listening "$work/srv.out"
port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$work/srv.out" | head -1)

# a runbook written with the corpus: step titles and commands
{
	echo "# Hostile runbook"
	echo
	echo "## Runbook 1: Injection"
	echo
	i=0
	while IFS= read -r line; do
		i=$((i + 1))
		printf '%d. **Step %s** (1 min)\n   ```bash\n   cat %s/corpus.bin # %s\n   ```\n\n' "$i" "$line" "$work" "$line"
	done <"$work/corpus.bin"
} >"$work/hostile.md"

conf=$work/sitrep.conf
cat >"$conf" <<CONF
interval 1
load-warn 50
load-crit 100
host evil
    address local
    containers docker
    health body http://127.0.0.1:$port/health
    check output cat $work/corpus.bin expect NEVER-MATCHES
CONF
s() { PATH=$work/bin:$PATH "$SITREP" -c "$conf" "$@"; }
s incident open --title "$(head -1 "$work/corpus.bin")" --severity P1 --runbook "$work/hostile.md" >/dev/null
while IFS= read -r line; do
	s incident note "$line" >/dev/null
done <"$work/corpus.bin"
s incident step start 2 >/dev/null
s incident run --host evil --confirm evil -- cat "$work/corpus.bin" >/dev/null

term_start c 200 60 script -q -f -c "env PATH=$work/bin:$PATH TERM=xterm-256color $SITREP -c $conf --runbook $work/hostile.md" "$work/typescript"
tap_ok "the console is up" wait_screen c 20 'Triage'
# the host pane: every container name, the health body, the check output
keys c Escape Enter
for ((i = 0; i < n + 5; i++)); do keys c j; done
sleep 1
tap_like "$(screen c)" 'body:' "the health body is drawn"
tap_like "$(screen c)" 'output:' "the check output is drawn"
# the logs pane: every line of the corpus
keys c L
tap_ok "the log pane is drawn" wait_screen c 10 'LOGS [0-9]+ lines'
keys c g
for ((i = 0; i < n; i++)); do keys c j; done
# the incident pane: runbook titles and commands, the command's output
keys c i
sleep 0.5
for ((i = 0; i < 3 * n + 30; i++)); do keys c j; done
sleep 0.5
# the timeline: every note
keys c Tab
for ((i = 0; i < n + 5; i++)); do keys c k; done
sleep 1
keys c q Enter
tap_ok "the console ended" wait_screen c 10 '__EXITED__'
s report 1 -o "$work/report.md"

raw=$work/typescript
tap_ok "the terminal's bytes were captured" test -s "$raw"
tap_ok "everything written to the terminal is valid UTF-8" iconv -f UTF-8 -t UTF-8 -o /dev/null "$raw"
tap_ok "everything in the report is valid UTF-8" iconv -f UTF-8 -t UTF-8 -o /dev/null "$work/report.md"
leaked_pty=() leaked_md=()
for needle in "${needles[@]}"; do
	bytes=$(printf '%b' "$needle")
	LC_ALL=C grep -aqF -- "$bytes" "$raw" && leaked_pty+=("$needle")
	LC_ALL=C grep -aqF -- "$bytes" "$work/report.md" && leaked_md+=("$needle")
done
tap_is "${leaked_pty[*]}" "" "none of the $n hostile sequences reached the terminal raw"
tap_is "${leaked_md[*]}" "" "none reached the report raw"
tap_not "no byte below 0x20 but newline in the report" env LC_ALL=C grep -qP '[\x00-\x09\x0b-\x1f\x7f]' "$work/report.md"
tap_like "$(cat "$work/report.md")" '␛\\\]0;T01' "the report shows them as visible placeholders"
# what the terminal did draw, to show every path was exercised
tap_ok "the runbook's hostile step titles were drawn" env LC_ALL=C grep -aq 'Step osc0 ' "$raw"
tap_ok "container names were drawn" env LC_ALL=C grep -aq 'osc2 ' "$raw"
tap_ok "log lines were drawn" env LC_ALL=C grep -aq 'stray continuation' "$raw"
tap_ok "notes were drawn" env LC_ALL=C grep -aq 'oncall: three esc' "$raw"
tap_ok "and the sequences as placeholders (␛]0;T01)" env LC_ALL=C grep -aqF '␛]0;T01' "$raw"
tap_done
