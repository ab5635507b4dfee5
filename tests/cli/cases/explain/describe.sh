# --describe: reason codes name a column by its description and unit (the column's own
# name in brackets), from the bundled German credit file; a bad file names its line
# and field, and nothing is explained
. "$CASES/lib.sh"
"$LIMN" split --data "$DATA/credit-g.arff" --stratify class --seed 0 --train tr.csv --test te.csv 2>/dev/null
"$LIMN" train --data tr.csv --target class --out cr.limn --threads 1 2>/dev/null
"$LIMN" explain --model cr.limn --data te.csv --rows 0-19 --method ig --describe "$DATA/credit-g.describe.csv" --reasons 20 --top 0 |
  grep -o "Duration (months) \[duration\] is [0-9]*\|Credit amount (DM) \[credit_amount\] is [0-9]*" | sed 's/ is [0-9]*$/ is N/' | sort -u
"$LIMN" report --model cr.limn --data te.csv --rows 0 --describe "$DATA/credit-g.describe.csv" --out r.html --map none 2>/dev/null
grep -o 'Age (years) <span class="note">age</span>' r.html | head -1
printf 'column,description,unit\nduration,Duration,months\nduraton,Typo,\n' >typo.csv
run explain --model cr.limn --data te.csv --rows 0 --describe typo.csv
printf 'name,description\nduration,Duration\n' >nohead.csv
run explain --model cr.limn --data te.csv --rows 0 --describe nohead.csv
printf 'column,description\nduration,Duration\nduration,Again\n' >twice.csv
run explain --model cr.limn --data te.csv --rows 0 --describe twice.csv
printf 'column,description\nduration,\n' >empty.csv
run report --model cr.limn --data te.csv --rows 0 --describe empty.csv --out r2.html
test -e r2.html && echo "r2.html written" || echo "no r2.html"
