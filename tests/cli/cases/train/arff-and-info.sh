# German credit from Weka's ARFF as it is: 13 categorical columns one-hot inside the model
"$LIMN" train --data "$DATA/credit-g.arff" --target class --out c.limn --epochs 3 2>/dev/null
"$LIMN" info --model c.limn | sed -n 's/^\(kind\|layers\|features\|target\): */\1: /p'
