. "$CASES/lib.sh"
bc_model
run report --model bc.limn --data te.csv --rows 9999 --out x.html
run report --model bc.limn --data te.csv --out x.html
run report --model bc.limn --data te.csv --rows 1 --favourable great --out x.html
run report --model bc.limn --data te.csv --rows 1 --map hidden:7 --out x.html
run report --model bc.limn --data te.csv --rows 1 --map tsne --out x.html
run report --model none.limn --data te.csv --rows 1 --out x.html
run report --model bc.limn --data "$DATA/breast_cancer.csv" --rows all --out x.html
run report --model bc.limn --data te.csv --rows 1 --reasons-from tree --out x.html
run demo --dataset iris --out d
ls x.html d 2>/dev/null | wc -l | tr -d ' '
