. "$CASES/lib.sh"
cp "$DATA/iris.csv" iris.csv
run train --data iris.csv --out m
run train --bogus 1
run train --data a --target b --out c --epochs x
run train --data none.csv --target y --out m
printf 'a,y\n1,0\n2\n' >ragged.csv
run train --data ragged.csv --target y --out m
ls
