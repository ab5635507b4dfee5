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
# the .ref carries a SHA-256 of its contents: a file cut inside its last number, or
# one value changed, is refused (it used to move a reference point silently); an
# intact copy still works
head -n -1 iref.csv.ref | head -c -2 >cut.csv.ref
run embed --transform cut.csv --data iris_new.csv --out x.csv
awk '/^y / { print; getline; $1 = $1 + 1 } { print }' iref.csv.ref >edited.csv.ref
run embed --transform edited.csv --data iris_new.csv --out x.csv
cp iref.csv.ref copy.csv.ref
run embed --transform copy.csv --data iris_new.csv --target species --out ok.csv 2>/dev/null
# the four files of a map are renamed into place together: a failure in the last (the
# SVG) leaves the old map.csv, .ref and .json as they were, and no temporaries
"$LIMN" embed --data iris_ref.csv --target species --out set.csv --svg set.svg --threads 1 2>/dev/null
for f in set.csv set.csv.ref set.csv.json set.svg; do cp $f $f.old; done
run embed --data iris_ref.csv --target species --perplexity 10 --out set.csv --svg no/such/dir.svg
for f in set.csv set.csv.ref set.csv.json set.svg; do same $f $f.old $f; done
ls ./*.tmp.* 2>/dev/null | wc -l | tr -d ' '
