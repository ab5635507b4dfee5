# Grad-CAM and Grad-CAM++ of an ONNX image model (the digits CNN): the method and
# layer in the header, every pixel weighed (the map upsampled), a heat map in SVG, the
# wide format; a layer the graph does not compute names its convolutions, and --layer
# is for Grad-CAM only. (Values: tests/unit/test_onnx.c against torch.)
. "$CASES/lib.sh"
O="$FIX/onnx/digits_cnn.onnx"
"$LIMN" explain --model "$O" --data "$DATA/digits.csv" --target digit --rows 0 --method gradcam --output logit \
  --top 0 | sed -n '1p;2p' | sed 's/= [0-9.]*/= N/'
"$LIMN" explain --model "$O" --data "$DATA/digits.csv" --target digit --rows 0 --method gradcam++ --output logit \
  --layer /Relu_output_0 --top 0 | sed -n 1p | sed 's/= [0-9.]*/= N/'
"$LIMN" explain --model "$O" --data "$DATA/digits.csv" --target digit --rows 0 --method gradcam --top 0 |
  awk '/^  pixel_/ { n++; if ($3 + 0 < 0) neg++ } END { print n " pixels weighed, " neg + 0 " below 0" }'
"$LIMN" explain --model "$O" --data "$DATA/digits.csv" --target digit --rows 0,1 --method gradcam --format svg \
  --out g.svg && grep -c "<svg" g.svg
"$LIMN" explain --model "$O" --data "$DATA/digits.csv" --target digit --rows 0-4 --method gradcam --format wide |
  awk -F, 'NR == 1 { print NF " columns" } END { print NR - 1 " rows" }'
run explain --model "$O" --data "$DATA/digits.csv" --target digit --rows 0 --method gradcam --layer nope
run explain --model "$O" --data "$DATA/digits.csv" --target digit --rows 0 --method ig --layer /Relu_output_0
bc_model
run explain --model bc.limn --data te.csv --rows 0 --method gradcam
