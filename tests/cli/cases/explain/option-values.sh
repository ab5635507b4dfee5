# option values are checked, not silently replaced: --image shapes that do not fit the
# model's features, spaces around --rows items (read alike), a reversed range
. "$CASES/lib.sh"
bc_model
for im in 3x3 abc -2x-2 0x30 5x6; do
  "$LIMN" explain --model bc.limn --data te.csv --rows 0 --image $im >/dev/null
  echo "--image $im: exit $?"
done
"$LIMN" explain --model bc.limn --data te.csv --rows "1 " --top 1 >a
"$LIMN" explain --model bc.limn --data te.csv --rows " 1" --top 1 >b
"$LIMN" explain --model bc.limn --data te.csv --rows 1 --top 1 >c
same a c "row '1 ' as row 1"
same b c "row ' 1' as row 1"
"$LIMN" explain --model bc.limn --data te.csv --rows "0 , 2 - 3" --top 1 | grep -c "^row "
run explain --model bc.limn --data te.csv --rows 5-2
