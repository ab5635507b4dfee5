# a stratified 75/25 split: the header kept, every row in exactly one part
. "$CASES/lib.sh"
"$LIMN" split --data "$DATA/breast_cancer.csv" --stratify diagnosis --seed 0 --train tr.csv --test te.csv 2>/dev/null
holds "142 test rows" test "$(wc -l <te.csv)" -eq 143
holds "the header kept" test "$(head -1 tr.csv)" = "$(head -1 "$DATA/breast_cancer.csv")"
{ tail -n +2 tr.csv; tail -n +2 te.csv; } | sort >rows
tail -n +2 "$DATA/breast_cancer.csv" | sort >orig
same rows orig "rows: train + test are the original rows"
