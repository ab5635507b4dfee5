# the digits demo draws two heat maps per row (LIME's weights and IG's attributions);
# the default demo is breast cancer
"$LIMN" demo --dataset digits --out digits | grep -c "^  report: digits/report.html$"
grep -c 'aria-labelledby="hm-' digits/report.html
"$LIMN" demo --out bc | head -1
grep -c "<title>limn demo: breast cancer diagnosis</title>" bc/report.html
