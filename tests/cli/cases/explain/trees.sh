# SHAP of an XGBoost model: TreeSHAP (path-dependent) when no background is given, data
# with missing cells read as missing values; the tree estimator refused on other models
R=$FIX/reference/trees
"$LIMN" explain --model "$R/xgb_bc.json" --data "$R/xgb_bc_test.csv" --rows 0 --method shap --top 3 | sed -n 1,6p
"$LIMN" explain --model "$R/xgb_bc.json" --data "$R/xgb_bc_test.csv" --rows 0-4 --method shap --format jsonl | grep -c '"estimator":"tree"'
. "$CASES/lib.sh"
bc_model
"$LIMN" explain --model bc.limn --data te.csv --rows 0 --method shap --estimator tree
echo "exit $?"
"$LIMN" explain --model "$R/xgb_bc.json" --data "$R/xgb_bc_test.csv" --rows 0 --method ig
echo "exit $?"
