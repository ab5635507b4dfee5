# Readers fail fast and in bounded memory on streams that never end or are not what
# they claim (checked in the first block: magic bytes, NUL bytes), and at the size
# limit (LIMN_MAX_DATA / LIMN_MAX_MODEL) on endless text; duplicate-name checks are
# linear (a quadratic one would take minutes on these headers: the timeout is a guard
# against a hang, not a measurement)
. "$CASES/lib.sh"
"$LIMN" train --data "$DATA/iris.csv" --target species --out iris.limn --epochs 2 --threads 1 2>/dev/null
T="timeout 120"
$T "$LIMN" predict --model iris.limn --data /dev/zero
echo "exit $?"
$T "$LIMN" predict --model /dev/urandom --data "$DATA/iris.csv"
echo "exit $?"
$T "$LIMN" info --model /dev/zero
echo "exit $?"
head -c 1000000 /dev/urandom | tr -d '\000' >noise.csv
$T "$LIMN" train --data noise.csv --target x --out n.limn 2>&1 | sed 's/noise.csv.*/noise.csv: .../'
# a stream holds one block: a record that never ends stops at the limit
yes | tr -d '\n' | LIMN_MAX_DATA=4M $T "$LIMN" predict --model iris.limn --data /dev/stdin
echo "exit $?"
yes 'a,b' | LIMN_MAX_DATA=1K $T "$LIMN" train --data /dev/stdin --target b --out y.limn
echo "exit $?"
LIMN_MAX_MODEL=1K $T "$LIMN" info --model iris.limn
echo "exit $?"
LIMN_MAX_DATA=12x $T "$LIMN" info --model iris.limn
echo "exit $?"
[ -e n.limn ] || [ -e y.limn ] && echo "a model was written"
# 40 000 ARFF attributes, the last a repeat of the sixth; 100 000 CSV columns, the last
# a repeat of the second
awk 'BEGIN { print "@relation r"; for (i = 0; i < 40000; i++) print "@attribute a" i " numeric";
  print "@attribute a5 numeric"; print "@data"; for (i = 0; i < 40000; i++) printf "1,"; print "1"; }' >wide.arff
$T "$LIMN" train --data wide.arff --target a0 --out w.limn
echo "exit $?"
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "c%d,", i; print "c1";
  for (i = 0; i < 100000; i++) printf "1,"; print "1"; }' >wide.csv
$T "$LIMN" train --data wide.csv --target c0 --out w.limn
echo "exit $?"
printf '@relation r\n@attribute x numeric\n@attribute class {good,bad,good}\n@data\n1,good\n' >dup.arff
run train --data dup.arff --target class --out w.limn
