# names that carry terminal escape sequences (ESC [ 31 m, a C1 CSI, OSC ... BEL) are
# shown escaped in text output (info, explain) and in errors, so a data file cannot
# recolour, clear or retitle the terminal of the person reading limn's output
. "$CASES/lib.sh"
printf 'a,"\033[31mred\033[0m",\302\233c,label\n' >h.csv
awk 'BEGIN { for (i = 0; i < 60; i++) printf "%.3f,%.3f,%s,%s\n", (i * 7 % 60) / 60, (i * 11 % 60) / 60,
  (i % 2 ? "x" : "y\033]0;t\007"), (i % 3 ? "p" : "q\033[2J") }' >>h.csv
"$LIMN" train --data h.csv --target label --out h.limn --epochs 3 --threads 1 2>/dev/null
"$LIMN" info --model h.limn | sed -n '5,8p' | sed 's/mean .*/.../'
"$LIMN" explain --model h.limn --data h.csv --rows 0 --method ig >ex.txt
grep -c "$(printf '\033')" ex.txt
grep -F -c '\x1b[31mred\x1b[0m' ex.txt
grep -F -c 'y\x1b]0;t\x07' ex.txt
cut -d, -f1,3,4 h.csv >h2.csv
run predict --model h.limn --data h2.csv 2>&1
