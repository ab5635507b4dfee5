#!/bin/sh
# Install into a temporary prefix, then build programs outside the tree against the
# installed headers and libraries, as a user would: the callback example through
# pkg-config (static), and the report example through find_package(limn) (shared and
# static) and pkg-config (shared). The report example's page must equal, byte for
# byte, what `limn report` writes for the same model, data and rows.
# Usage: run.sh BUILD_DIR SOURCE_DIR [EXTRA_CFLAGS]
set -u
BUILD=$1
SRC=$2
EXTRA=${3:-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail() { echo "FAIL: $*" >&2; echo "$pass passed, 1 failed"; exit 1; }
ok() { pass=$((pass + 1)); }
P=$T/prefix
cmake --install "$BUILD" --prefix "$P" >"$T/log" 2>&1 || { cat "$T/log" >&2; fail "cmake --install"; }
pc=$(find "$P" -name limn.pc | head -1)
[ -n "$pc" ] || fail "no limn.pc installed"
[ -x "$P/bin/limn" ] && [ -f "$P/include/limn/model.h" ] && [ -f "$P/include/limn/report.h" ] || fail "no binary or headers installed"
LIBDIR=$(dirname "$(dirname "$pc")")
[ -f "$LIBDIR/liblimn.a" ] && [ -e "$LIBDIR/liblimn.so" ] && [ -f "$LIBDIR/cmake/limn/limnConfig.cmake" ] || fail "static, shared library or CMake package missing"
ok
# the shared library exports exactly the functions the headers declare (LIMN_API)
grep -ho "LIMN_API [^(]*(" "$P"/include/limn/*.h | grep -o "limn_[a-z0-9_]*($" | tr -d '(' | sort >"$T/decl"
nm -D --defined-only "$LIBDIR/liblimn.so" | awk '{print $3}' | sort >"$T/exp"
cmp -s "$T/decl" "$T/exp" && ok || { diff "$T/decl" "$T/exp" >&2; fail "exported symbols differ from the declared API"; }
export PKG_CONFIG_PATH=$(dirname "$pc")
# static through pkg-config: the archive named, the private libraries from --static
flags=$(pkg-config --cflags limn) && libs=$(pkg-config --libs --static limn | sed 's/-llimn\b//') || fail "pkg-config"
# shellcheck disable=SC2086
cc -std=c11 $EXTRA "$SRC/examples/callback_model.c" $flags "$LIBDIR/liblimn.a" $libs -o "$T/example" 2>"$T/cc" || { cat "$T/cc" >&2; fail "compile against the installed library"; }
ldd "$T/example" | grep -q liblimn && fail "the static example links liblimn.so" || ok
"$T/example" >/dev/null && ok || fail "run the program built against the installed library"
# the report example, outside the tree, three ways
cp -r "$SRC/examples/report" "$T/ex"
cmake -S "$T/ex" -B "$T/b_shared" -DCMAKE_PREFIX_PATH="$P" -DCMAKE_C_FLAGS="$EXTRA" >"$T/log" 2>&1 &&
  cmake --build "$T/b_shared" >>"$T/log" 2>&1 || { cat "$T/log" >&2; fail "find_package(limn): limn::limn"; }
cmake -S "$T/ex" -B "$T/b_static" -DCMAKE_PREFIX_PATH="$P" -DLIMN_STATIC=ON -DCMAKE_C_FLAGS="$EXTRA" >"$T/log" 2>&1 &&
  cmake --build "$T/b_static" >>"$T/log" 2>&1 || { cat "$T/log" >&2; fail "find_package(limn): limn::limn_static"; }
# shellcheck disable=SC2046
cc -std=c11 $EXTRA "$T/ex/report_example.c" $(pkg-config --cflags --libs limn) -Wl,-rpath,"$LIBDIR" \
  -o "$T/pc_shared" 2>"$T/cc" || { cat "$T/cc" >&2; fail "pkg-config, shared"; }
ldd "$T/b_shared/report_example" | grep -q "liblimn.so.0 => $LIBDIR" && ldd "$T/pc_shared" | grep -q "liblimn.so.0 => $LIBDIR" && ok || fail "the shared builds do not use the installed liblimn.so"
ldd "$T/b_static/report_example" | grep -q liblimn && fail "the static build links liblimn.so" || ok
head -200 "$SRC/tests/fixtures/breast_cancer_train.csv" | cut -d, -f2- >"$T/bc.csv"
for b in b_shared/report_example b_static/report_example pc_shared; do
  n=$(echo "$b" | tr / _)
  "$T/$b" "$T/bc.csv" target "$T/m.limn" "$T/$n.html" >"$T/$n.jsonl" 2>"$T/err" || { cat "$T/err" >&2; fail "$b"; }
done
cmp -s "$T/b_shared_report_example.html" "$T/b_static_report_example.html" && cmp -s "$T/b_shared_report_example.html" "$T/pc_shared.html" &&
  cmp -s "$T/b_shared_report_example.jsonl" "$T/pc_shared.jsonl" && cmp -s "$T/b_shared_report_example.jsonl" "$T/b_static_report_example.jsonl" && ok || fail "the three builds write different pages"
tail -1 "$T/pc_shared.html" | grep -q "</html>" && [ "$(wc -l <"$T/pc_shared.jsonl")" -eq 2 ] &&
  grep -q '"manifest":{"limn_version":"[^"]*","model_sha256":"[0-9a-f]\{64\}","data_sha256":"[0-9a-f]\{64\}","options":{"method":"ig"}}}$' "$T/pc_shared.jsonl" && ok || fail "the example's outputs"
# the same page from the CLI (its "Reproduce" line aside)
"$P/bin/limn" report --model "$T/m.limn" --data "$T/bc.csv" --rows 0,1 --out "$T/cli.html" 2>/dev/null || fail "limn report"
grep -v "<dt>Reproduce" "$T/cli.html" | cmp -s - "$T/pc_shared.html" && ok || fail "the library's page differs from limn report's"
"$P/bin/limn" --version | grep -q "^limn " && ok || fail "installed limn --version"
LIMN_DATA_DIR="$P/share/limn/data" "$P/bin/limn" demo --out "$T/demo" >"$T/demo.log" 2>&1 || { cat "$T/demo.log" >&2; fail "limn demo on the installed data"; }
grep -q "share/limn/data/breast_cancer.csv" "$T/demo.log" && [ -s "$T/demo/report.html" ] && ok || fail "limn demo did not use the installed data"
echo "$pass passed, 0 failed"
