# one model identity: the SHA-256 of the model file in info, predictions and explanations
. "$CASES/lib.sh"
bc_model
sha=$(sha256sum bc.limn | cut -c1-64)
"$LIMN" predict --model bc.limn --data te.csv --format json | head -1 | grep -c "^{\"model_sha256\":\"$sha\","
"$LIMN" info --model bc.limn | grep -cx "sha256:      $sha"
"$LIMN" info --model bc.limn --format json | grep -c "\"sha256\":\"$sha\"}\$"
"$LIMN" explain --model bc.limn --data te.csv --rows 0 --format jsonl | grep -c "\"model_sha256\":\"$sha\""
