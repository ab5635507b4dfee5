# an XGBoost JSON model (told by its content) predicts as XGBoost does; gradient
# methods are refused with a pointer to SHAP and LIME
R=$FIX/reference/trees
"$LIMN" info --model "$R/xgb_wine.json" | sed -n 1,6p
"$LIMN" predict --model "$R/xgb_diab.json" --data "$R/xgb_diab_test.csv" | tail -n +2 >ours
tail -n +2 "$R/xgb_diab_pred.csv" >theirs
paste ours theirs | awk '{ d = ($1 - $2) / $2; if (d < 0) d = -d; if (d > 1e-6) bad++ } END { print (bad ? "differ" : "within 1e-6"), NR }'
"$LIMN" predict --model "$R/xgb_wine.json" --data "$R/xgb_wine_test.csv" | tail -n +2 | tr ',' '\n' >ours
tail -n +2 "$R/xgb_wine_pred.csv" | cut -d, -f4-6 | tr ',' '\n' >theirs
paste ours theirs | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 1e-6) bad++ } END { print (bad ? "differ" : "within 1e-6"), NR }'
"$LIMN" explain --model "$R/xgb_diab.json" --data "$R/xgb_diab_test.csv" --rows 0 --method ig
echo "exit $?"
