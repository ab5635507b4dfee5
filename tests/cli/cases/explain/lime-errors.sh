. "$CASES/lib.sh"
bc_model
run explain --model bc.limn --data te.csv --rows 0 --method lime --num-features 31
run explain --model bc.limn --data te.csv --method lime --num-samples 1
printf 'a,b\n1,2\n' >otherbg.csv
run explain --model bc.limn --data te.csv --method lime --background otherbg.csv
run explain --model bc.limn --data te.csv --method lime --discretizer fine
run explain --model bc.limn --data te.csv --method lime --compat shap
run explain --model bc.limn --data te.csv --rows 0-2 --method lime --pick 5 --num-samples 100
run explain --model bc.limn --data te.csv --method lime --class top:3
