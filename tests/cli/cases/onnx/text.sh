# --texts: a transformer text classifier (data/spam) predicted and explained token by
# token: thread-count independence, the formats, the checks in the outputs, and bad
# input (texts, vocabulary, options). (Values: tests/unit/test_text.c against torch.)
. "$CASES/lib.sh"
cp -r "$DATA/spam" s
M="--model s/spam_transformer.onnx --vocab s/vocab.txt --classes ham,spam"
"$LIMN" predict $M --texts s/test.csv --label-column label >p.csv 2>warn.txt
echo "exit $?"
head -1 p.csv
awk 'END { print NR - 1 " texts" }' p.csv
# accuracy of the bundled model on its held-out texts
awk -F, 'NR > 1 { n++; if (($3 == "spam") == ($5 > $4)) ok++ } END { printf "accuracy %.3f\n", ok / n }' p.csv
tail -1 warn.txt
"$LIMN" explain $M --texts s/test.csv --rows 5 --method ig --threads 1 --format json --out a.json 2>/dev/null
"$LIMN" explain $M --texts s/test.csv --rows 5 --method ig --threads 2 --format json --out b.json 2>/dev/null
same a.json b.json "IG on 1 and 2 threads"
grep -o '"method":"ig","attribution":true,"target":"ham"' a.json
grep -o '"completeness_gap":[^,]*' a.json | head -1 | sed 's/:.*//'
grep -o '"aopc":' a.json | head -1
grep -o '"token":' a.json | wc -l
"$LIMN" explain $M --texts s/test.csv --rows 5 --method lime-text --num-samples 300 --threads 1 --format jsonl >l1 2>/dev/null
"$LIMN" explain $M --texts s/test.csv --rows 5 --method lime-text --num-samples 300 --threads 2 --format jsonl >l2 2>/dev/null
same l1 l2 "lime-text on 1 and 2 threads"
grep -o '"selected":true' l1 | sort | uniq -c | awk '{ print ($1 >= 10) ? "10 words or more selected" : "FEW" }'
"$LIMN" explain $M --texts s/test.csv --rows 5,7 --method ig --format text 2>/dev/null | grep -E "^text|NOT RELIABLE" | cut -c1-60
"$LIMN" explain $M --texts s/test.csv --rows 5 --method attention-flow --format jsonl 2>/dev/null | grep -o '"attribution":false\|"note":"[^"]*"'
"$LIMN" explain $M --texts s/test.csv --rows 5,7 --method occlusion --format html --out o.html 2>/dev/null
echo "exit $?"
grep -c "<section" o.html
grep -c "<script" o.html
"$LIMN" explain $M --texts s/test.csv --rows 5 --method saliency --format svg --out o.svg 2>/dev/null
grep -c "<rect" o.svg | awk '{ print ($1 > 30) ? "svg boxes" : "FEW" }'
# a text per line
printf 'Free money now, click here!\nthe meeting is moved to Tuesday\n' >two.txt
"$LIMN" predict $M --texts two.txt | awk -F, 'NR == 1 { print; next } { printf "%s,%s,%.4f,%.4f\n", $1, $2, $3, $4 }'
# bad input
printf 'ok\nbad \377 byte\n' >bad.txt
run predict $M --texts bad.txt
printf 'text\n"open\n' >bad.csv
run predict $M --texts bad.csv
run predict $M --texts s/test.csv --text-column body
head -3 s/vocab.txt >short.txt
run predict --model s/spam_transformer.onnx --vocab short.txt --texts two.txt
printf '[PAD]\n[UNK]\n[PAD]\n' >dup.txt
run predict --model s/spam_transformer.onnx --vocab dup.txt --texts two.txt
run explain $M --texts two.txt --method shap
run explain $M --texts two.txt --embedding nowhere
run explain --model s/spam_transformer.onnx --vocab s/vocab.txt --texts two.txt --classes a,b,c
run predict --model s/spam_transformer.onnx --data s/test.csv
run explain $M --texts two.txt --target maybe
"$LIMN" explain --texts x --help | head -3
# the report: several methods a text, and which to trust
"$LIMN" report $M --texts s/test.csv --label-column label --rows 5,7 --methods ig,occlusion,attention-flow \
  --out r.html --threads 1 2>/dev/null
echo "exit $?"
grep -c "<section" r.html
grep -o "most faithful here</span>" r.html | wc -l | awk '{ print ($1 >= 1) ? "a method marked most faithful" : "NONE MARKED" }'
grep -c "Not an attribution:</strong>" r.html
grep -c "<script" r.html
# the page names what it explains: the table of texts, and the provenance's digests are
# sha256sum's of the model, vocabulary and texts; the same bytes on 1 and 2 threads
grep -o 'href="#text-[0-9]*"' r.html | tr '\n' ' '; echo
for f in s/spam_transformer.onnx s/vocab.txt s/test.csv; do
  grep -q "$(sha256sum $f | cut -c1-64)" r.html && echo "$f: digest shown" || echo "$f: DIGEST MISSING"
done
grep -o "<dt>Reproduce</dt><dd[^>]*><code>[^<]*" r.html | sed 's/.*<code>//'
cp r.html r1.html
"$LIMN" report $M --texts s/test.csv --label-column label --rows 5,7 --methods ig,occlusion,attention-flow \
  --out r.html --threads 2 2>/dev/null
same r1.html r.html "report --texts on 1 and 2 threads"
run report $M --texts s/test.csv --methods ig,shap --out r2.html
test -e r2.html && echo "r2.html written" || echo "no r2.html"
