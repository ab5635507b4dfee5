# narrow data and no hidden layer (LIME's 10 features capped at 4, the map of
# outputs); regression (values, not classes)
. "$CASES/lib.sh"
cp "$DATA/iris.csv" iris.csv
"$LIMN" train --data iris.csv --target species --hidden 0 --out iris.limn --epochs 50 2>/dev/null
"$LIMN" report --model iris.limn --data iris.csv --rows 0,70,140 --out iris.html
grep -c "made from the model&#39;s class probabilities\|made from the model's class probabilities" iris.html
"$LIMN" explain --model iris.limn --data iris.csv --rows 0 --method lime --num-samples 1000 | grep -c "score (weighted R^2)"
run explain --model iris.limn --data iris.csv --rows 0 --method lime --num-features 5
"$LIMN" train --data "$DATA/diabetes.csv" --target progression --out dia.limn --epochs 20 2>/dev/null
"$LIMN" report --model dia.limn --data "$DATA/diabetes.csv" --rows 0,1 --out dia.html
grep -c "The features that raised the prediction most" dia.html
grep -c 'id="map-row-1"' dia.html
