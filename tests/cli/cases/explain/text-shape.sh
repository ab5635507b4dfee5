# the text form of each method: a header per row naming the row, its file line and
# the explained output; IG adds its baseline and completeness gap
. "$CASES/lib.sh"
bc_model
for m in gradient saliency gradxinput ig smoothgrad; do
  "$LIMN" explain --model bc.limn --data te.csv --rows 3 --method $m --top 3 | head -2
done
"$LIMN" explain --model bc.limn --data te.csv --rows 0 --class benign --output logit --top 1 | head -1
"$LIMN" explain --model bc.limn --data te.csv --rows 1 --method ig --baseline row:5 --top 1 | head -1
"$LIMN" explain --model bc.limn --data te.csv --rows 0 --method ig --metrics --top 1 | sed -n 3p
"$LIMN" explain --model bc.limn --data te.csv --rows 0-9 --class true --top 1 | grep "^row " | grep -vc "P(benign)\|P(malignant)" || true
