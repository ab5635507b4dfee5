# any program as a black box: an awk model of mean radius alone; LIME puts that
# feature first; gradients fall back to central differences, and say so
. "$CASES/lib.sh"
bc_model
awk_model m.awk
"$LIMN" explain --method lime --model-cmd "awk -W interactive -f m.awk" --data te.csv --target diagnosis --background tr.csv --rows 0 --num-samples 2000 --model-timeout 20 | grep -v "^  caution: " | sed -n 4p | grep -o "mean radius"
"$LIMN" explain --method gradient --model-cmd "awk -W interactive -f m.awk" --data te.csv --target diagnosis --rows 0 --model-timeout 20 | sed -n 2p
