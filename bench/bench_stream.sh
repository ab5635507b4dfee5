#!/bin/sh
# Streaming throughput and memory (issue 19): limn predict and limn explain --format
# wide over N-row copies of the breast-cancer test split (30 columns, the (64,32) MLP),
# 1 and 2 threads; peak memory must not grow with N. Usage:
#   bench/bench_stream.sh [LIMN] [ROWS...]      (default: build/limn 100000 1000000)
# JOBS=predict,gradient,ig (the default: all three) picks the commands; REPEAT=3 runs
# each that many times and prints the median time (and the largest peak). OUT=FILE
# writes there instead of a file in a temporary folder (OUT=/dev/null: limn's own work,
# formatting and write calls included, without the disk's).
# Prints, per command: seconds, rows/s and peak resident memory (/usr/bin/time).
set -eu
LIMN=${1:-build/limn}
[ $# -gt 0 ] && shift
ROWS=${*:-"100000 1000000"}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$LIMN" split --data "$ROOT/data/breast_cancer.csv" --stratify diagnosis --seed 0 --train "$W/tr.csv" \
  --test "$W/te.csv" 2>/dev/null
"$LIMN" train --data "$W/tr.csv" --target diagnosis --out "$W/bc.limn" --threads 1 2>/dev/null
for n in $ROWS; do
  { head -1 "$W/te.csv"; while :; do tail -n +2 "$W/te.csv"; done; } 2>/dev/null | head -n $((n + 1)) >"$W/d.csv"
  for job in "predict" "explain --method gradient --format wide" "explain --method ig --format wide"; do
    case ",${JOBS:-predict,gradient,ig}," in *",$(echo "$job" | awk '{ print $NF == "wide" ? $3 : $1 }'),"*) ;; *) continue ;; esac
    for t in 1 2; do
      : >"$W/times"
      for r in $(seq "${REPEAT:-3}"); do
        /usr/bin/time -f "%e %M" -a -o "$W/times" "$LIMN" $job --model "$W/bc.limn" --data "$W/d.csv" \
          --threads $t >"${OUT:-$W/out}"
      done
      # the median time of the runs, the largest peak
      sort -n "$W/times" | awk -v n="$n" -v job="$job" -v t="$t" -v b="$(wc -c <"${OUT:-$W/out}")" '
        { s[NR] = $1; if ($2 > kb) kb = $2 }
        END { m = NR % 2 ? s[(NR + 1) / 2] : (s[NR / 2] + s[NR / 2 + 1]) / 2
          printf "%-44s %8d rows, %d thread(s): median of %d %7.2f s, %9.0f rows/s, peak %6.1f MB, %7.1f MB written\n",
            job, n, t, NR, m, n / (m > 0 ? m : 1e-9), kb / 1024, b / 1048576 }'
    done
  done
done
