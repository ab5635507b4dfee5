#!/bin/sh
# The demo reports as a person sees them: each opened in headless Chromium, which
# must log no console message and make no network request; the DOM must hold the
# sections and the highlighted rows; the screenshot must not be blank. A control
# page with a script error and a remote image proves the checks can fail.
# Usage: run.sh LIMN PNG_CHECK OUT_DIR   (screenshots are kept in OUT_DIR/<dataset>/)
LIMN=$1
PNG_CHECK=$2
OUT=$3
. "$(dirname "$0")/../lib.sh"

CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$CHROME" ]; then
  echo "FAIL: chromium is not installed (scripts/setup installs it)" >&2
  exit 1
fi
mkdir -p "$OUT" || exit 1
OUT=$(cd "$OUT" && pwd)

# chrome KIND PAGE ARGS...: a fresh profile each time; stderr holds the console log
chrome() {
  page=$1; shift
  rm -rf "$T/profile"
  timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
    --user-data-dir="$T/profile" --enable-logging=stderr --v=0 --log-net-log="$T/net.json" "$@" \
    "file://$page" 2>"$T/log"
}
# page_requests: network requests made on behalf of the page (Chromium's own are
# not the page's: their site is not file://)
page_requests() { grep -c 'site=file://' "$T/net.json"; }

# control: these checks catch a console error and a request
mkdir -p "$T/control"
printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>c</title></head><body><img src="http://192.0.2.1/x.png"><script>console.error("boom")</script></body></html>\n' >"$T/control/c.html"
chrome "$T/control/c.html" --dump-dom >/dev/null
grep -q 'CONSOLE.*"boom"' "$T/log" && ok || bad "control: the console error was not seen"
[ "$(page_requests)" -gt 0 ] && ok || bad "control: the page's request was not seen"

for ds in breast-cancer credit digits; do
  dir=$OUT/$ds
  if ! "$LIMN" demo --dataset "$ds" --out "$dir" >"$T/demo.txt" 2>"$T/demo.err"; then
    bad "$ds: limn demo failed"; cat "$T/demo.err" >&2; continue
  fi
  rows=$(sed -n 's/^  row \([0-9]*\): .*/\1/p' "$T/demo.txt")
  chrome "$dir/report.html" --dump-dom >"$T/dom.html"
  [ -s "$T/dom.html" ] && ok || bad "$ds: chromium gave no DOM"
  if grep -q "CONSOLE" "$T/log"; then bad "$ds: console messages:"; grep "CONSOLE" "$T/log" >&2; else ok; fi
  [ "$(page_requests)" -eq 0 ] && ok || bad "$ds: the page made network requests"
  for id in summary map provenance; do
    grep -q "id=\"$id\"" "$T/dom.html" && ok || bad "$ds: no #$id in the DOM"
  done
  for r in $rows; do
    grep -q "<section class=\"row\" id=\"row-$r\"" "$T/dom.html" && grep -q "<g class=\"hl\" id=\"map-row-$r\"" "$T/dom.html" &&
      ok || bad "$ds: row $r is not in the DOM with its highlight"
  done
  grep -q "<h3>Integrated Gradients</h3>" "$T/dom.html" && grep -q "<h3>LIME</h3>" "$T/dom.html" && ok || bad "$ds: no LIME or IG"
  chrome "$dir/report.html" --hide-scrollbars --window-size=1200,2400 --screenshot="$dir/screenshot.png" >/dev/null
  "$PNG_CHECK" "$dir/screenshot.png" && ok || bad "$ds: the screenshot looks blank"
  # a phone's width: still a page, no console complaints
  chrome "$dir/report.html" --hide-scrollbars --window-size=390,1600 --screenshot="$dir/screenshot-phone.png" >/dev/null
  "$PNG_CHECK" "$dir/screenshot-phone.png" && ! grep -q CONSOLE "$T/log" && ok || bad "$ds: the phone-width screenshot"
done

finish browser
