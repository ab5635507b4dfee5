#!/bin/sh
# limn-mpi (issue 19): one job spread across 1, 2 and 4 MPI ranks writes exactly what
# one limn process writes, for every streamed output; errors in a block computed by
# another rank than 0 are reported once, with one process's message, and leave no file.
# Usage: run.sh BUILD_DIR SOURCE_DIR
set -u
B=$1
S=$2
# under the sanitizers: Open MPI's own allocations left at exit are not limn's
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
export LSAN_OPTIONS="suppressions=$S/tests/mpi/lsan.supp:print_suppressions=0"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fails=0
fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}
# a machine where MPI cannot start at all (no usable transport) is reported as skipped
# (ctest's SKIP_RETURN_CODE 77), loudly, not passed
if ! timeout 60 mpirun --oversubscribe --allow-run-as-root -np 2 true >"$W/probe.log" 2>&1; then
  echo "SKIPPED: mpirun cannot start 2 processes of 'true' on this machine:"
  cat "$W/probe.log"
  exit 77
fi
MODEL=$S/tests/fixtures/sklearn_bc.limn
DATA=$S/tests/fixtures/breast_cancer_test.csv
# one process's output, then K ranks'
check() { # name, limn arguments...
  name=$1
  shift
  before=$fails
  out=$W/one.out
  "$B/limn" "$@" --out "$out" 2>"$W/one.err" || fail "$name: limn failed: $(cat "$W/one.err")"
  for k in 1 2 4; do
    timeout 120 mpirun --oversubscribe --allow-run-as-root -np $k "$B/limn-mpi" "$@" --out "$W/k.out" \
      >"$W/k.log" 2>&1 || {
      fail "$name: $k ranks failed"
      cat "$W/k.log"
      continue
    }
    cmp -s "$out" "$W/k.out" || fail "$name: $k ranks differ from one process"
  done
  [ $fails = "$before" ] && echo "ok: $name ($(wc -c <"$out") bytes, 1/2/4 ranks identical)"
}
check "predict csv" predict --model "$MODEL" --data "$DATA" --block-rows 7
check "predict json" predict --model "$MODEL" --data "$DATA" --block-rows 9 --format json
check "predict jsonl, --first-row" predict --model "$MODEL" --data "$DATA" --block-rows 4 --format jsonl \
  --first-row 1000
check "explain ig wide" explain --model "$MODEL" --data "$DATA" --method ig --format wide --block-rows 5 \
  --threads 1
check "explain smoothgrad wide, --class true" explain --model "$MODEL" --data "$DATA" --method smoothgrad \
  --format wide --block-rows 16 --class true --seed 7
check "explain lime wide" explain --model "$MODEL" --data "$DATA" --method lime --format wide --block-rows 6 \
  --num-samples 500 --background "$S/tests/fixtures/breast_cancer_train.csv"
check "explain gradxinput npy" explain --model "$MODEL" --data "$DATA" --method gradxinput --format npy \
  --block-rows 3
check "explain ig npy, one block" explain --model "$MODEL" --data "$DATA" --method ig --format npy
check "explain ig npy --rows (blocks without a chosen row passed over)" explain --model "$MODEL" \
  --data "$DATA" --method ig --format npy --block-rows 4 --rows 2,3,17-21,60,99
check "explain gradient wide --rows" explain --model "$MODEL" --data "$DATA" --method gradient --format wide \
  --block-rows 4 --rows 0,5-9,70

# a bad field in row 99 (line 101): with blocks of 10 rows its block (9) is rank 1's
# for 2 and 4 ranks, so rank 1 reports it through rank 0
awk -F, 'BEGIN { OFS = "," } NR == 101 { $4 = "abc" } { print }' "$DATA" >"$W/bad.csv"
"$B/limn" explain --model "$MODEL" --data "$W/bad.csv" --format wide --block-rows 10 --out "$W/x.csv" \
  2>"$W/one.err" && fail "limn accepted a bad field"
for k in 2 4; do
  timeout 120 mpirun --oversubscribe --allow-run-as-root -np $k "$B/limn-mpi" explain --model "$MODEL" \
    --data "$W/bad.csv" --format wide --block-rows 10 --out "$W/x.csv" >"$W/k.log" 2>&1 &&
    fail "$k ranks accepted a bad field"
  [ "$(grep -c '^limn: error:' "$W/k.log")" = 1 ] || fail "$k ranks: not one error line: $(cat "$W/k.log")"
  grep -qxF "$(cat "$W/one.err")" "$W/k.log" || fail "$k ranks: not one process's message: $(cat "$W/k.log")"
  ls "$W"/x.csv* >/dev/null 2>&1 && fail "$k ranks left an output file"
done
echo "ok: a bad field in rank 1's block: one message ($(cat "$W/one.err")), no file"

# what does not spread is refused, once
for args in "embed --data $DATA --out $W/m.csv" "explain --model $MODEL --data $DATA --rows 0" \
  "predict --model $MODEL --data -"; do
  timeout 120 mpirun --oversubscribe --allow-run-as-root -np 2 "$B/limn-mpi" $args </dev/null >"$W/k.log" 2>&1 &&
    fail "2 ranks accepted: $args"
  [ "$(grep -c '^limn: error:' "$W/k.log")" = 1 ] || fail "not one error line for: $args: $(cat "$W/k.log")"
  echo "ok: refused: $(grep '^limn: error:' "$W/k.log")"
done
[ $fails = 0 ] || {
  echo "$fails failure(s)"
  exit 1
}
