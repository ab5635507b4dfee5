# Shapley values: efficiency in every estimator (base value + sum = the output), the
# same on 1 and 2 threads and for a row alone, the JSON keys, the errors
. "$CASES/lib.sh"
bc_model
S="--model bc.limn --data te.csv --method shap --background tr.csv"
"$LIMN" explain $S --rows 0 --top 2 | head -3
R=$FIX/reference/shap
S10="--model $R/mlp_bc10.limn --data $R/mlp_bc10_test.csv --target diagnosis --method shap --background $R/mlp_bc10_background.csv"
for e in exact kernel permutation sampling; do
  "$LIMN" explain $S10 --rows 0-2 --estimator $e --format jsonl >$e.jsonl
  grep -o '"delta":[^,]*' $e.jsonl | cut -d: -f2 | awk -v e=$e '{ d = $1 < 0 ? -$1 : $1; if (d > 1e-12) bad++ } END { print e ": efficiency within 1e-12 on", NR - bad, "of", NR, "rows" }'
done
grep -c '"estimator":"exact","nsamples":[0-9]*,"link":"identity","seed":0,"reliable":true,"warnings":\[\],"features":\[{"index":[0-9]*,"name":"[^"]*","std_error":0,' exact.jsonl
"$LIMN" explain $S --estimator permutation --format jsonl --threads 1 >p1
"$LIMN" explain $S --estimator permutation --format jsonl --threads 2 >p2
same p1 p2 "on 1 and 2 threads"
"$LIMN" explain $S --estimator permutation --format jsonl --rows 7 >p7
grep '^{"row":7,' p1 >p7all
same p7 p7all "row 7 alone and among all rows"
"$LIMN" explain $S --estimator sampling --nsamples 200 --format jsonl --threads 1 >s1
"$LIMN" explain $S --estimator sampling --nsamples 200 --format jsonl --threads 2 >s2
same s1 s2 "sampling on 1 and 2 threads"
grep -c '"estimator":"sampling","nsamples":200,' s1
run explain $S --rows 0 --estimator sampling --link logit
"$LIMN" explain --model bc.limn --data te.csv --method shap --baseline mean --rows 0 | sed -n 1p
"$LIMN" explain $S --rows 0 --link logit --format jsonl | grep -o '"link":"logit","seed"'
run explain --model bc.limn --data te.csv --method shap
run explain $S --estimator exact --background-size 20
run explain $S --estimator forest
run explain $S --link probit
run explain $S --estimator permutation --nsamples 20
run explain $S --output logit --link logit
# pictures: a waterfall per row (one step per shown feature, the rest as one), the
# summary beeswarm of many rows (a dot per row and feature)
"$LIMN" explain $S --rows 0 --top 5 --format svg --out w.svg
grep -c "<rect x=" w.svg
grep -o "25 other features" w.svg
# the force bar: a segment per shown feature and one for each side's others (their
# tooltips name them), f(x) and the base value marked
"$LIMN" explain $S --rows 0 --top 5 --format svg --plot force --out f.svg
grep -c "<polygon" f.svg
grep -o "<title>[0-9]* other features" f.svg
grep -o "f(x) = [0-9.]*\|base value [0-9.]*<" f.svg | cut -c1-10
run explain $S --rows 0 --format svg --plot pie
"$LIMN" explain $S --rows 0-19 --top 4 --global --format svg --out s.svg
grep -c "<circle" s.svg
tail -1 s.svg
# any model: a black-box command (one varying input matters) and bad backgrounds
printf 'a,b\n1,2\n' >otherbg.csv
run explain --model bc.limn --data te.csv --method shap --background otherbg.csv --rows 0
awk_model m.awk
"$LIMN" explain --method shap --model-cmd "awk -W interactive -f m.awk" --data te.csv --target diagnosis \
  --background tr.csv --background-size 5 --estimator permutation --nsamples 610 --rows 0 --top 1 | sed -n 4p | grep -o "mean radius"
# --groups: columns that play together (here the mean, error and worst columns: three
# players, so exact); their values add up; a group's columns named joined
head -1 te.csv | tr ',' '\n' | grep -v diagnosis | awk 'BEGIN { print "column,group" }
  { g = ($0 ~ /^mean /) ? "mean" : ($0 ~ / error$/) ? "error" : "worst"; print "\"" $0 "\"," g }' >groups.csv
"$LIMN" explain $S --rows 0 --groups groups.csv --format jsonl >g.jsonl
grep -o '"estimator":"exact","nsamples":8,' g.jsonl
grep -o '"columns":\[[0-9,]*\]' g.jsonl | sort
grep -o '"delta":[^,]*' g.jsonl | awk -F: '{ d = $2 < 0 ? -$2 : $2; print (d < 1e-12 ? "efficient" : "NOT efficient") }'
printf 'column,group\nnope,a\n' >g2.csv
run explain $S --rows 0 --groups g2.csv
printf 'column,group\nmean radius,a\nmean radius,b\n' >g3.csv
run explain $S --rows 0 --groups g3.csv
# the dependence plot of one column over the rows
"$LIMN" explain $S --estimator permutation --nsamples 610 --class benign --dependence "worst concave points" \
  --format svg --out dep.svg
grep -c "<circle" dep.svg
grep -o "colour: [^<]*" dep.svg | cut -c1-8
run explain $S --rows 0 --dependence "worst concave points"
run explain $S --rows 0 --dependence nope --format svg
