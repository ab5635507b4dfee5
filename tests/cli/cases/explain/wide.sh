# --format wide: one line per row (row, class, output, base value, delta, reliable, a
# weight per feature), streamed a block at a time: the same lines whatever the block
# or read size, from a file or standard input, and the same numbers as the long CSV,
# for every method (LIME's and SHAP's sampling seeded per row).
. "$CASES/lib.sh"
bc_model
for m in gradient gradxinput ig smoothgrad lime shap; do
  x=""
  [ $m = shap ] && x="--background tr.csv --background-size 20"
  "$LIMN" explain --model bc.limn --data te.csv --method $m $x --format wide --block-rows 100000 >w.csv
  LIMN_STREAM_CHUNK=9 "$LIMN" explain --model bc.limn --data te.csv --method $m $x --format wide --block-rows 3 >b.csv
  same w.csv b.csv "$m in blocks of 3"
  "$LIMN" explain --model bc.limn --data - --method $m $x --format wide <te.csv >s.csv
  same w.csv s.csv "$m from standard input"
  "$LIMN" explain --model bc.limn --data te.csv --method $m $x --format csv --rows all >long.csv
  # every weight of the long CSV (row, feature index, weight) is the wide line's
  awk -F, 'NR == FNR { if (FNR > 1) for (j = 7; j <= NF; j++) w[$1 "," (j - 7)] = $j; next }
    FNR > 1 { n++; if (w[$1 "," $6] != $NF) bad++ }
    END { printf "%s: %d weights, %d differ\n", m, n, bad + 0 }' m=$m w.csv long.csv
done
head -1 w.csv | cut -d, -f1-8
awk -F, 'NR > 1 { r[$6]++ } END { for (k in r) print "reliable=" k ": " r[k] }' w.csv | sort
"$LIMN" explain --model bc.limn --data te.csv --method smoothgrad --format wide |
  awk -F, 'NR == 2 { print "smoothgrad leaves base_value and delta empty:", ($4 == "" && $5 == "") }'

"$LIMN" explain --model bc.limn --data te.csv --method gradient --format wide | awk -F, 'NR == 2 { print "gradient: empty base_value", ($4 == "") }'
# the class explained: each row's true class, or a named one
"$LIMN" explain --model bc.limn --data te.csv --method ig --class true --format wide | cut -d, -f2 | sort | uniq -c
"$LIMN" explain --model bc.limn --data te.csv --method ig --class benign --format wide | cut -d, -f2 | sort | uniq -c
# what wide does not do (yet): clear errors
run explain --model bc.limn --data te.csv --method lime --stability 3 --format wide
printf 'column,group\nmean radius,size\nmean area,size\n' >groups.csv
run explain --model bc.limn --data te.csv --method shap --background tr.csv --groups groups.csv --format wide
run explain --model bc.limn --data te.csv --method ig --baseline row:3 --format wide
# an error in row 100 (line 102): no --out file
awk -F, -v OFS=, 'NR == 102 { $3 = "wide" } { print }' te.csv >bad.csv
run explain --model bc.limn --data bad.csv --method ig --format wide --block-rows 10 --out w2.csv
test -e w2.csv && echo "w2.csv written" || true
# --rows streams too: blocks without a chosen row are passed over unparsed, the chosen
# rows' lines are the full run's (per-row seeds), in file order; a row beyond the end
# is known at the end: an error, and no --out file
for m in ig lime; do
  "$LIMN" explain --model bc.limn --data te.csv --method $m --format wide >w.csv
  LIMN_STREAM_CHUNK=9 "$LIMN" explain --model bc.limn --data te.csv --method $m --format wide --block-rows 4 \
    --rows 3,10-12,50,141 >r.csv
  awk -F, 'NR == 1 || $1 == 3 || ($1 >= 10 && $1 <= 12) || $1 == 50 || $1 == 141' w.csv >want.csv
  same want.csv r.csv "$m --rows 3,10-12,50,141 in blocks of 4"
done
"$LIMN" explain --model bc.limn --data te.csv --method ig --format npy --rows 7,9 --block-rows 4 --out r.npy
echo "npy --rows 7,9: $(($(wc -c <r.npy) - 128)) data bytes = 2 rows x 36 columns x 8"
run explain --model bc.limn --data te.csv --method ig --rows 5,3 --format wide
run explain --model bc.limn --data te.csv --method ig --rows 3,142 --format wide --block-rows 10 --out w3.csv
test -e w3.csv && echo "w3.csv written" || true
# --format npy: the same columns as a float64 matrix (class as its index); its header,
# which holds the row count, is written last, so it needs a file
"$LIMN" explain --model bc.limn --data te.csv --method ig --format npy --out a.npy
LIMN_STREAM_CHUNK=13 "$LIMN" explain --model bc.limn --data te.csv --method ig --format npy --block-rows 4 --out b.npy
same a.npy b.npy "npy in blocks of 4"
head -c 128 a.npy | tail -c 118 | tr -s ' '
echo
echo "$(($(wc -c <a.npy) - 128)) data bytes = 142 rows x 36 columns x 8"
run explain --model bc.limn --data te.csv --method ig --format npy
