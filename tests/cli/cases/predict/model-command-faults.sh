# a model command that misbehaves is an error, never a result: answers out of step
# (two lines per row), rows that are not probabilities, a flood without a newline
# (bounded), a timeout; and the command's process group ends with limn, children too
# (the commands' own complaints on being cut off, e.g. awk's "write failure", go to
# /dev/null: they depend on timing)
. "$CASES/lib.sh"
bc_model
cmd() { printf 'BEGIN { FS = "," }\nNR == 1 { %s next }\n$0 == "" { fflush(); next }\n{ %s }\n' "$1" "$2" >"$3"; }
cmd "" 'printf "0.5,0.5\n0.5,0.5\n"' two.awk # two lines a row: refused at the batch end or before the next
cmd "" 'print "1.5,-0.5"' over.awk
cmd "" 'print "1,1"' sum2.awk
cat >child.awk <<'AWK'
BEGIN { FS = "," }
NR == 1 { system("sleep 986.5 &"); next }
$0 == "" { fflush(); next }
{ print "0.5,0.5" }
AWK
run explain --method lime --model-cmd "awk -W interactive -f two.awk 2>/dev/null" --data te.csv --target diagnosis --background tr.csv --rows 0 --num-samples 100
run predict --model-cmd "awk -W interactive -f over.awk 2>/dev/null" --data te.csv --target diagnosis
run predict --model-cmd "awk -W interactive -f sum2.awk 2>/dev/null" --data te.csv --target diagnosis
run predict --model-cmd "awk 'BEGIN { while (1) printf \"1\" }' 2>/dev/null" --data te.csv --target diagnosis
run predict --model-cmd "sleep 987.25; true" --data te.csv --target diagnosis --model-timeout 0.5
sleep 0.2
pgrep -f "sleep 987.25" >/dev/null && echo "the timed-out command is still running" || echo "the timed-out command was ended"
"$LIMN" predict --model-cmd "awk -W interactive -f child.awk" --data te.csv --target diagnosis | sed -n 2p
sleep 1.2
pgrep -f "sleep 986.5" >/dev/null && echo "its background child is still running" || echo "its background child was ended"
