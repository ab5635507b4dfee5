# graphs with wrong shapes are refused with the cause and the node, not a generic
# "output is not a float row" (tests/fixtures/make_onnx.py, hostile_fixtures); a graph
# with 2^18 outputs loads at once and info lists a few of its classes
. "$CASES/lib.sh"
for g in big_kernel elements neg5 wide40 groups bn; do
  cp "$FIX/onnx/hostile_$g.onnx" $g.onnx
  run info --model $g.onnx
done
cp "$FIX/onnx/hostile_outputs.onnx" outputs.onnx
timeout 120 "$LIMN" info --model outputs.onnx | sed -n 2p
timeout 120 "$LIMN" info --model outputs.onnx | sed -n 5p | sed 's/classification: class 0, .* class 29, /classification: class 0 ... class 29, /'
