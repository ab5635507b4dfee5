# The long formats (csv, jsonl, text) stream too when each row has one explanation of
# its own: blocks of 4 rows read 9 bytes at a time give the bytes of a whole read
# (LIMN_WHOLE=1), standard error included, for every method, all rows or a list; a bad
# row mid-file stops the run with no --out file, as the whole read does.
. "$CASES/lib.sh"
bc_model
head -41 te.csv >t40.csv # 40 rows: enough blocks of 4, quick under the sanitizers
for m in gradient ig lime shap; do
  x=""
  [ $m = shap ] && x="--background tr.csv --background-size 20"
  for f in csv jsonl text; do
    for rows in all 3,10-12,25,39; do
      LIMN_WHOLE=1 "$LIMN" explain --model bc.limn --data t40.csv --method $m $x --format $f --rows $rows \
        --reasons 2 >a.out 2>a.err
      LIMN_STREAM_CHUNK=9 "$LIMN" explain --model bc.limn --data t40.csv --method $m $x --format $f --rows $rows \
        --reasons 2 --block-rows 4 >b.out 2>b.err
      cmp -s a.out b.out && cmp -s a.err b.err && echo "$m $f rows $rows: same" || echo "$m $f rows $rows: differ"
    done
  done
done
for o in "--class true" "--class benign --top 3" "--output logit --favourable benign --reasons 3"; do
  LIMN_WHOLE=1 "$LIMN" explain --model bc.limn --data te.csv --method ig $o --format text >a.out
  "$LIMN" explain --model bc.limn --data te.csv --method ig $o --format text --block-rows 7 >b.out
  same a.out b.out "ig $o in blocks of 7"
done
awk -F, -v OFS=, 'NR == 102 { $3 = "wide" } { print }' te.csv >bad.csv
run explain --model bc.limn --data bad.csv --method ig --format jsonl --block-rows 10 --out x.jsonl
test -e x.jsonl && echo "x.jsonl written" || true
