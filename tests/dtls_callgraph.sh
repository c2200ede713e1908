#!/bin/sh
# Issue #18: no call cycle among the object files of dtls/, dtls12/ and dtls13/
# beyond the known ones still being broken (scripts/dtls-callgraph.known).
srcdir=${srcdir:-.}
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
command -v nm >/dev/null 2>&1 || { echo "SKIP: no nm"; exit 77; }
exec python3 "$srcdir/scripts/dtls-callgraph" --build . --allow "$srcdir/scripts/dtls-callgraph.known"
