"$LIMN" split --data "$DATA/breast_cancer.csv" --stratify diagnosis --seed 0 --train tr.csv --test te.csv
wc -l <te.csv | tr -d ' '
