# Helpers for the CLI cases (sourced): small inputs each case makes for itself.

# bc_model: the bundled breast-cancer data split (seed 0) into tr.csv / te.csv and
# limn's MLP trained on tr.csv into bc.limn, quietly.
bc_model() {
  "$LIMN" split --data "$DATA/breast_cancer.csv" --stratify diagnosis --seed 0 --train tr.csv --test te.csv 2>/dev/null &&
    "$LIMN" train --data tr.csv --target diagnosis --out bc.limn --threads 1 2>/dev/null
}

# run CMD...: run limn, then print its exit code, so a case can go on after a failure
run() {
  "$LIMN" "$@"
  echo "exit $?"
}

# same A B WHAT: "same WHAT" when files A and B are byte-identical, else "DIFFERENT WHAT"
same() {
  if cmp -s "$1" "$2"; then echo "same $3"; else echo "DIFFERENT $3"; fi
}

# holds WHAT CMD...: "WHAT" when the command succeeds, else "NOT: WHAT"
holds() {
  what=$1
  shift
  if "$@"; then echo "$what"; else echo "NOT: $what"; fi
}

# at_least A B: A >= B (numbers)
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

# awk_model FILE: a black-box model for --model-cmd (docs/model-command.md): P(benign) a
# logistic function of the first column (mean radius) alone
awk_model() {
  cat >"$1" <<'AWK'
BEGIN { FS = "," }
NR == 1 { next }
$0 == "" { fflush(); next }
{ p = 1 / (1 + exp(-($1 - 15))); printf "%.17g,%.17g\n", 1 - p, p }
AWK
}
