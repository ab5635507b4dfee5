. "$CASES/lib.sh"
bc_model
"$LIMN" predict --model bc.limn --data te.csv | head -1
"$LIMN" predict --model bc.limn --data te.csv --format jsonl | head -1 | sed 's/[0-9.e-]*,/N,/g; s/:[0-9.e-]*}/:N}/g'
"$LIMN" predict --model bc.limn --data te.csv --format json --out p.json && head -c 15 p.json && echo
ls | grep -c tmp
run predict --model bc.limn --data te.csv --format xml
printf 'mean radius\n1.5\n' >wrong.csv
run predict --model bc.limn --data wrong.csv
