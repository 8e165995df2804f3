#!/bin/bash
# The store's own disk full, or read-only: a clear message and a non-zero
# exit, no corruption, nothing that was recorded lost, and the console says
# NOT RECORDING instead of showing as recorded what is not.
. "${top_srcdir:-.}/tests/fleet/lib.sh"
[[ ${SITREP_TESTS:-all} == unit ]] && tap_skip_all "SITREP_TESTS=unit"
: "${SITREP:=$top_builddir/sitrep}"
[[ $(id -u) -eq 0 ]] || tap_skip_all "needs root to mount a small tmpfs"

work=$(mktemp -d)
data=$work/data
mkdir -p "$data"
mount -t tmpfs -o size=768k tmpfs "$data" || tap_skip_all "cannot mount a tmpfs here"
cleanup() { tmux -L "sitrep-store-$$" kill-server 2>/dev/null; umount "$data" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export XDG_CONFIG_HOME=$work/cfg XDG_DATA_HOME=$data SITREP_DATADIR=$top_srcdir USER=oncall
db=$data/sitrep/sitrep.db
s() { "$SITREP" -H local "$@"; }
fill() { dd if=/dev/zero of="$data/fill" bs=4k 2>/dev/null; sync; }

s incident open --title 'Disk test' --severity P2 >/dev/null
for i in 1 2 3; do s incident note "before $i" >/dev/null; done
tap_is "$(sqlite3 "$db" "select count(*) from event where text like '%before%'")" 3 "three notes recorded"

fill
s incident note "while full" >"$work/out" 2>&1; st=$?
tap_ok "with the disk full a note fails (exit $st)" test "$st" -ne 0
tap_like "$(cat "$work/out")" "full" "with a clear message: $(head -1 "$work/out")"

# the console: it says NOT RECORDING and does not show the note as recorded
tmx() { tmux -L "sitrep-store-$$" -f /dev/null "$@"; }
tmx new-session -d -s c -x 120 -y 35 "TERM=xterm-256color $SITREP -H local; sleep 60"
wait_until 10 sh -c "tmux -L sitrep-store-$$ capture-pane -p -t c | grep -q 'Disk test'"
screen() { tmux -L "sitrep-store-$$" capture-pane -p -t c; }
# n, then the text once the note's form is up (typed earlier, it would be keys)
note_keys() {
	tmx send-keys -t c n
	wait_until 5 sh -c "tmux -L sitrep-store-$$ capture-pane -p -t c | grep -q '─ Note ─'"
	tmx send-keys -t c "$1" Enter
}
note_keys 'typed while full'
tap_ok "the console says the note was NOT RECORDED" wait_until 5 sh -c "tmux -L sitrep-store-$$ capture-pane -p -t c | grep -q 'NOT RECORDED'"
tap_like "$(screen | head -1)" "NOT RECORDING" "and the status bar says NOT RECORDING"
tap_not "the timeline does not show it" sh -c "tmux -L sitrep-store-$$ capture-pane -p -t c | grep -q 'oncall: typed while full'"

rm -f "$data/fill"
# (with the disk full no SQLite reader can open a WAL store at all: it
# needs room for its -shm file; so the checks come once there is room)
tap_is "$(sqlite3 "$db" 'PRAGMA integrity_check')" ok "the store is intact"
tap_is "$(sqlite3 "$db" "select count(*) from event where text like '%before%'")" 3 "nothing recorded is lost"
tap_is "$(sqlite3 "$db" "select count(*) from event where text like '%while full%'")" 0 "and nothing half-written"
s incident note "after freeing" >/dev/null
tap_is "$?" 0 "with space again, notes are recorded"
tap_ok "the console finds its store again by itself" wait_until 10 sh -c "tmux -L sitrep-store-$$ capture-pane -p -t c | grep -q 'recording again'"
note_keys 'typed after freeing'
tap_ok "the console records again" wait_until 5 sh -c "tmux -L sitrep-store-$$ capture-pane -p -t c | grep -q 'oncall: typed after freeing'"
tap_not "and no longer says NOT RECORDING" sh -c "tmux -L sitrep-store-$$ capture-pane -p -t c | head -1 | grep -q 'NOT RECORDING'"
tmx send-keys -t c q Enter

# A file system with a file open for writing cannot become read-only
# (EBUSY): the console must have closed its store first.
tmx kill-server 2>/dev/null
tap_ok "the file system holding the store becomes read-only" \
	wait_until 10 mount -o remount,ro "$data"
s incident note "while read-only" >"$work/out" 2>&1; st=$?
tap_ok "on a read-only file system a note fails (exit $st)" test "$st" -ne 0
tap_like "$(cat "$work/out")" "read-?only|readonly" "with a clear message: $(head -1 "$work/out")"
mount -o remount,rw "$data"
tap_is "$(sqlite3 "$db" 'PRAGMA integrity_check')" ok "the store is intact"
tap_is "$(sqlite3 "$db" "select count(*) from event where text like '%before%' or text like '%after freeing%'")" 5 \
	"everything recorded is there"
tap_done
