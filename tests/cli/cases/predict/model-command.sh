# a black-box model command in predict, evaluate, embed and report; the classes it
# names on its header line ('#...') are checked against the data's, so a command that
# orders them otherwise, or a forgotten --target, is an error before any work
. "$CASES/lib.sh"
bc_model
cat >named.awk <<'AWK'
BEGIN { FS = "," }
NR == 1 { print "#malignant,benign"; next }
$0 == "" { fflush(); next }
{ p = 1 / (1 + exp(-($1 - 15))); printf "%.17g,%.17g\n", p, 1 - p }
AWK
sed 's/#malignant,benign/#benign,malignant/' named.awk >swapped.awk
M="awk -W interactive -f named.awk"
cut -d, -f1-30 te.csv >unlabelled.csv
# P(malignant) = logistic(mean radius - 15): row 0 has mean radius 11.42
"$LIMN" predict --model-cmd "$M" --data te.csv --target diagnosis | sed -n 1,2p
"$LIMN" predict --model-cmd "$M" --data unlabelled.csv --classes malignant,benign | sed -n 1,2p
awk 'BEGIN { printf "expected %.6f\n", 1 / (1 + exp(-(11.42 - 15))) }'
"$LIMN" evaluate --model-cmd "$M" --data te.csv --target diagnosis --format json | grep -o '"nrows":[0-9]*'
"$LIMN" embed --model-cmd "$M" --data te.csv --target diagnosis --space output --out map.csv 2>/dev/null
sed -n 2p map.csv | cut -d, -f1,4-
"$LIMN" report --model-cmd "$M" --data te.csv --target diagnosis --background tr.csv --rows 0 \
  --num-samples 500 --summary-max 0 --map output --out r.html 2>/dev/null
grep -o 'the command <code>awk -W interactive -f named.awk</code> (command, 30 features, 2 outputs)' r.html
run predict --model-cmd "awk -W interactive -f swapped.awk 2>/dev/null" --data te.csv --target diagnosis
run predict --model-cmd "awk -W interactive -f swapped.awk 2>/dev/null" --data te.csv
run predict --model-cmd "$M" --data unlabelled.csv
run predict --model-cmd "$M" --data unlabelled.csv --classes benign,malignant
run predict --model-cmd "$M" --data te.csv --classes malignant,benign
run predict --model-cmd "$M" --data te.csv --target diagnosis --classes malignant,x
run predict --model-cmd "$M" --data te.csv --target diagnosis --classes malignant
run predict --model-cmd "$M" --model bc.limn --data te.csv
run evaluate --model-cmd "$M" --data te.csv
