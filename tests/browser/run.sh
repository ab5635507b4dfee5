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

# frame PAGE WIDTH: a page that shows PAGE in a frame WIDTH px wide (Chromium's window
# cannot be narrower than 500 px) and measures it there with layout.js, writing what it
# finds into body[data-layout] for --dump-dom
frame() {
  printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>layout</title></head><body style="margin:0">'
  printf '<iframe id="f" style="width:%spx;height:4000px;border:0" srcdoc="' "$2"
  sed -e 's/&/\&amp;/g' -e 's/"/\&quot;/g' "$1"
  printf '"></iframe><script>'
  cat "$(dirname "$0")/layout.js"
  printf '</script></body></html>\n'
}
# layout PAGE WIDTH: the JSON layout.js wrote (cells, numbers, bars and what was cut off)
layout() {
  frame "$1" "$2" >"$T/frame.html"
  chrome "$T/frame.html" --window-size=1300,2000 --virtual-time-budget=5000 --dump-dom |
    grep -o 'data-layout="[^"]*"' | sed -e 's/^data-layout="//' -e 's/"$//' -e 's/&quot;/"/g'
}

# control: these checks catch a console error and a request
mkdir -p "$T/control"
printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>c</title></head><body><img src="http://192.0.2.1/x.png"><script>console.error("boom")</script></body></html>\n' >"$T/control/c.html"
chrome "$T/control/c.html" --dump-dom >/dev/null
grep -q 'CONSOLE.*"boom"' "$T/log" && ok || bad "control: the console error was not seen"
[ "$(page_requests)" -gt 0 ] && ok || bad "control: the page's request was not seen"

# control: the layout check sees a table cut off at a phone's width
printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>c</title></head><body><main><table><tr><td style="white-space:nowrap">%s</td><td class="num">1.5</td><td><span class="axis"><span class="pos" style="width:40%%;position:absolute;left:0;top:0;bottom:0;display:block"></span></span></td></tr></table></main></body></html>\n' \
  "a very long feature name that cannot wrap and pushes the number and the bar out of sight" >"$T/control/wide.html"
L=$(layout "$T/control/wide.html" 390)
case $L in *'"bad":[]'*|'') bad "control: the layout check missed a cut-off table ($L)" ;; *) ok ;; esac

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
  # at a phone's width and a desktop's, every table cell and every bar is in view
  for w in 390 1200; do
    L=$(layout "$dir/report.html" $w)
    case $L in
    *'"bad":[]'*) case $L in *'"bars":0,'*|*'"numbers":0,'*) bad "$ds at $w px: no numbers or bars measured: $L" ;; *) ok ;; esac ;;
    *) bad "$ds at $w px: cut off: $(printf '%s' "$L" | cut -c1-600)" ;;
    esac
  done
  chrome "$dir/report.html" --hide-scrollbars --window-size=390,3200 --screenshot="$dir/screenshot-phone.png" >/dev/null
  "$PNG_CHECK" "$dir/screenshot-phone.png" && ! grep -q CONSOLE "$T/log" && ok || bad "$ds: the phone-width screenshot"
done

finish browser
