# Reason codes that name a protected characteristic are flagged, never dropped: the
# default list (German credit's personal_status and foreign_worker among them), a list of
# one's own, none; in JSON every reason says "protected" exactly when its column is in
# the list; the text and the report say why; an empty name is an error
"$LIMN" train --data "$DATA/credit-g.arff" --target class --out cg.limn --threads 1 2>/dev/null
E="--model cg.limn --data $DATA/credit-g.arff --rows 0-19 --method shap --baseline mean --favourable good --reasons 6"
check() { # LIST JSONFILE: every reason flagged exactly when its column is in LIST
  grep -o '"name":"[^"]*","effect":[^,]*,"text":"[^"]*","protected":[a-z]*' "$2" |
    sed 's/"name":"\([^"]*\)".*"protected":\([a-z]*\)/\1 \2/' |
    awk -v list="$1" 'BEGIN { n = split(list, l, ","); for (i = 1; i <= n; i++) p[l[i]] = 1 }
      { want = ($1 in p) ? "true" : "false"; if ($2 != want) bad++; if ($2 == "true") flagged++ }
      END { r = (NR > 0) ? "reasons " (bad ? "MISFLAGGED" : "flagged as listed") : "no reasons"
            print r, (flagged ? "(some protected)" : "(none protected)") }'
}
"$LIMN" explain $E --format jsonl >d.jsonl
check age,sex,gender,race,ethnicity,religion,national_origin,nationality,marital_status,disability,personal_status,foreign_worker d.jsonl
"$LIMN" explain $E --format jsonl --protected credit_history,purpose >o.jsonl
check credit_history,purpose o.jsonl
"$LIMN" explain $E --format jsonl --protected none >n.jsonl
check "" n.jsonl
"$LIMN" explain $E | grep -c 'personal_status .*\[a protected characteristic: not to be given as a reason; a model that relies on it needs review\]' | awk '{ print ($1 > 0) ? "text flags personal_status" : "text: no flag" }'
"$LIMN" explain $E --protected a,,b
echo "exit $?"
"$LIMN" report --model cg.limn --data "$DATA/credit-g.arff" --rows 0-5 --favourable good --reasons-from lime --out p.html 2>/dev/null
grep -c '<strong class="protected">Protected characteristic:</strong>' p.html | awk '{ print ($1 > 0) ? "the report flags them" : "the report: no flag" }'
