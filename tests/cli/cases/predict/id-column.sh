# --id-column: each row's id is the text of a column of the input (any column, quoted
# fields too), written as the row instead of its index, so outputs made in parts join
# back by id. The ids written are checked against the input's column, read by awk.
. "$CASES/lib.sh"
bc_model
# the test split with an id column (after the features), and its ids in order
awk -F, -v OFS=, 'NR == 1 { print $0, "case_id"; next } { print $0, "c" (NR * 7) }' te.csv >t.csv
awk -F, 'NR > 1 { print $NF }' t.csv >ids
"$LIMN" predict --model bc.limn --data t.csv --id-column case_id --block-rows 7 >p.csv
head -1 p.csv
awk -F, 'NR > 1 { print $1 }' p.csv >got
same ids got "predict csv: the row column is the input's ids"
"$LIMN" predict --model bc.limn --data t.csv >plain.csv
cut -d, -f2- p.csv | tail -n +2 >a
tail -n +2 plain.csv >b
same a b "predict csv: the outputs after the ids are unchanged"
"$LIMN" predict --model bc.limn --data t.csv --id-column case_id --format jsonl | head -1 |
  sed 's/"outputs".*//'
"$LIMN" explain --model bc.limn --data t.csv --id-column case_id --method gradient --format wide \
  --block-rows 5 >w.csv
awk -F, 'NR > 1 { print $1 }' w.csv >got
same ids got "explain wide: the row column is the input's ids"
# an id that needs quoting (a comma, a quote) is written as a CSV field
awk -F, -v OFS=, 'NR == 1 { print "who", $0; next } { print "\"case " NR - 1 ", \"\"x\"\"\"", $0 }' te.csv >q.csv
"$LIMN" predict --model bc.limn --data q.csv --id-column who | sed -n 2p | cut -d, -f1-2
"$LIMN" predict --model bc.limn --data q.csv --id-column who --format jsonl | head -1 | sed 's/,"line".*//'
# ARFF is read whole, with its ids too
"$LIMN" train --data "$DATA/credit-g.arff" --target class --out credit.limn --threads 1 --epochs 3 2>/dev/null
"$LIMN" predict --model credit.limn --data "$DATA/credit-g.arff" --id-column purpose | head -3 | cut -d, -f1
# errors
run predict --model bc.limn --data te.csv --id-column nope
run explain --model bc.limn --data t.csv --id-column case_id --format npy --out x.npy
run explain --model bc.limn --data t.csv --id-column case_id --rows 0
awk_model m.awk
run predict --model-cmd "awk -f m.awk" --data t.csv --id-column case_id
