# a graph whose arithmetic breaks (x / (x - x): NaN for every row) gives no result in
# any command: predict, evaluate and the explainers stop with an error naming the node
# and the row
. "$CASES/lib.sh"
printf 'a,b,label\n1,2,p\n3,4,q\n' >d.csv
cp "$FIX/onnx/div_zero.onnx" .
G="--model div_zero.onnx --data d.csv --target label"
run predict $G --out p.csv
test -e p.csv && echo "p.csv written" || echo "no p.csv"
run evaluate $G
run explain $G --method ig
run explain $G --method lime --background d.csv
# a NaN that a Relu further on would hide: refused at the node that makes it (the
# Transpose between them is not scanned), or at load when a constant holds it
cp "$FIX/onnx/nan_masked.onnx" "$FIX/onnx/nan_const.onnx" "$FIX/onnx/inf_const.onnx" .
run predict --model nan_masked.onnx --data d.csv --target label
run explain --model nan_masked.onnx --data d.csv --target label --method gradient
run predict --model nan_const.onnx --data d.csv --target label
# an infinite weight is refused too (a single value may be infinite: a mask's fill)
run predict --model inf_const.onnx --data d.csv --target label
# a graph whose Gemm overflows on rows of +-3e38 (the Relu folded into it would hide
# the NaN): an error naming the node and the row, not a constant probability
awk -F, -v OFS=, 'NR == 3 { for (j = 1; j < NF; j++) $j = (j % 2 ? "3e38" : "-3e38") } NR <= 40 { print }' \
  "$DATA/breast_cancer.csv" >huge.csv
run predict --model "$FIX/onnx/bc_torch_op13.onnx" --data huge.csv --target diagnosis
