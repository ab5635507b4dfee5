# LIME on a model that answers the same probabilities for every row: every weight is 0
# (not +-1e-26 drawn as full bars), the explanation says the model does not react, and
# the reason codes give none
. "$CASES/lib.sh"
bc_model
cat >const.awk <<'AWK'
BEGIN { FS = "," }
NR == 1 { next }
$0 == "" { fflush(); next }
{ print "0.3,0.7" }
AWK
M="awk -W interactive -f const.awk"
"$LIMN" explain --model-cmd "$M" --data te.csv --target diagnosis --method lime --rows 0 --background tr.csv \
  --top 3 | sed -n '3,7p;10,11p'
"$LIMN" explain --model-cmd "$M" --data te.csv --target diagnosis --method lime --rows 0,1 --background tr.csv \
  --format jsonl | grep -o '"weight":[^,}]*' | sort | uniq -c | sed 's/^ *//'
# the report says the same, and a weight of 0 gets no colour (it has no direction)
# (ten rows, no map, no SHAP summary: 50 rows of KernelSHAP through awk take minutes)
head -11 te.csv >te10.csv
"$LIMN" report --model-cmd "$M" --data te10.csv --target diagnosis --background tr.csv --background-size 10 \
  --summary-max 0 --map none --rows 0 --out r.html 2>/dev/null
grep -o '<li>None: the model does not react[^<]*' r.html
grep -c 'class="num up">+0<' r.html || true
