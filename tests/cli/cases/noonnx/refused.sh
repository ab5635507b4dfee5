. "$CASES/lib.sh"
cp "$FIX/onnx/bc_torch_op13.onnx" bc.onnx
run info --model bc.onnx
