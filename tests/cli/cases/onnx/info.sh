cp "$FIX/onnx/bc_torch_op13.onnx" bc.onnx
"$LIMN" info --model bc.onnx --data "$DATA/breast_cancer.csv" --target diagnosis | grep -E "^(kind|graph|output|sha256):"
