# shellcheck shell=bash
# lib.sh for the console tests: sitrep in a real terminal (tmux), driven with
# send-keys and read back with capture-pane. Sourced after tests/fleet/lib.sh.
#
#   term_start NAME COLS ROWS CMD...    start CMD in a detached tmux session
#   screen NAME                         the visible text
#   wait_screen NAME SECONDS REGEX      until the screen matches (extended regex)
#   keys NAME KEY...                    tmux send-keys
#   term_pid NAME                       the pid of the program (the pane's child)

command -v tmux >/dev/null 2>&1 || tap_skip_all "tmux is not installed"
TMUX_SOCKET=sitrep-test-$$
export TMUX_SOCKET
tmx() { tmux -L "$TMUX_SOCKET" -f /dev/null "$@"; }

_term_cleanup() { tmx kill-server >/dev/null 2>&1 || true; }

# CMD runs in a shell in the pane; when it ends the pane stays for inspection
# and shows "__EXITED__ STATUS" and the terminal modes (stty -a).
term_start() {
	local name=$1 cols=$2 rows=$3
	shift 3
	local cmd
	printf -v cmd '%q ' "$@"
	tmx new-session -d -s "$name" -x "$cols" -y "$rows" \
	    "$cmd; echo __EXITED__ \$?; stty -a; sleep 3600"
	tmx set-option -t "$name" remain-on-exit on >/dev/null 2>&1
}

screen() { tmx capture-pane -p -t "$1"; }
screen_escapes() { tmx capture-pane -p -e -t "$1"; }

wait_screen() {
	local name=$1 timeout=$2 re=$3
	local end=$(( $(date +%s%N) / 1000000 + timeout * 1000 ))
	while :; do
		screen "$name" | grep -Eq -- "$re" && return 0
		(( $(date +%s%N) / 1000000 < end )) || return 1
		sleep 0.2
	done
}

keys() {
	local name=$1
	shift
	tmx send-keys -t "$name" "$@"
}

# the program run by the pane's shell (its direct child)
term_pid() {
	local shell
	shell=$(tmx display-message -p -t "$1" '#{pane_pid}')
	pgrep -P "$shell" | head -1
}

# dumps the screen into the TAP log (on failure)
show_screen() { tap_diag "$(screen "$1")"; }
