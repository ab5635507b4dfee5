"$LIMN" train --data "$DATA/diabetes.csv" --target progression --out d.limn --epochs 5 2>/dev/null
"$LIMN" evaluate --model d.limn --data "$DATA/diabetes.csv" | cut -d: -f1
"$LIMN" predict --model d.limn --data "$DATA/diabetes.csv" | head -1
