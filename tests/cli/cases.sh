#!/bin/sh
# CLI cases (in the manner of zstd's tests/cli-tests): each cases/GROUP/NAME.sh runs
# alone, in a fresh empty directory, with $LIMN (the binary), $DATA (the bundled
# data), $FIX (tests/fixtures) and the helpers of cases/lib.sh. What it must give sits
# beside it:
#   NAME.sh.exit        the script's exit code (default 0)
#   NAME.sh.stdout.exp  standard output, exactly
#   NAME.sh.stderr.exp  standard error, exactly
#   NAME.sh.stdout.glob / NAME.sh.stderr.glob: line by line, each line a shell
#                       pattern (* any text, ? one character, [..] a class; \* a
#                       star), and a line '...' any number of lines
# A case without an expectation file for a stream does not check it. Expectations
# hold messages, headers and shapes, never numbers limn computed (those are checked
# against independent references in the unit tests).
# Usage: cases.sh LIMN SOURCE_DIR [PATTERN]   (PATTERN: a grep -E over GROUP/NAME)
LIMN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
PAT=${3:-.}
CASES=$SRC/tests/cli/cases
export LIMN DATA="$SRC/data" FIX="$SRC/tests/fixtures" CASES
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

# globmatch EXPECTED ACTUAL: every line of ACTUAL matched by EXPECTED's patterns
globmatch() {
  awk '
    function re(p,   out, i, c, n) {          # a shell pattern as an anchored regex
      out = "^"; n = length(p)
      for (i = 1; i <= n; i++) {
        c = substr(p, i, 1)
        if (c == "\\" && i < n) { i++; c = substr(p, i, 1); out = out esc(c) }
        else if (c == "*") out = out ".*"
        else if (c == "?") out = out "."
        else if (c == "[") { j = index(substr(p, i), "]"); if (j > 1) { out = out substr(p, i, j); i += j - 1 } else out = out "\\[" }
        else out = out esc(c)
      }
      return out "$"
    }
    function esc(c) { return index("\\^$.|()+{}/[]*?", c) ? "\\" c : c }
    function match_from(e, a,   k) {          # expected line e on, actual line a on
      if (e > ne) return a > na
      if (ex[e] == "...") {
        for (k = a; k <= na + 1; k++) if (match_from(e + 1, k)) return 1
        return 0
      }
      if (a > na) return 0
      if (act[a] !~ pat[e]) return 0
      return match_from(e + 1, a + 1)
    }
    FNR == NR { ex[++ne] = $0; pat[ne] = re($0); next }
    { act[++na] = $0 }
    END { exit !match_from(1, 1) }
  ' "$1" "$2"
}

onnx=1
"$LIMN" --version | grep -q "ONNX: no" && onnx=0
for c in "$CASES"/*/*.sh; do
  name=${c#"$CASES"/}
  echo "$name" | grep -Eq -- "$PAT" || continue
  case $name in onnx/*) [ $onnx -eq 1 ] || continue ;; noonnx/*) [ $onnx -eq 0 ] || continue ;; esac
  d=$T/$(echo "$name" | tr / _)
  mkdir -p "$d"
  (cd "$d" && sh "$c" >"$d.stdout" 2>"$d.stderr")
  got=$?
  want=0
  [ -f "$c.exit" ] && want=$(cat "$c.exit")
  ok=1
  if [ "$got" -ne "$want" ]; then echo "FAIL $name: exit $got, want $want" >&2; ok=0; fi
  for s in stdout stderr; do
    if [ -f "$c.$s.exp" ] && ! cmp -s "$c.$s.exp" "$d.$s"; then
      echo "FAIL $name: $s differs" >&2; diff "$c.$s.exp" "$d.$s" | head -10 >&2; ok=0
    fi
    if [ -f "$c.$s.glob" ] && ! globmatch "$c.$s.glob" "$d.$s"; then
      echo "FAIL $name: $s does not match $name.$s.glob" >&2; head -10 "$d.$s" >&2; ok=0
    fi
  done
  if [ $ok -eq 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "cli cases: $pass passed, $fail failed"
[ "$fail" -eq 0 ] # (a group this build leaves out, onnx or noonnx, runs no case)
