# ONNX models from PyTorch and scikit-learn: predictions, accuracy, every explainer,
# the map and the report
. "$CASES/lib.sh"
O=$FIX/onnx/bc_torch_op13.onnx
C=$FIX/onnx/credit_torch.onnx
B="--data $DATA/breast_cancer.csv --target diagnosis"
"$LIMN" info --model "$FIX/onnx/reg_helper.onnx" | grep -E "^output:|^sha256:" | sed "s/$(sha256sum "$FIX/onnx/reg_helper.onnx" | cut -c1-64)/SHA/"
"$LIMN" predict --model "$O" $B >p.csv; head -1 p.csv; wc -l <p.csv | tr -d ' '
acc=$("$LIMN" evaluate --model "$O" $B | sed -n 's/^accuracy: *//p')
holds "accuracy >= 0.95" at_least "$acc" 0.95
"$LIMN" explain --model "$O" $B --rows 0 --method ig | grep -c "completeness gap"
"$LIMN" explain --model "$O" $B --rows 0 --method lime --background "$DATA/breast_cancer.csv" --num-samples 2000 | grep -c "score (weighted R^2)"
"$LIMN" embed --model "$O" $B --space output --out m.csv 2>&1 | grep -o "[0-9]* rows, [0-9]* dimensions"
"$LIMN" report --model "$O" $B --rows 0,5 --background "$DATA/breast_cancer.csv" --out r.html --map-max 200 2>&1 | sed 's/ -> .*//'
"$LIMN" explain --model "$FIX/onnx/digits_cnn.onnx" --data "$DATA/digits.csv" --target digit --rows 0 --method ig --format svg --out cnn.svg
holds "the CNN's heat maps: an 8x8 image and its attribution" test "$(grep -c '<rect' cnn.svg)" -ge 128
"$LIMN" explain --model "$C" --data "$DATA/credit-g.arff" --target class --rows 0 --method lime --background "$DATA/credit-g.arff" --top 20 --num-samples 2000 | grep -c "checking_status = "
"$LIMN" explain --model "$C" --data "$DATA/credit-g.arff" --target class --rows 0 --method ig --steps 300 | grep -c "completeness gap"
"$LIMN" evaluate --model "$C" --data "$DATA/credit-g.arff" --target class | grep -c "^accuracy:"
"$LIMN" explain --model "$O" $B --rows 0 --method shap --background "$DATA/breast_cancer.csv" --background-size 20 --format jsonl | grep -o '^{"row":0,"line":2,"method":"shap"'
