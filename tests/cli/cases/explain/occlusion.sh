# Occlusion of a tabular model: windows over runs of columns; the options in the
# header; bad windows refused (image models: onnx/occlusion-image.sh).
. "$CASES/lib.sh"
bc_model
"$LIMN" explain --model bc.limn --data te.csv --rows 0 --method occlusion --window 1x1 --stride 1x1 --fill 0 |
  sed -n 1p | sed 's/= [0-9.]*/= N/'
"$LIMN" explain --model bc.limn --data te.csv --rows 0-9 --method occlusion --format wide | awk 'END { print NR - 1 " rows" }'
run explain --model bc.limn --data te.csv --rows 0 --method occlusion --window 4
run explain --model bc.limn --data te.csv --rows 0 --method occlusion --stride 0x1
