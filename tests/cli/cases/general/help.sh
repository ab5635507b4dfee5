# the command list, and --help with defaults on every command
"$LIMN" --help
for c in train split predict evaluate info explain embed report demo; do
  "$LIMN" $c --help | grep -c "\[default: " | sed "s/^[1-9][0-9]*$/$c: defaults shown/"
done
"$LIMN" train --help | grep -F -- "  --target COL" | sed 's/  */ /g'
