# an identifier column (a distinct value per row) would one-hot into an input per row
# (memory quadratic in rows): train refuses it by name and says how to leave it out;
# --ignore leaves it out, --max-categories raises the bound
awk 'BEGIN { print "id,x,y"; for (i = 0; i < 1500; i++) printf "u%d,%d,%s\n", i, i % 7, (i % 2 ? "a" : "b") }' >ids.csv
"$LIMN" train --data ids.csv --target y --out a.limn
echo "exit $?"
test -e a.limn && echo "a.limn written" || echo "no a.limn"
"$LIMN" train --data ids.csv --target y --out b.limn --ignore id --epochs 2 2>/dev/null && echo "with --ignore id: trained"
"$LIMN" train --data ids.csv --target y --out c.limn --max-categories 2000 --epochs 1 --hidden 4 2>/dev/null && echo "with --max-categories 2000: trained"
