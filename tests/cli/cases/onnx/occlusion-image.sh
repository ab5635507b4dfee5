# Occlusion of an image model: the windows move over its pixels; a column no window
# reaches weighs 0. (Values: tests/unit/test_onnx.c against the definition.)
. "$CASES/lib.sh"
O="$FIX/onnx/digits_cnn.onnx"
"$LIMN" explain --model "$O" --data "$DATA/digits.csv" --target digit --rows 0 --method occlusion --window 3x3 \
  --stride 2x2 --top 0 | sed -n 1p | sed 's/= [0-9.]*/= N/'
"$LIMN" explain --model "$O" --data "$DATA/digits.csv" --target digit --rows 0 --method occlusion --window 3x3 \
  --stride 2x2 --top 0 | awk '$1 ~ /^pixel_[0-9]_7$/ { if ($3 + 0 != 0) bad++ } END { print "column 7 (no window reaches it): " (bad ? "weighed" : "0") }'
