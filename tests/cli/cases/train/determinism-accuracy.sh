# training gives the same bytes on 1 and 2 threads; the model predicts the held-out rows
. "$CASES/lib.sh"
bc_model
"$LIMN" train --data tr.csv --target diagnosis --out bc2.limn --threads 2 2>/dev/null
same bc.limn bc2.limn "model on 1 and 2 threads"
acc=$("$LIMN" evaluate --model bc.limn --data te.csv | sed -n 's/^accuracy: *//p')
holds "test accuracy >= 0.95" at_least "$acc" 0.95
"$LIMN" evaluate --model bc.limn --data te.csv --format json | grep -o '"task":"classification"'
holds "a header and 142 rows" test "$("$LIMN" predict --model bc.limn --data te.csv | wc -l)" -eq 143
"$LIMN" info --model bc.limn | grep "^layers:"
"$LIMN" info --model bc.limn --format json | grep -o '"layers":\[{"in":30,"out":64,"W":\[\['
ls | grep -c '\.tmp\.' || true
