#!/bin/sh
# MPI (issue 19): one explain job spread across K ranks of limn-mpi against one process
# of limn, on N-row copies of the breast-cancer test split (30 columns, the (64,32) MLP),
# one thread per process. Every output is compared with limn's byte for byte. Usage:
#   bench/bench_mpi.sh [BUILD] [ROWS] [METHOD] [RANKS...]  (default: build 1000000 ig 1 2)
# Prints, per run: seconds, rows/s, the speed-up over limn, and whether the bytes match.
set -eu
B=${1:-build}
N=${2:-1000000}
METHOD=${3:-ig}
[ $# -gt 3 ] && shift 3 || set --
RANKS=${*:-"1 2"}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$B/limn" split --data "$ROOT/data/breast_cancer.csv" --stratify diagnosis --seed 0 --train "$W/tr.csv" \
  --test "$W/te.csv" 2>/dev/null
"$B/limn" train --data "$W/tr.csv" --target diagnosis --out "$W/bc.limn" --threads 1 2>/dev/null
{ head -1 "$W/te.csv"; while :; do tail -n +2 "$W/te.csv"; done; } 2>/dev/null | head -n $((N + 1)) >"$W/d.csv"
JOB="explain --method $METHOD --format wide --model $W/bc.limn --data $W/d.csv --threads 1 ${BLOCK:+--block-rows $BLOCK}"
line() { # label seconds base match
  awk -v l="$1" -v s="$2" -v b="$3" -v n="$N" -v m="$4" 'BEGIN {
    printf "%-22s %8d rows: %8.2f s, %9.0f rows/s, x%.2f of limn, %s\n", l, n, s, n / (s > 0 ? s : 1e-9),
      b / (s > 0 ? s : 1e-9), m }'
}
/usr/bin/time -f "%e" -o "$W/t" "$B/limn" $JOB --out "$W/one.csv"
base=$(cat "$W/t")
line "limn" "$base" "$base" "reference"
for k in $RANKS; do
  /usr/bin/time -f "%e" -o "$W/t" mpirun --oversubscribe --allow-run-as-root -np "$k" "$B/limn-mpi" $JOB \
    --out "$W/k.csv"
  if cmp -s "$W/one.csv" "$W/k.csv"; then m="identical"; else m="DIFFERENT"; fi
  line "limn-mpi, $k rank(s)" "$(cat "$W/t")" "$base" "$m"
done
