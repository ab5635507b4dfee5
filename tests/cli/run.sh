#!/bin/sh
# CLI tests: exit codes, error messages, outputs. Usage: run.sh LIMN SOURCE_DIR
LIMN=$1
SRC=$2
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

D=$SRC/data
F=$SRC/tests/fixtures
expect 0 "commands:" -- "$LIMN" --help
expect 2 "unknown command 'frobnicate'" -- "$LIMN" frobnicate
for c in train split predict evaluate info; do
  expect 0 "[default:" -- "$LIMN" $c --help
done
expect 0 "(required)" -- "$LIMN" train --help
expect 2 "missing required option '--target'" -- "$LIMN" train --data "$D/iris.csv" --out "$T/m"
expect 2 "unknown option '--bogus'" -- "$LIMN" train --bogus 1
expect 2 "--epochs must be a whole number in 1..1000000, got 'x'" -- "$LIMN" train --data a --target b --out c --epochs x
expect 1 "limn: error: $T/none.csv: cannot open" -- "$LIMN" train --data "$T/none.csv" --target y --out "$T/m"
printf 'a,y\n1,0\n2\n' >"$T/ragged.csv"
expect 1 "limn: error: $T/ragged.csv line 3: expected 2 fields, got 1" -- "$LIMN" train --data "$T/ragged.csv" --target y --out "$T/m"
[ ! -e "$T/m" ] && ok || bad "a model file was left after a failure"

# split, train, evaluate, predict on the bundled breast cancer data
expect 0 "569 rows" -- "$LIMN" split --data "$D/breast_cancer.csv" --stratify diagnosis --seed 0 --train "$T/tr.csv" --test "$T/te.csv"
[ "$(wc -l <"$T/te.csv")" -eq 143 ] && ok || bad "test file should have 142 rows + header"
[ "$(head -1 "$T/tr.csv")" = "$(head -1 "$D/breast_cancer.csv")" ] && ok || bad "split changed the header"
tail -n +2 "$T/tr.csv" >"$T/rows"; tail -n +2 "$T/te.csv" >>"$T/rows"
tail -n +2 "$D/breast_cancer.csv" | sort >"$T/orig"
sort "$T/rows" | cmp -s - "$T/orig" && ok || bad "train + test rows are not the original rows"
expect 0 "epochs" -- "$LIMN" train --data "$T/tr.csv" --target diagnosis --out "$T/bc.limn" --threads 1
expect 0 "accuracy:" -- "$LIMN" evaluate --model "$T/bc.limn" --data "$T/te.csv"
acc=$(sed -n 's/^accuracy: *//p' "$T/out")
awk -v a="$acc" 'BEGIN { exit !(a >= 0.95) }' && ok || bad "breast cancer accuracy $acc < 0.95"
expect 0 '"task":"classification"' -- "$LIMN" evaluate --model "$T/bc.limn" --data "$T/te.csv" --format json
expect 0 "malignant,benign" -- "$LIMN" predict --model "$T/bc.limn" --data "$T/te.csv"
[ "$(wc -l <"$T/out")" -eq 143 ] && ok || bad "predict should print a header and 142 rows"
"$LIMN" train --data "$T/tr.csv" --target diagnosis --out "$T/bc2.limn" --threads 2 2>/dev/null
cmp -s "$T/bc.limn" "$T/bc2.limn" && ok || bad "training differs between 1 and 2 threads"
expect 0 '"outputs":{"malignant":' -- "$LIMN" predict --model "$T/bc.limn" --data "$T/te.csv" --format jsonl
expect 0 "" -- "$LIMN" predict --model "$T/bc.limn" --data "$T/te.csv" --format json --out "$T/p.json"
grep -q '"model_hash":"' "$T/p.json" && ok || bad "json predictions lack the model hash"
ls "$T" | grep -q '\.tmp\.' && bad "a temporary file was left" || ok
expect 0 "layers:      30 -> 64 -> 32 -> 1 (hidden relu, output logistic)" -- "$LIMN" info --model "$T/bc.limn"
expect 0 '"layers":[{"in":30,"out":64,"W":[[' -- "$LIMN" info --model "$T/bc.limn" --format json
head -c 200 "$T/bc.limn" >"$T/cut.limn"
expect 1 "limn: error: $T/cut.limn: byte 16: section 'SCHM' claims" -- "$LIMN" info --model "$T/cut.limn"
printf 'mean radius\n1.5\n' >"$T/wrong.csv"
expect 1 "no column 'mean texture'" -- "$LIMN" predict --model "$T/bc.limn" --data "$T/wrong.csv"
expect 2 "expected csv, json or jsonl" -- "$LIMN" predict --model "$T/bc.limn" --data "$T/te.csv" --format xml

# German credit from Weka's ARFF as it is; 13 categorical columns
expect 0 "epochs" -- "$LIMN" train --data "$D/credit-g.arff" --target class --out "$T/c.limn" --epochs 3
expect 0 "20 (7 numeric, standardised; 13 categorical, one-hot) -> 63 inputs" -- "$LIMN" info --model "$T/c.limn"
# regression
expect 0 "epochs" -- "$LIMN" train --data "$D/diabetes.csv" --target progression --out "$T/d.limn" --epochs 5
expect 0 "rmse:" -- "$LIMN" evaluate --model "$T/d.limn" --data "$D/diabetes.csv"
expect 0 "progression" -- "$LIMN" predict --model "$T/d.limn" --data "$D/diabetes.csv"

# scikit-learn export predicts as scikit-learn does (1e-6)
"$LIMN" predict --model "$F/sklearn_bc.limn" --data "$F/breast_cancer_test.csv" >"$T/sk.csv" 2>"$T/err" && ok || bad "predict sklearn_bc"
tail -n +2 "$T/sk.csv" | tr ',' '\n' >"$T/ours"
sed -n 2p "$F/sklearn_bc_proba.txt" | tr ' ' '\n' >"$T/theirs"
paste "$T/ours" "$T/theirs" | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 1e-6) bad++ } END { exit bad > 0 || NR != 286 }' && ok || bad "scikit-learn probabilities differ"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
