# Shared by the shell tests (sourced): a scratch directory $T removed on exit, the
# pass/fail counters, ok/bad, expect, and finish.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# expect CODE NEEDLE -- command...: exit code and a text (stdout+stderr) that must appear
expect() {
  code=$1; needle=$2; shift 3
  "$@" >"$T/out" 2>"$T/err"
  got=$?
  if [ "$got" -ne "$code" ]; then bad "$* -> exit $got, want $code"; cat "$T/err" >&2; return; fi
  if [ -n "$needle" ] && ! cat "$T/out" "$T/err" | grep -qF -- "$needle"; then
    bad "$* -> no '$needle' in output"; cat "$T/out" "$T/err" | head -5 >&2; return
  fi
  ok
}

# finish NAME: the counts, and the exit status (0 only when nothing failed)
finish() {
  echo "$1: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
