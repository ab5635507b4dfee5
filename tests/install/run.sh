#!/bin/sh
# Install into a temporary prefix, then build and run an embedding program against
# the installed headers and library through pkg-config, as a user would.
# Usage: run.sh BUILD_DIR SOURCE_DIR [EXTRA_CFLAGS]
set -u
BUILD=$1
SRC=$2
EXTRA=${3:-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; echo "0 passed, 1 failed"; exit 1; }
cmake --install "$BUILD" --prefix "$T/prefix" >"$T/log" 2>&1 || { cat "$T/log" >&2; fail "cmake --install"; }
pc=$(find "$T/prefix" -name limn.pc | head -1)
[ -n "$pc" ] || fail "no limn.pc installed"
[ -x "$T/prefix/bin/limn" ] || fail "no limn binary installed"
[ -f "$T/prefix/include/limn/model.h" ] || fail "no headers installed"
flags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags --libs --static limn) || fail "pkg-config"
# shellcheck disable=SC2086
cc -std=c11 $EXTRA "$SRC/examples/callback_model.c" $flags -o "$T/example" 2>"$T/cc" || { cat "$T/cc" >&2; fail "compile against the installed library"; }
"$T/example" >/dev/null || fail "run the program built against the installed library"
"$T/prefix/bin/limn" --version | grep -q "^limn " || fail "installed limn --version"
LIMN_DATA_DIR="$T/prefix/share/limn/data" "$T/prefix/bin/limn" demo --out "$T/demo" >"$T/demo.log" 2>&1 || { cat "$T/demo.log" >&2; fail "limn demo on the installed data"; }
grep -q "share/limn/data/breast_cancer.csv" "$T/demo.log" && [ -s "$T/demo/report.html" ] || fail "limn demo did not use the installed data"
echo "5 passed, 0 failed"
