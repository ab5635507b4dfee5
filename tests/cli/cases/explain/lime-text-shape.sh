. "$CASES/lib.sh"
bc_model
"$LIMN" explain --model bc.limn --data te.csv --rows 0 --method lime --num-samples 1000 --top 2 | grep -v "^  caution: " | head -3
"$LIMN" explain --model bc.limn --data te.csv --rows 0-2 --method lime --stability 3 --num-samples 300 | grep -c "stability: mean top-5 Jaccard over seeds"
"$LIMN" explain --model bc.limn --data te.csv --method lime --global --num-samples 300 --top 2
