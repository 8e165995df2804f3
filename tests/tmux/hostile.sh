#!/bin/bash
# Hostile text from a host (a health body, check output, container log
# lines) reaches the screen only as visible placeholders: the raw bytes
# sitrep writes to the terminal, captured with script(1), hold no escape
# sequence that came from the data.
. "${top_srcdir:-.}/tests/fleet/lib.sh"
. "$top_srcdir/tests/tmux/lib.sh"
: "${SITREP:=$top_builddir/sitrep}"
command -v script >/dev/null || tap_skip_all "script(1) is not installed"
fleet_up 1
trap '_term_cleanup; _fleet_cleanup' EXIT

work=$FLEET_DIR/sitrep
mkdir -p "$work"
# OSC 0/2 title, OSC 52 clipboard, OSC 8 link, CSI erase and cursor move, a
# terminal query, DCS, C1 CSI as a code point and as a raw byte, CR and
# backspace overwrites, a bidi override, and a valid U-umlaut (C3 9C).
pay='T1\033]0;PWNED-TITLE\007 T2\033]2;PWNED2\007 T3\033]52;c;cHduZWQ=\007 '
pay+='T4\033]8;;http://evil.invalid\033\\link\033]8;;\033\\ T5\033[2J\033[10;10H '
pay+='T6\033[21t T7\033P1$r\033\\ T8\302\23331m T9\23331m T10 OVER\rWRITE '
pay+='T11 AB\b\bXY T12 \342\200\256live T13 \303\234ber HOSTILE-END'
printf '%b' "$pay" >"$work/payload"
fleet fault h1 health-body "$work/payload"
fleet fault h1 health-status 500
fleet exec h1 sh -c "printf '%b' '$pay' >/srv/data/evil.txt"
# in the log, one item per line so that each is visible
logpay=${pay// T/\\nT}
fleet exec h1 docker run -d --name evil --network none localhost/fleet:latest \
	sh -c "printf '%b\n' '$logpay'; printf 'LOG-LINE-2\n'; exec sleep 100000" >/dev/null

conf=$work/sitrep.conf
sitrep_conf "$conf" 3
cat >>"$conf" <<CONF
host h1
    health gateway http://localhost:18790/health via-ssh
    check evil cat /srv/data/evil.txt expect NEVER-MATCHES
CONF
term_start main 200 50 script -q -f -c "env XDG_CONFIG_HOME=$work/cfg XDG_DATA_HOME=$work/data TERM=xterm-256color $SITREP -c $conf" "$work/typescript"
tap_ok "the console shows the hostile health body" wait_screen main 20 'body:.*T1'
tap_ok "and the hostile check output" wait_screen main 5 'output:.*T1'
s=$(screen main)
tap_like "$s" $'T1\u241b\\]0;PWNED-TITLE\u2407' "OSC 0 is shown as ␛]0;…␇, not obeyed"
tap_like "$s" $'T5\u241b\\[2J\u241b\\[10;10H' "CSI erase and move are shown, not obeyed"
tap_like "$s" $'T8\ufffd31m' "a C1 CSI code point becomes \ufffd"
tap_like "$s" $'T9\ufffd31m' "a raw C1 byte becomes \ufffd"
# the log of the container that prints it
keys main Enter
found=1
for i in 1 2 3 4 5; do
	keys main L
	if wait_screen main 4 'LOGS .*h1: evil'; then found=0; break; fi
	keys main Escape Enter j
	for ((k = 1; k < i; k++)); do keys main j; done
done
ok $found "the logs pane opens evil's log"
tap_ok "the hostile log line is shown as placeholders" wait_screen main 5 $'T1\u241b\\]0;PWNED-TITLE'
tap_ok "and the next line too" wait_screen main 2 'LOG-LINE-2'
s=$(screen main)
tap_like "$s" $'T3\u241b\\]52;c;cHduZWQ=\u2407' "OSC 52 in a log line is shown, not obeyed"
tap_like "$s" $'T6\u241b\\[21t' "a terminal query is shown, not sent"
tap_like "$s" $'OVER\u240dWRITE' "a CR is shown as ␍"
tap_like "$s" $'AB\u2408\u2408XY' "backspaces are shown as ␈"
tap_like "$s" $'T12 \ufffdlive' "a bidi override is neutralised"
tap_like "$s" $'T13 \u00dcber' "a valid U-umlaut with a 0x9C byte survives"
keys main q
wait_screen main 5 '__EXITED__'

raw=$work/typescript
tap_ok "raw bytes captured" test -s "$raw"
tap_ok "everything written is valid UTF-8" iconv -f UTF-8 -t UTF-8 -o /dev/null "$raw"
tap_not "no OSC (title, clipboard, link) reached the terminal" env LC_ALL=C grep -aqP '\x1b\]' "$raw"
tap_not "no DCS" env LC_ALL=C grep -aqP '\x1bP' "$raw"
# (xterm's smcup/rmcup save and restore the title with CSI 22;0;0t / 23;0;0t: ours)
tap_not "no terminal query or window operation (CSI ... t)" env LC_ALL=C grep -aqP '\x1b\[(?!2[23];0;0t)[0-9;]*t' "$raw"
tap_not "no C1 control as a code point" env LC_ALL=C grep -aqP '\xc2[\x80-\x9f]' "$raw"
tap_not "no CR-overwrite from the data" env LC_ALL=C grep -aqP 'OVER\rWRITE' "$raw"
tap_not "no backspace-overwrite from the data" env LC_ALL=C grep -aqP 'AB\x08\x08XY' "$raw"
tap_not "no bidi override" env LC_ALL=C grep -aqP '\xe2\x80\xae' "$raw"
tap_not "the clipboard payload never appears raw" env LC_ALL=C grep -aqP '52;c;cHduZWQ=\x07' "$raw"
tap_done
