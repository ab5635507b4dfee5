# a black-box model command that fails in each way
. "$CASES/lib.sh"
bc_model
printf 'BEGIN { FS = "," }\nNR == 1 { next }\n$0 == "" { fflush(); next }\n{ print 0.5 }\n' >one.awk
# LIME needs the training statistics a command lacks: a regression-like command without --target
run explain --method lime --model-cmd "awk -W interactive -f one.awk" --data te.csv --rows 0
run explain --method lime --model-cmd "awk -f /dev/null" --data te.csv --target diagnosis --rows 0
run explain --method lime --model-cmd true --data te.csv --target diagnosis --background tr.csv --rows 0 --num-samples 100
run explain --method lime --model-cmd "awk -W interactive -f one.awk" --data te.csv --target diagnosis --background tr.csv --rows 0 --num-samples 100
run explain --method lime --model-cmd "sleep 10" --data te.csv --target diagnosis --background tr.csv --rows 0 --num-samples 100 --model-timeout 0.5
