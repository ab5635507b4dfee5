. "$CASES/lib.sh"
bc_model
cp "$DATA/iris.csv" iris.csv
head -11 iris.csv >iris10.csv
run embed --data iris.csv --method fft --fft-nodes 9 --out x.csv
run embed --data iris.csv --method fast --out x.csv
run embed --data iris.csv --target species --pca 5 --out x.csv
run embed --data te.csv --model bc.limn --space attribution:shap --out x.csv
run embed --data te.csv --model bc.limn --space hidden:3 --out x.csv
run embed --data iris10.csv --out x.csv
run embed --data iris.csv --space output --out x.csv
run embed --data iris.csv --space pixels --out x.csv
run embed --data iris.csv --out x.csv --highlight 150
ls x.csv* 2>/dev/null | wc -l | tr -d ' '
