. "$CASES/lib.sh"
cp "$FIX/onnx/bc_torch_op13.onnx" bc.onnx
cp "$FIX/onnx/bad_op.onnx" bad_op.onnx
cp "$DATA/breast_cancer.csv" bc.csv
run predict --model bc.onnx --data bc.csv
run evaluate --model bc.onnx --data bc.csv
run info --model bad_op.onnx
run predict --model bc.onnx --data bc.csv --target diagnosis --output-kind odds
