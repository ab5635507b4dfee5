# t-SNE maps: the same on 1 and 2 threads (Barnes-Hut, FFT, with PCA); new rows placed
# into a saved map land where they land alone, and the map does not move
. "$CASES/lib.sh"
cp "$DATA/iris.csv" iris.csv
"$LIMN" embed --data iris.csv --target species --out m.csv 2>/dev/null
grep -o '"knn10_accuracy":0\.[0-9]' m.csv.json | cut -c1-19; grep -o '"perplexity":"30"' m.csv.json
for opt in "" "--method fft" "--pca 2"; do
  "$LIMN" embed --data iris.csv --target species $opt --out a.csv --threads 1 2>/dev/null
  "$LIMN" embed --data iris.csv --target species $opt --out b.csv --threads 2 2>/dev/null
  same a.csv b.csv "map on 1 and 2 threads ($opt)"
done
grep -o '"pca":"2"' b.csv.json
awk 'NR == 1 || (NR - 1) % 5' iris.csv >iris_ref.csv
awk 'NR == 1 || (NR - 1) % 5 == 0' iris.csv >iris_new.csv
{ head -3 iris_new.csv; tail -1 iris_new.csv; } >iris_new3.csv
"$LIMN" embed --data iris_ref.csv --target species --standardize --pca 3 --out iref.csv 2>/dev/null
cp iref.csv.ref before.ref
"$LIMN" embed --transform iref.csv --data iris_new.csv --target species --out inew.csv --svg inew.svg 2>/dev/null
"$LIMN" embed --transform iref.csv --data iris_new3.csv --target species --out inew3.csv --threads 1 2>/dev/null
{ sed -n 2,3p inew.csv; tail -1 inew.csv; } | cut -d, -f2- >batch
tail -3 inew3.csv | cut -d, -f2- >alone
same batch alone "places alone and in a batch"
same iref.csv.ref before.ref "saved map after placing rows"
grep -o '"transform_of":"iref.csv"' inew.csv.json; grep -o '"standardize":true' inew.csv.json; tail -1 inew.svg
# approximate neighbours (--knn approx; auto above 100 000 rows): the same map on 1 and
# 2 threads, and the sidecar says which neighbours the map stands on
for t in 1 2; do
  "$LIMN" embed --data "$DATA/digits.csv" --target digit --knn approx --out d$t.csv --threads $t 2>/dev/null
done
same d1.csv d2.csv "map on approximate neighbours, 1 and 2 threads"
grep -o '"neighbours":"approximate[^"]*"' d1.csv.json; grep -o '"knn":"approx"' d1.csv.json
grep -o '"neighbours":"exact"' m.csv.json
run embed --data iris.csv --knn nearest --out x.csv 2>&1
