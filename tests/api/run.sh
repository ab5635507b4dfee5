#!/bin/sh
# The public API's conventions that a compiler does not check (docs/design.md, "API
# conventions"): every exported function (LIMN_API) has a contract comment above it
# or above the group of declarations it belongs to, and every function name carries
# a module prefix. Usage: run.sh SOURCE_DIR
SRC=$1
pass=0
fail=0
for h in "$SRC"/include/limn/*.h; do
  out=$(awk '
    /^LIMN_API/ {
      if (!(group || comment)) print FILENAME ":" FNR ": no contract comment: " $0
      group = 1; comment = 0; next
    }
    /^[ \t]/ && !/^[ \t]*\/?\*/ { next }          # continuation of a declaration
    { group = 0; comment = ($0 ~ /\*\/[ \t]*$/) }
  ' "$h")
  if [ -n "$out" ]; then echo "$out" >&2; fail=$((fail + 1)); else pass=$((pass + 1)); fi
done
# module prefixes: limn_<module>_..., where the modules are the headers' and the
# documented few (version, status, sink, write, format, free, have, reason, pca, read,
# stream)
bad=$(grep -ho "LIMN_API [^(]*(" "$SRC"/include/limn/*.h | grep -o "limn_[a-z0-9_]*($" | tr -d '(' |
  grep -Ev '^limn_(ctx|rng|status|version|free|have|format|sink|write|schema|dataset|stream|read|stats|discretizer|model|mlp|activation|metrics|explain|explanations|method|quadrature|smooth|grad|lime|selection|quality|tsne|pca|render|reason|manifest|report|sha256|shap|link|image|text|texts|vocab|tokens)_|^limn_(version|have_blas|have_onnx|free|pca|sha256)$')
if [ -n "$bad" ]; then echo "no module prefix: $bad" >&2; fail=$((fail + 1)); else pass=$((pass + 1)); fi
echo "api: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
