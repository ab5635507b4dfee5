# A model file without training statistics (ONNX): --baseline mean takes --background's
# means (the same baseline output as a CSV of those means), and says what to give without
# it; the report's IG uses the background's means, and says why when it has to use zeros
. "$CASES/lib.sh"
M="--model $FIX/onnx/bc_torch_op13.onnx --data $DATA/breast_cancer.csv --target diagnosis"
"$LIMN" explain $M --rows 0 --method ig --baseline mean
echo "exit $?"
"$LIMN" explain $M --rows 0 --method ig --baseline mean --background "$DATA/breast_cancer.csv" |
  sed -n 's/.*baseline output \([^,]*\),.*/\1/p' | awk '{ printf "%.4f\n", $1 }' >a
awk -F, 'NR == 1 { for (j = 1; j < NF; j++) h[j] = $j; n = NF - 1; next }
  { for (j = 1; j <= n; j++) s[j] += $j; r++ }
  END { for (j = 1; j <= n; j++) printf "%s%s", h[j], (j < n ? "," : "\n");
        for (j = 1; j <= n; j++) printf "%.17g%s", s[j] / r, (j < n ? "," : "\n") }' "$DATA/breast_cancer.csv" >means.csv
"$LIMN" explain $M --rows 0 --method ig --baseline means.csv |
  sed -n 's/.*baseline output \([^,]*\),.*/\1/p' | awk '{ printf "%.4f\n", $1 }' >b
cat a
same a b "baseline output from --background's means and from a CSV of them"
"$LIMN" report $M --rows 0 --out o1.html 2>/dev/null
grep -o 'From the baseline ([^,]*' o1.html
"$LIMN" report $M --rows 0 --background "$DATA/breast_cancer.csv" --out o2.html 2>/dev/null
grep -o "From the baseline ([^,]*" o2.html
