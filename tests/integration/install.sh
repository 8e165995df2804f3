#!/bin/bash
# make install puts the program, the man pages, the themes and the runbooks
# where they belong, and the installed program finds its shipped files.
. "${top_srcdir:-.}/tests/fleet/lib.sh"
command -v make >/dev/null || tap_skip_all "make is not installed"
[[ -f $top_builddir/Makefile ]] || tap_skip_all "not a configured build tree"
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
make -s -C "$top_builddir" install DESTDIR="$dest" >"$dest.log" 2>&1
tap_is "$?" 0 "make install succeeds"
prefix=$(sed -n 's/^prefix = //p' "$top_builddir/Makefile")
root=$dest$prefix
tap_ok "the program" test -x "$root/bin/sitrep"
tap_ok "sitrep(1)" test -f "$root/share/man/man1/sitrep.1"
tap_ok "sitrep.conf(5)" test -f "$root/share/man/man5/sitrep.conf.5"
for t in dark light high-contrast mono; do
	tap_ok "theme $t" test -f "$root/share/sitrep/themes/$t.theme"
done
for r in triage containers host data; do
	tap_ok "runbooks/$r.md" test -f "$root/share/sitrep/runbooks/$r.md"
done
for ex in ainetic compose-postgres systemd-bot tiers; do
	tap_ok "the example configuration $ex.conf" test -f "$root/share/sitrep/examples/$ex.conf"
done
tap_like "$(HOME=$dest XDG_CONFIG_HOME=$dest/c SITREP_DATADIR=$root/share/sitrep "$root/bin/sitrep" runbook list)" \
	'Triage: the first five minutes' "the installed program finds the shipped runbooks"
tap_done
