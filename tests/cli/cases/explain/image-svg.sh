# an image-shaped row (8x8 digits) is drawn as two heat maps, the input and its
# attribution (2 x 64 cells after the background), and the attribution's colour scale
# (21 steps and a frame) with its ends and middle labelled
"$LIMN" split --data "$DATA/digits.csv" --stratify digit --train dtr.csv --test dte.csv 2>/dev/null
"$LIMN" train --data dtr.csv --target digit --out dg.limn --epochs 3 2>/dev/null
"$LIMN" explain --model dg.limn --data dte.csv --rows 0 --method ig --format svg >dg.svg
grep -o '<rect' dg.svg | wc -l | tr -d ' '
grep -c '>0</text>' dg.svg
grep -o 'attribution per pixel' dg.svg
