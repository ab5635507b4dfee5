# a data file without the model's columns: an error naming one, no page, no temporary
. "$CASES/lib.sh"
bc_model
cp "$DATA/iris.csv" iris.csv
run report --model bc.limn --data iris.csv --rows 1 --out x.html
ls
"$LIMN" report --model bc.limn --data te.csv --rows 1 --map none --out - | grep -o "No map: no map was asked for"
