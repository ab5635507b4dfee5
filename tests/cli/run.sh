#!/bin/sh
# CLI tests of properties that take several steps: determinism across threads and
# batches, accuracy, agreement with scikit-learn and exact IG, one model identity.
# Messages, exit codes and output shapes are the cases of cases.sh (one directory
# each, nothing shared). Usage: run.sh LIMN SOURCE_DIR
LIMN=$1
SRC=$2
. "$(dirname "$0")/../lib.sh"

D=$SRC/data
F=$SRC/tests/fixtures

# split, train, evaluate, predict on the bundled breast cancer data
expect 0 "569 rows" -- "$LIMN" split --data "$D/breast_cancer.csv" --stratify diagnosis --seed 0 --train "$T/tr.csv" --test "$T/te.csv"
[ "$(wc -l <"$T/te.csv")" -eq 143 ] && ok || bad "test file should have 142 rows + header"
[ "$(head -1 "$T/tr.csv")" = "$(head -1 "$D/breast_cancer.csv")" ] && ok || bad "split changed the header"
tail -n +2 "$T/tr.csv" >"$T/rows"; tail -n +2 "$T/te.csv" >>"$T/rows"
tail -n +2 "$D/breast_cancer.csv" | sort >"$T/orig"
sort "$T/rows" | cmp -s - "$T/orig" && ok || bad "train + test rows are not the original rows"
expect 0 "epochs" -- "$LIMN" train --data "$T/tr.csv" --target diagnosis --out "$T/bc.limn" --threads 1
expect 0 "accuracy:" -- "$LIMN" evaluate --model "$T/bc.limn" --data "$T/te.csv"
acc=$(sed -n 's/^accuracy: *//p' "$T/out")
awk -v a="$acc" 'BEGIN { exit !(a >= 0.95) }' && ok || bad "breast cancer accuracy $acc < 0.95"
expect 0 '"task":"classification"' -- "$LIMN" evaluate --model "$T/bc.limn" --data "$T/te.csv" --format json
expect 0 "malignant,benign" -- "$LIMN" predict --model "$T/bc.limn" --data "$T/te.csv"
[ "$(wc -l <"$T/out")" -eq 143 ] && ok || bad "predict should print a header and 142 rows"
"$LIMN" train --data "$T/tr.csv" --target diagnosis --out "$T/bc2.limn" --threads 2 2>/dev/null
cmp -s "$T/bc.limn" "$T/bc2.limn" && ok || bad "training differs between 1 and 2 threads"
expect 0 '"outputs":{"malignant":' -- "$LIMN" predict --model "$T/bc.limn" --data "$T/te.csv" --format jsonl
expect 0 "" -- "$LIMN" predict --model "$T/bc.limn" --data "$T/te.csv" --format json --out "$T/p.json"
# one model identity: the SHA-256 of the model file, in info, predictions and explanations
sha=$(sha256sum "$T/bc.limn" | cut -c1-64)
grep -q "^{\"model_sha256\":\"$sha\"," "$T/p.json" && ok || bad "json predictions lack the model's SHA-256"
"$LIMN" info --model "$T/bc.limn" | grep -qx "sha256:      $sha" && ok || bad "info: the model's SHA-256"
"$LIMN" info --model "$T/bc.limn" --format json | grep -q "\"sha256\":\"$sha\"}\$" && ok || bad "info json: the model's SHA-256"
"$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --rows 0 --format jsonl 2>/dev/null | grep -q "\"model_sha256\":\"$sha\"" && ok || bad "explain: the model's SHA-256"
ls "$T" | grep -q '\.tmp\.' && bad "a temporary file was left" || ok
expect 0 "layers:      30 -> 64 -> 32 -> 1 (hidden relu, output logistic)" -- "$LIMN" info --model "$T/bc.limn"
expect 0 '"layers":[{"in":30,"out":64,"W":[[' -- "$LIMN" info --model "$T/bc.limn" --format json

# explain: every method, formats, determinism, errors
expect 0 "[default: gradient]" -- "$LIMN" explain --help
for m in gradient saliency gradxinput ig smoothgrad; do
  expect 0 "row 3 (line 5)" -- "$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --rows 3 --method $m
done
expect 0 "completeness gap" -- "$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --rows 0-2 --method ig
"$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --method ig --quadrature exact --baseline mean --format jsonl >"$T/ex.jsonl" 2>"$T/err" && ok || bad "exact IG jsonl"
[ "$(wc -l <"$T/ex.jsonl")" -eq 142 ] && ok || bad "one JSON line per row"
grep -o '"delta":[^,]*' "$T/ex.jsonl" | cut -d: -f2 | awk '{ d = $1 < 0 ? -$1 : $1; if (d > 1e-9) bad++ } END { exit bad > 0 || NR != 142 }' && ok || bad "exact IG gaps above 1e-9"
grep -q '"manifest":{"limn_version":"' "$T/ex.jsonl" && grep -q '"model_sha256":"' "$T/ex.jsonl" && ok || bad "manifest missing"
"$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --method smoothgrad --format jsonl --threads 1 >"$T/sg1" 2>/dev/null
"$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --method smoothgrad --format jsonl --threads 2 >"$T/sg2" 2>/dev/null
cmp -s "$T/sg1" "$T/sg2" && ok || bad "SmoothGrad differs between 1 and 2 threads"
"$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --method smoothgrad --format jsonl --rows 7 >"$T/sg7" 2>/dev/null
grep '^{"row":7,' "$T/sg1" | cmp -s - "$T/sg7" && ok || bad "row 7 alone differs from row 7 among all rows"
expect 0 "row,method,class,class_name,model_output,feature_index,feature,label,value,weight" -- "$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --rows 0 --format csv
[ "$(wc -l <"$T/out")" -eq 31 ] && ok || bad "csv: a header and 30 feature lines"
expect 0 "" -- "$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --rows 0,1 --method ig --format svg --out "$T/e.svg"
head -c 4 "$T/e.svg" | grep -q "<svg" && tail -1 "$T/e.svg" | grep -q "</svg>" && ok || bad "svg document"
expect 0 "infidelity" -- "$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --rows 0 --method ig --metrics
expect 0 "logit(benign)" -- "$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --rows 0 --class benign --output logit
expect 0 "P(benign)" -- "$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --rows 0-9 --class true
expect 0 "baseline row:5" -- "$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --rows 1 --method ig --baseline row:5
"$LIMN" split --data "$D/digits.csv" --stratify digit --train "$T/dtr.csv" --test "$T/dte.csv" 2>/dev/null
"$LIMN" train --data "$T/dtr.csv" --target digit --out "$T/dg.limn" --epochs 3 2>/dev/null
"$LIMN" explain --model "$T/dg.limn" --data "$T/dte.csv" --rows 0 --method ig --format svg >"$T/dg.svg" 2>/dev/null
[ "$(grep -c '<rect' "$T/dg.svg")" -eq 129 ] && ok || bad "digits svg: background and two 8x8 maps"

# LIME: the model's own statistics, formats, determinism, top-k, pick, global, errors
expect 0 "surrogate: intercept" -- "$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --rows 0 --method lime
grep -Eq "(<=|>) " "$T/out" && ok || bad "LIME labels name bins"
"$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --rows 0-19 --method lime --format jsonl --threads 1 >"$T/l1" 2>/dev/null
"$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --rows 0-19 --method lime --format jsonl --threads 2 >"$T/l2" 2>/dev/null
cmp -s "$T/l1" "$T/l2" && ok || bad "LIME differs between 1 and 2 threads"
"$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --rows 13 --method lime --format jsonl >"$T/l13" 2>/dev/null
grep '^{"row":13,' "$T/l1" | cmp -s - "$T/l13" && ok || bad "LIME row 13 alone differs from row 13 among others"
grep -q '"intercept":' "$T/l1" && grep -q '"local_pred":' "$T/l1" && grep -q '"score":' "$T/l1" && grep -q '"num_samples":65536' "$T/l1" && grep -q '"label":"' "$T/l1" && ok || bad "LIME JSON fields"
[ "$(grep -o '"index":' "$T/l13" | wc -l)" -eq 10 ] && ok || bad "LIME reports num_features features"
"$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --rows 0 --method lime --compat lime --format jsonl >"$T/lc" 2>/dev/null
grep -q '"num_samples":5000,' "$T/lc" && ok || bad "LIME --compat lime: lime's 5000 samples by default"
"$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --rows 0 --method lime --num-samples auto --format jsonl >"$T/la" 2>/dev/null
grep '^{"row":0,' "$T/l1" | cmp -s - "$T/la" && ok || bad "LIME --num-samples auto is the default"
expect 0 "stability: mean top-5 Jaccard" -- "$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --rows 0-2 --method lime --stability 3 --num-samples 500
# the summary line is the mean of the rows' figures (to the printed rounding)
"$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --rows 0-2 --method lime --stability 3 --num-samples 500 >"$T/stab" 2>/dev/null
awk '/^  stability: /{s+=$NF; n++} /^stability over the 3 rows/{m=$NF} END{d=s/n-m; exit !(n==3 && m!="" && d<0.0015 && d>-0.0015)}' "$T/stab" && ok || bad "LIME stability summary over the rows"
expect 0 "global importance over 142 rows" -- "$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --method lime --global --num-samples 300
"$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --rows 0-9 --method lime --pick 3 --format jsonl --num-samples 300 >"$T/pick" 2>/dev/null
[ "$(wc -l <"$T/pick")" -eq 3 ] && ok || bad "SP-LIME picks 3 explanations"
"$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --rows 0 --method lime --class top:2 --format jsonl --num-samples 300 >"$T/top2" 2>/dev/null
[ "$(wc -l <"$T/top2")" -eq 2 ] && grep -q '"class":0' "$T/top2" && grep -q '"class":1' "$T/top2" && ok || bad "top:2 explains two classes"
expect 0 "label" -- "$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --rows 0 --method lime --compat lime --discretizer decile --feature-selection lasso_path --format csv
expect 0 "surrogate" -- "$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --rows 0 --method lime --discretizer entropy --background "$T/tr.csv"
expect 0 "surrogate" -- "$LIMN" explain --model "$T/bc.limn" --data "$T/te.csv" --rows 0 --method lime --discretizer none --sample-around-instance --feature-selection forward_selection --num-features 4

# a black-box model command (awk): LIME and finite-difference gradients, and its failures
cat >"$T/m.awk" <<'AWK'
BEGIN { FS = "," }
NR == 1 { next }
$0 == "" { fflush(); next }
{ p = 1 / (1 + exp(-($1 - 15))); printf "%.17g,%.17g\n", 1 - p, p }
AWK
MC="awk -W interactive -f $T/m.awk"
expect 0 "mean radius" -- "$LIMN" explain --method lime --model-cmd "$MC" --data "$T/te.csv" --target diagnosis --background "$T/tr.csv" --rows 0 --num-samples 2000 --model-timeout 20
head -4 "$T/out" | grep -q "mean radius" && ok || bad "the command model's one feature leads LIME's explanation"
expect 0 "central finite differences" -- "$LIMN" explain --method gradient --model-cmd "$MC" --data "$T/te.csv" --target diagnosis --rows 0 --model-timeout 20

# embed: t-SNE maps of columns and of a model's outputs
expect 0 "KL" -- "$LIMN" embed --data "$D/iris.csv" --target species --out "$T/iris_map.csv" --svg "$T/iris_map.svg" --highlight 3
[ "$(head -1 "$T/iris_map.csv")" = "row,x,y,label" ] && [ "$(wc -l <"$T/iris_map.csv")" -eq 151 ] && ok || bad "embed CSV"
grep -q '"kl":' "$T/iris_map.csv.json" && grep -q '"knn10_accuracy":0\.' "$T/iris_map.csv.json" && grep -q '"perplexity":"30"' "$T/iris_map.csv.json" && ok || bad "embed JSON sidecar"
tail -1 "$T/iris_map.svg" | grep -q "</svg>" && grep -q "row 3" "$T/iris_map.svg" && ok || bad "embed SVG"
"$LIMN" embed --data "$D/iris.csv" --target species --out "$T/m1.csv" --threads 1 2>/dev/null
"$LIMN" embed --data "$D/iris.csv" --target species --out "$T/m2.csv" --threads 2 2>/dev/null
cmp -s "$T/m1.csv" "$T/m2.csv" && ok || bad "embed differs between 1 and 2 threads"
"$LIMN" embed --data "$D/iris.csv" --target species --method fft --out "$T/f1.csv" --threads 1 2>/dev/null
"$LIMN" embed --data "$D/iris.csv" --target species --method fft --out "$T/f2.csv" --threads 2 2>/dev/null
cmp -s "$T/f1.csv" "$T/f2.csv" && grep -q '"method":"fft"' "$T/f1.csv.json" && ok || bad "embed --method fft (or it differs between 1 and 2 threads)"
expect 0 "2 dimensions" -- "$LIMN" embed --data "$D/iris.csv" --target species --pca 2 --out "$T/p1.csv" --threads 1
"$LIMN" embed --data "$D/iris.csv" --target species --pca 2 --out "$T/p2.csv" --threads 2 2>/dev/null
cmp -s "$T/p1.csv" "$T/p2.csv" && grep -q '"pca":"2"' "$T/p1.csv.json" && ok || bad "embed --pca"
# transform: new rows placed into a saved map, alone or in a batch, the map unmoved
awk 'NR == 1 || (NR - 1) % 5' "$D/iris.csv" >"$T/iris_ref.csv"
awk 'NR == 1 || (NR - 1) % 5 == 0' "$D/iris.csv" >"$T/iris_new.csv"
{ head -3 "$T/iris_new.csv"; tail -1 "$T/iris_new.csv"; } >"$T/iris_new3.csv"
expect 0 "120 rows" -- "$LIMN" embed --data "$T/iris_ref.csv" --target species --standardize --pca 3 --out "$T/iref.csv"
cp "$T/iref.csv.ref" "$T/iref_before.ref"
expect 0 "30 rows, 3 dimensions" -- "$LIMN" embed --transform "$T/iref.csv" --data "$T/iris_new.csv" --target species --out "$T/inew.csv" --svg "$T/inew.svg"
"$LIMN" embed --transform "$T/iref.csv" --data "$T/iris_new3.csv" --target species --out "$T/inew3.csv" --threads 1 2>/dev/null
[ "$({ sed -n 2,3p "$T/inew.csv"; tail -1 "$T/inew.csv"; } | cut -d, -f2-)" = "$(tail -3 "$T/inew3.csv" | cut -d, -f2-)" ] && cmp -s "$T/iref.csv.ref" "$T/iref_before.ref" && ok || bad "transform: a row lands alone where it lands in a batch"
grep -q '"transform_of":' "$T/inew.csv.json" && grep -q '"standardize":true' "$T/inew.csv.json" && tail -1 "$T/inew.svg" | grep -q "</svg>" && ok || bad "transform outputs"
expect 0 "2 dimensions" -- "$LIMN" embed --data "$T/te.csv" --model "$T/bc.limn" --space output --out "$T/bc_map.csv"
head -1 "$T/bc_map.csv" | grep -q "row,x,y,label,predicted,probability" && ok || bad "embed with a model reports predictions"
expect 0 "32 dimensions" -- "$LIMN" embed --data "$T/te.csv" --model "$T/bc.limn" --space hidden:2 --out "$T/bc_h.csv"
expect 0 "30 dimensions" -- "$LIMN" embed --data "$T/te.csv" --model "$T/bc.limn" --space attribution:ig --out "$T/bc_a.csv"

# German credit from Weka's ARFF as it is; 13 categorical columns
expect 0 "epochs" -- "$LIMN" train --data "$D/credit-g.arff" --target class --out "$T/c.limn" --epochs 3
expect 0 "20 (7 numeric, standardised; 13 categorical, one-hot) -> 63 inputs" -- "$LIMN" info --model "$T/c.limn"
# regression
expect 0 "epochs" -- "$LIMN" train --data "$D/diabetes.csv" --target progression --out "$T/d.limn" --epochs 5
expect 0 "rmse:" -- "$LIMN" evaluate --model "$T/d.limn" --data "$D/diabetes.csv"
expect 0 "progression" -- "$LIMN" predict --model "$T/d.limn" --data "$D/diabetes.csv"

# scikit-learn export predicts as scikit-learn does (1e-6)
"$LIMN" predict --model "$F/sklearn_bc.limn" --data "$F/breast_cancer_test.csv" >"$T/sk.csv" 2>"$T/err" && ok || bad "predict sklearn_bc"
tail -n +2 "$T/sk.csv" | tr ',' '\n' >"$T/ours"
sed -n 2p "$F/sklearn_bc_proba.txt" | tr ' ' '\n' >"$T/theirs"
paste "$T/ours" "$T/theirs" | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 1e-6) bad++ } END { exit bad > 0 || NR != 286 }' && ok || bad "scikit-learn probabilities differ"

if "$LIMN" --version | grep -q "ONNX: no"; then
  # built with LIMN_WITH_ONNX=OFF: an ONNX file is told and refused by name
  expect 1 "an ONNX model, and this liblimn was built without ONNX" -- "$LIMN" info --model "$F/onnx/bc_torch_op13.onnx"
else
  # ONNX models, told from limn's by their content; columns from the data, labels by --target
  O=$F/onnx/bc_torch_op13.onnx
  expect 0 "graph:       opset 13" -- "$LIMN" info --model "$O" --data "$D/breast_cancer.csv" --target diagnosis
  expect 0 "output:      a value" -- "$LIMN" info --model "$F/onnx/reg_helper.onnx"
  grep -qx "sha256:      $(sha256sum "$F/onnx/reg_helper.onnx" | cut -c1-64)" "$T/out" && ok || bad "info: an ONNX model's SHA-256"
  expect 0 "malignant,benign" -- "$LIMN" predict --model "$O" --data "$D/breast_cancer.csv" --target diagnosis
  [ "$(wc -l <"$T/out")" -eq 570 ] && ok || bad "ONNX predict: header and 569 rows"
  expect 0 "accuracy:" -- "$LIMN" evaluate --model "$O" --data "$D/breast_cancer.csv" --target diagnosis
  acc=$(sed -n 's/^accuracy: *//p' "$T/out")
  awk -v a="$acc" 'BEGIN { exit !(a >= 0.95) }' && ok || bad "ONNX accuracy $acc < 0.95"
  expect 0 "completeness gap" -- "$LIMN" explain --model "$O" --data "$D/breast_cancer.csv" --target diagnosis --rows 0 --method ig
  expect 0 "score (weighted R^2)" -- "$LIMN" explain --model "$O" --data "$D/breast_cancer.csv" --target diagnosis --rows 0 --method lime --background "$D/breast_cancer.csv"
  expect 0 "2 dimensions" -- "$LIMN" embed --model "$O" --data "$D/breast_cancer.csv" --target diagnosis --space output --out "$T/onnx_map.csv"
  expect 0 "2 rows" -- "$LIMN" report --model "$O" --data "$D/breast_cancer.csv" --target diagnosis --rows 0,5 --background "$D/breast_cancer.csv" --out "$T/onnx.html"
  expect 0 "" -- "$LIMN" explain --model "$F/onnx/digits_cnn.onnx" --data "$D/digits.csv" --target digit --rows 0 --method ig --format svg --out "$T/cnn.svg"
  [ "$(grep -c '<rect' "$T/cnn.svg")" -ge 128 ] && ok || bad "the CNN's IG heat map (an 8x8 image and its attribution)"
  C=$F/onnx/credit_torch.onnx
  expect 0 "checking_status = " -- "$LIMN" explain --model "$C" --data "$D/credit-g.arff" --target class --rows 0 --method lime --background "$D/credit-g.arff" --top 20
  expect 0 "completeness gap" -- "$LIMN" explain --model "$C" --data "$D/credit-g.arff" --target class --rows 0 --method ig --steps 300
  expect 0 "accuracy:" -- "$LIMN" evaluate --model "$C" --data "$D/credit-g.arff" --target class

fi

finish cli
