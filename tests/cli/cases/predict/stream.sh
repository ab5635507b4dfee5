# A CSV is read, predicted and written a block of rows at a time: the output is the
# same byte for byte whatever the block, the bytes read at a time (LIMN_STREAM_CHUNK:
# a quoted field with a comma and a line feed across a chunk's edge) or the source
# (standard input); an error in a block deep in the file names its line, exits
# non-zero and leaves no --out file.
. "$CASES/lib.sh"
bc_model
"$LIMN" predict --model bc.limn --data te.csv --block-rows 100000 >whole.csv
for b in 1 7 64; do
  "$LIMN" predict --model bc.limn --data te.csv --block-rows $b >b.csv
  same whole.csv b.csv "block of $b rows"
done
LIMN_STREAM_CHUNK=5 "$LIMN" predict --model bc.limn --data te.csv --block-rows 3 >c.csv
same whole.csv c.csv "5-byte reads"
"$LIMN" predict --model bc.limn --data - --out - <te.csv >s.csv
same whole.csv s.csv "standard input"
for f in json jsonl; do
  "$LIMN" predict --model bc.limn --data te.csv --format $f >whole.$f
  LIMN_STREAM_CHUNK=11 "$LIMN" predict --model bc.limn --data te.csv --format $f --block-rows 5 >b.$f
  same whole.$f b.$f "$f in blocks of 5"
done
# categories whose names hold a comma and a line feed, quoted
"$LIMN" split --data "$DATA/credit-g.arff" --stratify class --seed 0 --train ctr.csv --test cte.csv 2>/dev/null
for f in ctr cte; do
  awk '{ gsub(/radio\/tv/, "\"radio,\ntv\""); print }' $f.csv >q$f.csv
done
"$LIMN" train --data qctr.csv --target class --out q.limn --threads 1 2>/dev/null
grep -c '"radio,$' qcte.csv
"$LIMN" predict --model q.limn --data qcte.csv --block-rows 100000 >qwhole.csv
for c in 3 17 64; do
  LIMN_STREAM_CHUNK=$c "$LIMN" predict --model q.limn --data qcte.csv --block-rows 2 >qb.csv
  same qwhole.csv qb.csv "quoted line feeds, $c-byte reads"
done
# an error in row 100 (line 102), in the eleventh block of ten
awk -F, -v OFS=, 'NR == 102 { $3 = "wide" } { print }' te.csv >bad.csv
run predict --model bc.limn --data bad.csv --block-rows 10 --out p.csv
test -e p.csv && echo "p.csv written"
"$LIMN" predict --model bc.limn --data bad.csv --block-rows 10 >part.csv 2>/dev/null
echo "exit $? after $(($(wc -l <part.csv) - 1)) rows on standard output"
# the header alone, an empty input, ARFF and ONNX are read whole (stdin needs a limn model)
head -1 te.csv >head.csv
run predict --model bc.limn --data head.csv
run predict --model bc.limn --data - </dev/null
# an ARFF file is read whole whatever the case of its suffix, as limn_dataset_read reads it
"$LIMN" train --data ctr.csv --target class --out c.limn --threads 1 2>/dev/null
cp "$DATA/credit-g.arff" UP.ARFF
"$LIMN" predict --model c.limn --data UP.ARFF | wc -l
