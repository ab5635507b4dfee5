# Numbers beyond 32-bit floats are refused where they are read (file, line, column), and
# rows so far from the training data that the network's units overflow (ReLU would
# turn the NaN into 0 and every row into the same plausible-looking probability) are
# an error naming the row and the column, in every command
. "$CASES/lib.sh"
bc_model
awk -F, -v OFS=, 'NR == 3 { $1 = "1e39" } { print }' te.csv >big.csv
run train --data big.csv --target diagnosis --out big.limn
awk -F, -v OFS=, 'NR == 4 { $2 = "-4e38" } { print }' te.csv >big.csv
run predict --model bc.limn --data big.csv
test -e big.limn && echo "big.limn written"
# rows 0 and 2 at +-3e38 in every column, within float range
awk -F, -v OFS=, 'NR == 2 || NR == 4 { for (j = 1; j < NF; j++) $j = (j % 2 ? "3e38" : "-3e38") } { print }' \
  te.csv >huge.csv
run predict --model bc.limn --data huge.csv --out p.csv
test -e p.csv && echo "p.csv written"
run evaluate --model bc.limn --data huge.csv --target diagnosis
for m in ig smoothgrad lime shap; do
  run explain --model bc.limn --data huge.csv --target diagnosis --method $m --rows 2 --background tr.csv
done
# the rows in between are fine
run explain --model bc.limn --data huge.csv --target diagnosis --method ig --rows 1 --format json >/dev/null
