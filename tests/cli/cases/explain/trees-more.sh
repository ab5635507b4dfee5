# Tree models beyond the first case: a scikit-learn model exported by
# tools/export_sklearn_trees.py (its TreeSHAP output = scikit-learn's decision_function,
# the checks in awk against the fixture), interventional TreeSHAP over a background when
# the margin is explained (the probability game goes to the sampling estimator), groups
# (path-dependent values of a group are labelled as sums), the tree estimators' errors,
# and the report of a tree model (TreeSHAP in place of IG, interactions) on 1 and 2 threads
R=$FIX/reference/trees
. "$CASES/lib.sh"
"$LIMN" explain --model "$R/sk_gb_bc.json" --data "$R/sk_gb_bc_test.csv" --rows 0-29 --method shap \
  --format jsonl --class 1 >sk.jsonl
sed -n 's/.*"model_output":\([^,]*\),.*/\1/p' sk.jsonl >got
tail -n +2 "$R/sk_gb_bc_pred.csv" | cut -d, -f1 >want
paste -d, got want | awk -F, '{d = $1 - $2; if (d < 0) d = -d; if (d > 1e-5) bad++} END {print NR " rows, " bad + 0 " off scikit-learn decision_function"}'
grep -c '"estimator":"tree"' sk.jsonl
B="--background $R/xgb_bc_background.csv"
"$LIMN" explain --model "$R/xgb_bc.json" --data "$R/xgb_bc_test.csv" --rows 0 --method shap $B --output logit --top 2 | sed -n 2p
"$LIMN" explain --model "$R/xgb_bc.json" --data "$R/xgb_bc_test.csv" --rows 0 --method shap $B --top 2 | sed -n 2p | sed 's/error .*/error E/'
(echo column,group; head -1 "$R/xgb_bc_test.csv" | tr ',' '\n' | grep -v diagnosis |
  awk '{g = $1; if ($0 ~ /error$/) g = "error"; print $0 "," g}') >groups.csv
"$LIMN" explain --model "$R/xgb_bc.json" --data "$R/xgb_bc_test.csv" --rows 0 --method shap --groups groups.csv | sed -n 2p
"$LIMN" explain --model "$R/xgb_bc.json" --data "$R/xgb_bc_test.csv" --rows 0 --method shap --estimator tree-interventional
echo "exit $?"
"$LIMN" explain --model "$R/xgb_bc.json" --data "$R/xgb_bc_test.csv" --rows 0 --method shap --link logit $B --estimator tree
echo "exit $?"
"$LIMN" report --model "$R/xgb_bc.json" --data "$R/xgb_bc_test.csv" --rows 0,12 --out r1.html --threads 1 2>/dev/null
echo "exit $?"
"$LIMN" report --model "$R/xgb_bc.json" --data "$R/xgb_bc_test.csv" --rows 0,12 --out r2.html --threads 2 2>/dev/null
grep -v '<dt>Reproduce' r1.html >a
grep -v '<dt>Reproduce' r2.html >b
same a b "report on 1 and 2 threads"
grep -c 'Not applicable: a tree ensemble' r1.html
grep -c 'Strongest interactions in this row' r1.html
grep -c '<h3>The strongest interaction</h3>' r1.html
grep -o 'TreeSHAP of the trees. raw output ([^)]*)' r1.html
# a map of TreeSHAP attributions (no background needed)
"$LIMN" embed --model "$R/sk_rf_wine.json" --data "$R/sk_rf_wine_test.csv" --space attribution:shap --perplexity 5 --out a.csv 2>/dev/null
echo "exit $?"
head -1 a.csv
# the model-agnostic methods through the common model interface: LIME (its statistics
# from --background, of the present values: the file has missing cells) on a complete row,
# refused on a row with missing values; KernelSHAP of the probability; the report of rows
# with missing values explains them without LIME, of complete rows with it
"$LIMN" explain --model "$R/xgb_bc.json" --data "$R/xgb_bc_test.csv" --rows 20 --method lime \
  --background "$R/xgb_bc_background.csv" --format jsonl | grep -c '"method":"lime"'
cp "$R/xgb_bc_test.csv" test.csv
"$LIMN" explain --model "$R/xgb_bc.json" --data test.csv --rows 0 --method lime --background "$R/xgb_bc_background.csv"
echo "exit $?"
"$LIMN" explain --model "$R/xgb_bc.json" --data "$R/xgb_bc_test.csv" --rows 1 --method shap --estimator kernel \
  $B --format jsonl | grep -c '"estimator":"kernel"'
"$LIMN" report --model "$R/xgb_bc.json" --data "$R/xgb_bc_test.csv" --rows 0,20 $B --out r3.html 2>/dev/null
grep -c "missing values, which LIME's bins have no place for" r3.html
"$LIMN" report --model "$R/xgb_bc.json" --data "$R/xgb_bc_test.csv" --rows 20,21 $B --out r4.html 2>/dev/null
grep -c 'The surrogate explains' r4.html
