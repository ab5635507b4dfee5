# IG's default rule (auto) is exact on an ONNX chain of dense layers and Relu (a torch
# export with its standardisation and Reshape inside), Gauss-Legendre elsewhere;
# --quadrature exact on a graph that is not piecewise-linear names the node
. "$CASES/lib.sh"
O=$FIX/onnx/bc_torch_op13.onnx
"$LIMN" explain --model "$O" --data "$DATA/breast_cancer.csv" --target diagnosis --rows 0 --method ig | sed -n 1p | sed 's/ = .*\[/ = P   [/'
gap=$("$LIMN" explain --model "$O" --data "$DATA/breast_cancer.csv" --target diagnosis --rows 0-9 --method ig --format jsonl |
  grep -o '"delta":[^,}]*' | awk -F: '{ d = $2 < 0 ? -$2 : $2; if (d > m) m = d } END { print m }')
holds "exact: every completeness gap below 1e-9" awk -v g="$gap" 'BEGIN { exit !(g < 1e-9) }'
"$LIMN" explain --model "$FIX/onnx/reg_helper.onnx" --data "$FIX/onnx/reg_helper_x.csv" --rows 0 --method ig | sed -n 1p | sed 's/ = .*\[/ = V   [/'
run explain --model "$FIX/onnx/reg_helper.onnx" --data "$FIX/onnx/reg_helper_x.csv" --rows 0 --method ig --quadrature exact
run explain --model "$FIX/onnx/digits_cnn.onnx" --data "$DATA/digits.csv" --target digit --rows 0 --method ig --quadrature exact
