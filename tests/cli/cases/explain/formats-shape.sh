. "$CASES/lib.sh"
bc_model
"$LIMN" explain --model bc.limn --data te.csv --rows 0 --format csv | head -1
"$LIMN" explain --model bc.limn --data te.csv --rows 0 --format csv | wc -l | tr -d ' '
"$LIMN" explain --model bc.limn --data te.csv --rows 0-2 --method ig --format jsonl | wc -l | tr -d ' '
"$LIMN" explain --model bc.limn --data te.csv --rows 0,1 --method ig --format svg --out e.svg
head -c 4 e.svg; echo; tail -1 e.svg
