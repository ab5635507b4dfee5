#!/bin/sh
# limn report, limn demo and reason codes: structure, determinism, consistency
# with `limn explain`, bad input. Usage: run.sh LIMN SOURCE_DIR
LIMN=$1
SRC=$2
. "$(dirname "$0")/../lib.sh"
D=$SRC/data

expect 0 "[default: report.html]" -- "$LIMN" report --help
expect 0 "[default: breast-cancer]" -- "$LIMN" demo --help

# the credit demo: three rows, reason codes against the favourable class "good"
expect 0 "report: $T/credit/report.html" -- "$LIMN" demo --dataset credit --out "$T/credit" --threads 1
H=$T/credit/report.html
rows=$(sed -n 's/^  row \([0-9]*\): .*/\1/p' "$T/out" | tr '\n' ' ')
[ "$(echo $rows | wc -w)" -eq 3 ] && ok || bad "the demo should explain 3 rows, got '$rows'"
for r in $rows; do
  grep -q "<section class=\"row\" id=\"row-$r\"" "$H" && grep -q "id=\"map-row-$r\"" "$H" && ok || bad "row $r: no section or map label"
done
for id in summary map provenance; do grep -q "id=\"$id\"" "$H" && ok || bad "no #$id"; done
grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$H" && ok || bad "no CSP"
grep -qi "<script\|<link\|<img\|@import\|url(" "$H" && bad "the page loads or runs something" || ok
[ -z "$(grep -o 'https\?://[^" <]*' "$H" | grep -v '^http://www.w3.org/2000/svg$')" ] && ok || bad "the page names a URL"
tail -1 "$H" | grep -q "</html>" && ok || bad "the page is not complete"
# the same page from `limn report`, with 2 threads (the demo's notes aside)
expect 0 "3 rows" -- "$LIMN" report --model "$T/credit/model.limn" --data "$T/credit/test.csv" --rows "$(echo $rows | tr ' ' ,)" \
  --favourable good --title "limn demo: credit decisions (German credit)" --out "$T/r2.html" --threads 2
grep -v 'class="why"\|Chosen as\|^<tr><td><a href\|<dt>Reproduce\|^<thead><tr><th scope="col">Row</th><th scope="col">Prediction' "$H" >"$T/a"
grep -v 'class="why"\|Chosen as\|^<tr><td><a href\|<dt>Reproduce\|^<thead><tr><th scope="col">Row</th><th scope="col">Prediction' "$T/r2.html" >"$T/b"
cmp -s "$T/a" "$T/b" && ok || bad "report differs from the demo's page (or between 1 and 2 threads)"
"$LIMN" report --model "$T/credit/model.limn" --data "$T/credit/test.csv" --rows 3 --out "$T/r3.html" --threads 1 2>/dev/null
"$LIMN" report --model "$T/credit/model.limn" --data "$T/credit/test.csv" --rows 3 --out "$T/r4.html" --threads 2 2>/dev/null
grep -v "<dt>Reproduce" "$T/r3.html" >"$T/a3"; grep -v "<dt>Reproduce" "$T/r4.html" | cmp -s - "$T/a3" && ok || bad "report differs between 1 and 2 threads"

# reason codes are LIME's most negative weights for the favourable class, with their sizes
second=$(echo $rows | cut -d' ' -f2)
"$LIMN" explain --method lime --model "$T/credit/model.limn" --data "$T/credit/test.csv" --rows "$second" \
  --class good --format json >"$T/lime.json" 2>/dev/null
grep -o '"name":"[^"]*","label":"[^"]*","std_error":[^,]*,"value":[^,]*,"weight":[^,}]*' "$T/lime.json" |
  sed 's/"name":"\([^"]*\)".*"weight":\(.*\)/\2 \1/' | awk '$1 < 0' | sort -g | head -4 >"$T/neg"
sed -n "/id=\"row-$second\"/,/<\/section>/p" "$H" | sed -n '/<ol class="reasons">/,/<\/ol>/p' | sed -n 's/^<li>\(.*\)<\/li>$/\1/p' >"$T/reasons"
[ "$(wc -l <"$T/reasons")" -eq "$(wc -l <"$T/neg")" ] && [ -s "$T/neg" ] && ok || bad "reason count: $(wc -l <"$T/reasons") vs $(wc -l <"$T/neg") negative weights"
i=0
while read -r w name; do
  i=$((i + 1))
  line=$(sed -n "${i}p" "$T/reasons")
  amount=$(awk -v w="$w" 'BEGIN { printf "%.2g", -w }')
  case "$line" in
    "$name is "*"(lowered the probability of good by $amount)") ok ;;
    *) bad "reason $i: '$line' is not '$name ... by $amount'" ;;
  esac
done <"$T/neg"
# the same reasons in explain's text, from the same explanation
"$LIMN" explain --method lime --model "$T/credit/model.limn" --data "$T/credit/test.csv" --rows "$second" \
  --class good --favourable good >"$T/text" 2>/dev/null
sed -n 's/^  [0-9]\. //p' "$T/text" | sed "s/'/\&#39;/g" >"$T/treasons"
sed "s/&#39;/'/g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g" "$T/reasons" >"$T/r_plain"
sed "s/&#39;/'/g" "$T/treasons" | cmp -s - "$T/r_plain" && ok || bad "explain's reasons differ from the report's"
grep -q "reasons against good (features that lowered its probability most):" "$T/text" && ok || bad "explain text reasons header"
expect 0 "reasons for bad (features that raised its probability most)" -- "$LIMN" explain --method ig --model "$T/credit/model.limn" --data "$T/credit/test.csv" --rows 0 --reasons 2 --class bad
"$LIMN" explain --method lime --model "$T/credit/model.limn" --data "$T/credit/test.csv" --rows 0 --reasons 0 >"$T/t0" 2>&1
grep -q "reasons" "$T/t0" && bad "--reasons 0 still prints reasons" || ok
expect 2 "--favourable: 'great' is not one of the model's classes" -- "$LIMN" explain --model "$T/credit/model.limn" --data "$T/credit/test.csv" --rows 0 --favourable great

# the digits demo draws heat maps; the breast-cancer demo runs with defaults
expect 0 "report:" -- "$LIMN" demo --dataset digits --out "$T/digits"
[ "$(grep -c 'aria-labelledby="hm-' "$T/digits/report.html")" -eq 3 ] && ok || bad "digits: one heat map per row"
expect 0 "test accuracy" -- "$LIMN" demo --out "$T/bc"
grep -q "limn demo: breast cancer" "$T/bc/report.html" && ok || bad "default demo is breast cancer"

# narrow data and no hidden layer (LIME's 10 features capped at 4, the map of outputs);
# regression (values, not classes)
"$LIMN" train --data "$D/iris.csv" --target species --hidden 0 --out "$T/iris.limn" --epochs 50 2>/dev/null
expect 0 "3 rows" -- "$LIMN" report --model "$T/iris.limn" --data "$D/iris.csv" --rows 0,70,140 --out "$T/iris.html"
grep -q "made from the model&#39;s class probabilities\|made from the model's class probabilities" "$T/iris.html" && ok || bad "iris: the map of outputs"
expect 0 "score (weighted R^2)" -- "$LIMN" explain --model "$T/iris.limn" --data "$D/iris.csv" --rows 0 --method lime
expect 1 "num_features must be in 1..4" -- "$LIMN" explain --model "$T/iris.limn" --data "$D/iris.csv" --rows 0 --method lime --num-features 5
"$LIMN" train --data "$D/diabetes.csv" --target progression --out "$T/dia.limn" --epochs 20 2>/dev/null
expect 0 "2 rows" -- "$LIMN" report --model "$T/dia.limn" --data "$D/diabetes.csv" --rows 0,1 --out "$T/dia.html"
grep -q "the features that raised the prediction most\|The features that raised the prediction most" "$T/dia.html" && grep -q "id=\"map-row-1\"" "$T/dia.html" && ok || bad "regression report"

# bad input: clear errors, no page left behind
M=$T/credit/model.limn
C=$T/credit/test.csv
expect 1 "" -- "$LIMN" report --model "$M" --data "$D/iris.csv" --rows 1 --out "$T/x.html"
grep -q "checking_status" "$T/err" && ok || bad "a data file without the model's columns should name one"
[ ! -e "$T/x.html" ] && ok || bad "a failed report left a page"
ls "$T" | grep -q '\.tmp' && bad "a temporary file was left" || ok
expect 0 "No map: no map was asked for" -- "$LIMN" report --model "$M" --data "$C" --rows 1 --map none --out -

finish report
