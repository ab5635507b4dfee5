# the same bad option gets the same exit code (2, a usage error) in every command
. "$CASES/lib.sh"
bc_model
M="--model bc.limn --data te.csv"
for c in "train --data tr.csv --target diagnosis --out x.limn --epochs 1" "split --data te.csv --train a.csv --test b.csv" \
  "predict $M" "evaluate $M" "explain $M --rows 0" "embed --data te.csv --out m.csv" "report $M --rows 0 --out r.html" \
  "demo --out dd"; do
  codes=""
  for o in "--threads abc" "--threads -1" "--bogus 1" "--seed x"; do
    "$LIMN" $c $o >/dev/null 2>&1
    codes="$codes $?"
  done
  echo "${c%% *}:$codes"
done
