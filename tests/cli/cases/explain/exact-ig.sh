# exact IG on a ReLU network: complete to rounding on every test row, with a manifest
. "$CASES/lib.sh"
bc_model
"$LIMN" explain --model bc.limn --data te.csv --method ig --quadrature exact --baseline mean --format jsonl >ex.jsonl
wc -l <ex.jsonl | tr -d ' '
grep -o '"delta":[^,]*' ex.jsonl | cut -d: -f2 | awk '{ d = $1 < 0 ? -$1 : $1; if (d > 1e-9) bad++ } END { print (bad ? "gaps above 1e-9" : "every gap within 1e-9"), NR }'
grep -c '"manifest":{"limn_version":"[^"]*","model_sha256":"' ex.jsonl
