# LIME: bins in the labels, determinism, the JSON fields, the sample-count defaults,
# stability's summary, SP-LIME, top:K, and every discretizer and selection running
. "$CASES/lib.sh"
bc_model
"$LIMN" explain --model bc.limn --data te.csv --rows 0 --method lime --num-samples 2000 | grep -Ecm1 "(<=|>) "
E="--model bc.limn --data te.csv --method lime --format jsonl"
"$LIMN" explain $E --rows 0-19 --threads 1 >l1
"$LIMN" explain $E --rows 0-19 --threads 2 >l2
same l1 l2 "on 1 and 2 threads"
"$LIMN" explain $E --rows 13 >l13
grep '^{"row":13,' l1 >l13all
same l13 l13all "row 13 alone and among others"
for f in intercept local_pred score label; do grep -c "\"$f\":" l13; done
grep -o '"num_samples":[0-9]*' l13
grep -o '"index":[0-9]*,"name":"[^"]*","label":' l13 | wc -l | tr -d ' '
"$LIMN" explain $E --rows 0 --compat lime | grep -o '"num_samples":[0-9]*'
"$LIMN" explain $E --rows 0 --num-samples auto >la
grep '^{"row":0,' l1 >l0
same la l0 "--num-samples auto and the default"
"$LIMN" explain --model bc.limn --data te.csv --rows 0-2 --method lime --stability 3 --num-samples 500 |
  awk '/^  stability: /{s+=$NF; n++} /^stability over the 3 rows/{m=$NF} END{d=s/n-m; print (n==3 && m!="" && d<0.0015 && d>-0.0015) ? "the summary is the mean of the rows" : "NOT the mean"}'
"$LIMN" explain $E --rows 0-9 --pick 3 --num-samples 300 | wc -l | tr -d ' '
"$LIMN" explain $E --rows 0 --class top:2 --num-samples 300 | grep -o '"class":[0-9][0-9]*'
"$LIMN" explain --model bc.limn --data te.csv --rows 0 --method lime --compat lime --discretizer decile --feature-selection lasso_path --format csv | head -1
"$LIMN" explain --model bc.limn --data te.csv --rows 0 --method lime --discretizer entropy --background tr.csv --num-samples 1000 | grep -c "^  surrogate:"
"$LIMN" explain --model bc.limn --data te.csv --rows 0 --method lime --discretizer none --sample-around-instance --feature-selection forward_selection --num-features 4 --num-samples 1000 | grep -c "^  surrogate:"
