# a model's outputs, a hidden layer or the rows' attributions as what is mapped
. "$CASES/lib.sh"
bc_model
for s in output hidden:2 attribution:ig; do
  "$LIMN" embed --data te.csv --model bc.limn --space $s --out x.csv 2>&1 | grep -o "[0-9]* rows, [0-9]* dimensions"
done
head -1 x.csv
