# a graph whose arithmetic breaks (x / (x - x): NaN for every row) gives no result in
# any command: predict, evaluate and the explainers stop with an error naming the row
. "$CASES/lib.sh"
printf 'a,b,label\n1,2,p\n3,4,q\n' >d.csv
G="--model $FIX/onnx/div_zero.onnx --data d.csv --target label"
run predict $G --out p.csv
test -e p.csv && echo "p.csv written" || echo "no p.csv"
run evaluate $G
run explain $G --method ig
run explain $G --method lime --background d.csv
