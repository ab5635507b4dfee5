# SmoothGrad's noise: the same on 1 and 2 threads, and for a row alone or among others
. "$CASES/lib.sh"
bc_model
"$LIMN" explain --model bc.limn --data te.csv --method smoothgrad --format jsonl --threads 1 >sg1
"$LIMN" explain --model bc.limn --data te.csv --method smoothgrad --format jsonl --threads 2 >sg2
same sg1 sg2 "on 1 and 2 threads"
"$LIMN" explain --model bc.limn --data te.csv --method smoothgrad --format jsonl --rows 7 >sg7
grep '^{"row":7,' sg1 >sg7all
same sg7 sg7all "row 7 alone and among all rows"
