. "$CASES/lib.sh"
bc_model
cp "$DATA/iris.csv" iris.csv
"$LIMN" embed --data iris.csv --target species --out m.csv --svg m.svg --highlight 3
head -1 m.csv; wc -l <m.csv | tr -d ' '; ls m.csv*
grep -c "row 3" m.svg; tail -1 m.svg
"$LIMN" embed --data te.csv --model bc.limn --space output --out o.csv 2>&1 | sed 's/KL [0-9.]*/KL N/; s/[0-9]\.[0-9]*/N/g'
head -1 o.csv
