# a scikit-learn MLP exported with tools/export_sklearn_mlp.py predicts as scikit-learn does
"$LIMN" predict --model "$FIX/sklearn_bc.limn" --data "$FIX/breast_cancer_test.csv" | tail -n +2 | tr ',' '\n' >ours
sed -n 2p "$FIX/sklearn_bc_proba.txt" | tr ' ' '\n' >theirs
paste ours theirs | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 1e-6) bad++ } END { print (bad ? "differ" : "within 1e-6"), NR }'
