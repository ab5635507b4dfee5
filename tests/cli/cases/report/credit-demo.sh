# the credit demo: three rows, the page's structure and safety, the same page from
# `limn report` on 2 threads, and reason codes that are LIME's most negative weights,
# naming each column by its bundled description (data/credit-g.describe.csv)
# for the favourable class, the same in `limn explain`'s text
. "$CASES/lib.sh"
"$LIMN" demo --dataset credit --out credit --threads 1 >demo.out 2>/dev/null
H=credit/report.html
rows=$(sed -n 's/^  row \([0-9]*\): .*/\1/p' demo.out | tr '\n' ' ')
echo $rows | wc -w | tr -d ' '
for r in $rows; do
  if grep -q "<section class=\"row\" id=\"row-$r\"" "$H" && grep -q "id=\"map-row-$r\"" "$H"; then
    echo "a section and a map label for a row"
  else
    echo "row $r: no section or map label"
  fi
done
for id in summary map provenance; do grep -c "id=\"$id\"" "$H"; done
grep -c "Content-Security-Policy\" content=\"default-src 'none'" "$H"
grep -ci "<script\|<link\|<img\|@import\|url(" "$H" || true
grep -o 'https\?://[^" <]*' "$H" | grep -vc '^http://www.w3.org/2000/svg$' || true
tail -1 "$H"
"$LIMN" report --model credit/model.limn --data credit/test.csv --rows "$(echo $rows | tr ' ' ,)" \
  --favourable good --title "limn demo: credit decisions (German credit)" --background credit/train.csv \
  --describe "$DATA/credit-g.describe.csv" --out r2.html --threads 2 2>/dev/null
notes='^<div class="scroll"><table[^>]*--k:[0-9]*">$\|class="why"\|Chosen as\|^<tr><td><a href\|<dt>Reproduce\|<dt>LIME background\|^<thead><tr><th scope="col">Row</th><th scope="col">Prediction'
grep -v "$notes" "$H" >a
grep -v "$notes" r2.html >b
same a b "page from limn report on 2 threads as the demo's"
"$LIMN" report --model credit/model.limn --data credit/test.csv --rows 3 --out r.html --threads 1 2>/dev/null
mv r.html r3.html
"$LIMN" report --model credit/model.limn --data credit/test.csv --rows 3 --out r.html --threads 2 2>/dev/null
mv r.html r4.html
same r3.html r4.html "page on 1 and 2 threads" # byte for byte: the recorded command leaves --threads out
second=$(echo $rows | cut -d' ' -f2)
"$LIMN" explain --method lime --model credit/model.limn --data credit/test.csv --rows "$second" --class good --format json >lime.json
grep -o '"name":"[^"]*","label":"[^"]*","std_error":[^,]*,"value":[^,]*,"weight":[^,}]*' lime.json |
  sed 's/"name":"\([^"]*\)".*"weight":\(.*\)/\2 \1/' | awk '$1 < 0' | sort -g | head -4 >neg
sed -n "/id=\"row-$second\"/,/<\/section>/p" "$H" | sed -n '/<ol class="reasons">/,/<\/ol>/p' | sed -n 's/^<li>\(.*\)<\/li>$/\1/p' >reasons_flagged
# (a protected characteristic's reason carries a flag, the same in the text and the page)
sed 's/ <strong class="protected">Protected characteristic:<\/strong> not to be given as a reason for a decision; a model that relies on it needs review\.$//' reasons_flagged >reasons
holds "as many reasons as negative weights (up to 4)" test -s neg -a "$(wc -l <reasons)" -eq "$(wc -l <neg)"
i=0
while read -r w name; do
  i=$((i + 1))
  line=$(sed -n "${i}p" reasons)
  amount=$(awk -v w="$w" 'BEGIN { printf "%.2g", -w }')
  case "$line" in
    *" [$name] is "*"(lowered the probability of good by $amount)") echo "a reason names its feature and weight" ;;
    *) echo "reason $i: '$line' is not '$name ... by $amount'" ;;
  esac
done <neg | sort -u
"$LIMN" explain --method lime --model credit/model.limn --data credit/test.csv --rows "$second" --class good --favourable good --describe "$DATA/credit-g.describe.csv" >text
sed -n 's/^  [0-9]\. //p' text >treasons_flagged
sed 's/ \[a protected characteristic: not to be given as a reason; a model that relies on it needs review\]$//' treasons_flagged >treasons
[ "$(grep -c 'a protected characteristic' treasons_flagged)" = "$(grep -c 'class="protected"' reasons_flagged)" ] &&
  echo "protected reasons flagged alike in the text and the page"
sed "s/&#39;/'/g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g" reasons >r_plain
same treasons r_plain "reasons in explain's text and the report"
grep "reasons against good" text
"$LIMN" explain --method ig --model credit/model.limn --data credit/test.csv --rows 0 --reasons 2 --class bad | grep "reasons for bad"
"$LIMN" explain --method lime --model credit/model.limn --data credit/test.csv --rows 0 --reasons 0 | grep -c "reasons" || true
# SHAP: a section per row, the summary of the data's rows; reason codes from SHAP
grep -c "<h3>SHAP</h3>" "$H"
grep -c '<section id="global"' "$H"
"$LIMN" report --model credit/model.limn --data credit/test.csv --rows 3 --background credit/train.csv \
  --reasons-from shap --summary-max 0 --out r5.html 2>/dev/null
grep -o "most, from SHAP\." r5.html
grep -c '<section id="global"' r5.html || true
