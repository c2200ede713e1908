#!/bin/sh
# The man pages: each renders with `man -l` and groff -ww without a single
# warning, every PETREL_API function in the header has its page,
# petrel_handshake(3) names every non-fatal code of the error table, and
# petrel(1) names every option of `petrel --help`.
set -u
srcdir=${srcdir:-.}
command -v groff >/dev/null 2>&1 || { echo "SKIP: groff is not installed (Debian: groff-base)"; exit 77; }
command -v man >/dev/null 2>&1 || { echo "SKIP: man is not installed (Debian: man-db)"; exit 77; }
[ -f doc/petrel.1 ] && [ -f doc/man3/petrel_handshake.3 ] || { echo "FAIL: pages not built (make all)"; exit 1; }

fail=0
count=0
for page in doc/petrel.1 doc/man3/*.3; do
	count=$((count + 1))
	err=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>&1)
	[ -z "$err" ] || { echo "FAIL: groff warns on $page: $err"; fail=1; }
	err=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	[ -z "$err" ] || { echo "FAIL: man -l warns on $page: $err"; fail=1; }
done

# The first petrel_x( on each PETREL_API line is the function's name.
missing=$(sed -n 's/^PETREL_API[^(]*[ *]\(petrel_[a-z0-9_]*\)(.*/\1/p' "$srcdir/include/petrel/petrel.h" |
	while read -r fn; do [ -f "doc/man3/$fn.3" ] || echo "$fn"; done)
[ -z "$missing" ] || { echo "FAIL: no page for: $missing"; fail=1; }

hs=$(LC_ALL=C.UTF-8 MANWIDTH=200 man -l doc/man3/petrel_handshake.3 2>/dev/null)
for code in $(sed -n 's/^[[:space:]]*E(\([A-Z_]*\), .*, 0),$/\1/p' "$srcdir/common/errors.c"); do
	[ "$code" = SUCCESS ] && continue
	echo "$hs" | grep -q "PETREL_E_$code" || { echo "FAIL: petrel_handshake(3) lacks PETREL_E_$code"; fail=1; }
done

one=$(LC_ALL=C.UTF-8 MANWIDTH=200 man -l doc/petrel.1 2>/dev/null)
for opt in $(./tools/petrel --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
	echo "$one" | grep -q -- "$opt" || { echo "FAIL: petrel(1) lacks $opt"; fail=1; }
done

[ "$fail" = 0 ] && echo "PASS: $count man pages render cleanly and cover the header and --help"
exit "$fail"
