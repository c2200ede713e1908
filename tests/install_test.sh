#!/bin/sh
# Issue #2: after `make install` into a staging root, pkg-config finds
# petrel and a program built with its flags links and runs; only petrel_*
# symbols are exported.
set -u
T=$(mktemp -d "${TMPDIR:-/tmp}/petrel-install.XXXXXX")
trap 'rm -rf "$T"' EXIT
command -v pkg-config >/dev/null 2>&1 || { echo "SKIP: pkg-config missing"; exit 77; }
make install DESTDIR="$T/root" >"$T/install.log" 2>&1 || { cat "$T/install.log"; echo "FAIL: make install"; exit 1; }
pc=$(find "$T/root" -name petrel.pc | head -1)
[ -n "$pc" ] || { echo "FAIL: petrel.pc not installed"; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR="$T/root"
flags=$(pkg-config --cflags --libs petrel) || { echo "FAIL: pkg-config petrel"; exit 1; }
echo "pkg-config: $flags"
cat >"$T/use.c" <<'C'
#include <petrel/petrel.h>
#include <stdio.h>
int main(void)
{
	petrel_session *s;
	if (petrel_session_new(&s, PETREL_CLIENT) != 0)
		return 1;
	petrel_session_free(s);
	printf("%s %s\n", petrel_check_version(NULL), petrel_strerror_name(PETREL_E_AGAIN));
	return 0;
}
C
cc -o "$T/use" "$T/use.c" $flags || { echo "FAIL: compile against the installed headers"; exit 1; }
libdir=$(dirname "$(find "$T/root" -name 'libpetrel.so' | head -1)")
out=$(LD_LIBRARY_PATH=$libdir "$T/use") || { echo "FAIL: run"; exit 1; }
echo "program: $out"
case "$out" in *PETREL_E_AGAIN*) ;; *) echo "FAIL: unexpected output"; exit 1 ;; esac
extra=$(nm -D --defined-only "$libdir/libpetrel.so" | awk '$2 == "T" && $3 !~ /^petrel_/' | wc -l)
[ "$extra" -eq 0 ] || { echo "FAIL: $extra exported symbols outside petrel_*"; exit 1; }
echo "ok: installed, found by pkg-config, linked, ran; only petrel_* exported"
