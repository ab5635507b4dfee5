. "$CASES/lib.sh"
bc_model
run explain --model bc.limn --data te.csv --rows 9999
run explain --model bc.limn --data te.csv --class nope
run explain --model bc.limn --data te.csv --method ig --steps 0
run explain --model bc.limn --data te.csv --method ig --steps 1 --quadrature riemann_left
head -3 te.csv >b3.csv
run explain --model bc.limn --data te.csv --method ig --baseline b3.csv
run explain --model bc.limn --data te.csv --method ig --baseline row:500
run explain --model bc.limn --data te.csv --method anchors
run explain --model bc.limn --data te.csv --format xml
run explain --data te.csv
run explain --model bc.limn --data te.csv --rows 0 --favourable great
run explain --model bc.limn --data te.csv --rows 0 --format csv --out nodir/x.csv
