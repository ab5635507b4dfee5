# limn as a per-partition filter for GNU parallel (Debian's `parallel`, installed by
# scripts/setup): the file cut into parts of 40 rows, two jobs at a time, outputs kept
# in order. --first-row gives each part its offset, so row ids and SmoothGrad's
# per-row noise are a whole run's: the joined outputs equal one process's byte for byte.
. "$CASES/lib.sh"
bc_model
join_parts() { awk 'NR == 1 || $0 != h { print } NR == 1 { h = $0 }'; }
P="parallel --will-cite --pipe --header : -k -N 40 -j 2"
OFF='{= $_ = ($job->seq() - 1) * 40 =}'
"$LIMN" predict --model bc.limn --data te.csv --format jsonl >one.jsonl
$P "$LIMN" predict --model bc.limn --data - --format jsonl --first-row "'$OFF'" --threads 1 <te.csv >par.jsonl
# (the line of each row is its part's: compare the rest)
sed 's/"line":[0-9]*,//' one.jsonl >a
sed 's/"line":[0-9]*,//' par.jsonl >b
same a b "predict in 4 parts (row ids from --first-row)"
"$LIMN" explain --model bc.limn --data te.csv --method smoothgrad --format wide >one.csv
$P "$LIMN" explain --model bc.limn --data - --method smoothgrad --format wide --first-row "'$OFF'" --threads 1 \
  <te.csv | join_parts >par.csv
same one.csv par.csv "SmoothGrad wide in 4 parts"
# without the offsets each part reseeds from row 0: not the same numbers
$P "$LIMN" explain --model bc.limn --data - --method smoothgrad --format wide --threads 1 <te.csv | join_parts >bad.csv
same one.csv bad.csv "SmoothGrad wide in 4 parts without --first-row"
run explain --model bc.limn --data te.csv --first-row 3
# ids from the input instead of offsets: IG (no seeds) in parts without --first-row
awk -F, -v OFS=, 'NR == 1 { print $0, "case_id"; next } { print $0, "c" NR }' te.csv >t.csv
"$LIMN" explain --model bc.limn --data t.csv --method ig --format wide --id-column case_id >one.csv
$P "$LIMN" explain --model bc.limn --data - --method ig --format wide --id-column case_id --threads 1 <t.csv |
  join_parts >par.csv
same one.csv par.csv "IG wide in 4 parts, rows named by --id-column"
