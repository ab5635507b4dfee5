# placing rows into a saved map: the map's own checks
. "$CASES/lib.sh"
bc_model
awk 'NR == 1 || (NR - 1) % 5' "$DATA/iris.csv" >iris_ref.csv
awk 'NR == 1 || (NR - 1) % 5 == 0' "$DATA/iris.csv" >iris_new.csv
cp "$DATA/wine.csv" wine.csv
"$LIMN" embed --data iris_ref.csv --target species --standardize --pca 3 --out iref.csv 2>/dev/null
run embed --transform iref.csv --data wine.csv --target cultivar --out x.csv
run embed --transform iref_none.csv --data iris_new.csv --out x.csv
sed '8s/.*/x/' iref.csv.ref >bad.csv.ref
run embed --transform bad.csv --data iris_new.csv --out x.csv
"$LIMN" embed --data te.csv --model bc.limn --space output --out bc_map.csv 2>/dev/null
"$LIMN" train --data tr.csv --target diagnosis --out bc3.limn --seed 1 --threads 1 2>/dev/null
run embed --transform bc_map.csv --data te.csv --model bc3.limn --out x.csv
run embed --transform bc_map.csv --data te.csv --out x.csv
ls x.csv* 2>/dev/null | wc -l | tr -d ' '
