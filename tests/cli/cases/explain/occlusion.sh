# Occlusion: any model; image models' windows move over their pixels, other models'
# over runs of columns; the options in the header; bad windows refused. (Values:
# tests/unit/test_onnx.c against the definition.)
. "$CASES/lib.sh"
bc_model
O="$FIX/onnx/digits_cnn.onnx"
"$LIMN" explain --model "$O" --data "$DATA/digits.csv" --target digit --rows 0 --method occlusion --window 3x3 \
  --stride 2x2 --top 0 | sed -n 1p | sed 's/= [0-9.]*/= N/'
"$LIMN" explain --model "$O" --data "$DATA/digits.csv" --target digit --rows 0 --method occlusion --window 3x3 \
  --stride 2x2 --top 0 | awk '$1 ~ /^pixel_[0-9]_7$/ { if ($3 + 0 != 0) bad++ } END { print "column 7 (no window reaches it): " (bad ? "weighed" : "0") }'
"$LIMN" explain --model bc.limn --data te.csv --rows 0 --method occlusion --window 1x1 --stride 1x1 --fill 0 |
  sed -n 1p | sed 's/= [0-9.]*/= N/'
"$LIMN" explain --model bc.limn --data te.csv --rows 0-9 --method occlusion --format wide | awk 'END { print NR - 1 " rows" }'
run explain --model bc.limn --data te.csv --rows 0 --method occlusion --window 4
run explain --model bc.limn --data te.csv --rows 0 --method occlusion --stride 0x1
