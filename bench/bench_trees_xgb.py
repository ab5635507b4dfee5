#!/usr/bin/python3
"""limn's TreeSHAP beside XGBoost's own, in one run, on the same models and rows.

Usage (from the repository root, after `make build`):
    /usr/bin/python3 bench/bench_trees_xgb.py [--big] [--reps N] [--rounds N]

1. The spec's model bench/data/xgb_bc100d6.json (breast cancer, 100 trees of depth 6) on
   the 143 bundled breast-cancer test rows, repeated to 20 000 rows for XGBoost's
   pred_contribs (as the spec's anchor figures were measured) and 569 for
   pred_interactions.
2. With --big: the spec's large model, trained here as the spec's §7 says
   (make_classification(100000, 50, n_informative=20, n_redundant=10, random_state=0),
   500 trees of depth 8, hist, 2 threads, about 10 s), saved under build/bench-trees/;
   200 rows for pred_contribs, 5 for pred_interactions.

XGBoost runs with nthread 1 and 2 (Booster.set_param); limn's figures come from
build/bench_trees on the same model file and rows. Per-row medians of --reps runs, and
the ratio XGBoost / limn (above 1: limn is faster); --rounds rounds of XGBoost then limn,
one after the other, so both see the same machine (this VM's speed drifts by 20-30 %),
with the median ratio and each round's. Needs Debian's python3-xgboost and
python3-sklearn.
"""
import argparse, csv, os, re, subprocess, sys, time

import numpy as np
import xgboost as xgb

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _bench import median_of  # noqa: E402


def read_rows(path, names):
    with open(path) as f:
        r = csv.reader(f)
        head = next(r)
        idx = [head.index(n) for n in names]
        return np.array([[float(row[j]) if row[j] != "" else np.nan for j in idx] for row in r], dtype=np.float32)


def xgb_times(model, X, contrib_rows, inter_rows, reps):
    bst = xgb.Booster(model_file=model)
    out = {}
    for nt in (1, 2):
        bst.set_param({"nthread": nt})
        Xc = np.resize(X, (contrib_rows, X.shape[1]))
        dc = xgb.DMatrix(Xc, feature_names=bst.feature_names)
        di = xgb.DMatrix(X[:inter_rows], feature_names=bst.feature_names)
        out[nt] = {
            "predict": median_of(lambda: bst.inplace_predict(Xc, predict_type="margin"), reps) / contrib_rows,
            "contribs": median_of(lambda: bst.predict(dc, pred_contribs=True), reps) / contrib_rows,
            "interactions": median_of(lambda: bst.predict(di, pred_interactions=True), max(1, reps // 2)) / inter_rows,
        }
    return out


def limn_times(model, data, inter_rows, reps):
    exe = os.path.join(ROOT, "build", "bench_trees")
    txt = subprocess.run([exe, ROOT, str(reps), model, data, str(inter_rows)], check=True, capture_output=True,
                         text=True).stdout
    out = {}
    for line in txt.splitlines():
        m = re.match(r"limn (\d) threads?: \d+ rows; predict ([\d.]+) us/row; TreeSHAP ([\d.]+) us/row; "
                     r"interactions \(\d+ rows\) ([\d.]+) us/row", line)
        if m:
            out[int(m.group(1))] = {"predict": float(m.group(2)) * 1e-6, "contribs": float(m.group(3)) * 1e-6,
                                    "interactions": float(m.group(4)) * 1e-6}
    return out


def rounds(n, xgb_run, limn_run):
    """n rounds of (XGBoost, limn) one after the other, so both see the same machine."""
    return [(xgb_run(), limn_run()) for _ in range(n)]


def report(title, runs):
    print(title)
    print("  %-14s %7s %14s %14s %7s  %s" % ("", "threads", "XGBoost", "limn", "ratio", "ratio per round"))
    for what in ("predict", "contribs", "interactions"):
        for nt in (1, 2):
            x = float(np.median([r[0][nt][what] for r in runs]))
            l = float(np.median([r[1][nt][what] for r in runs]))
            ratios = [r[0][nt][what] / r[1][nt][what] for r in runs]
            unit, s = ("ms", 1e3) if x > 1e-3 else ("us", 1e6)
            print("  %-14s %7d %11.2f %s %11.2f %s %6.2fx  %s" % (what, nt, x * s, unit, l * s, unit,
                                                              float(np.median(ratios)),
                                                              " ".join("%.2f" % q for q in ratios)))
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", action="store_true", help="also the 500-tree depth-8 model (trained here, ~10 s)")
    ap.add_argument("--reps", type=int, default=5, help="runs per figure (median)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of XGBoost then limn (median of the ratios)")
    a = ap.parse_args()
    print("XGBoost %s; per-row medians of %d runs; ratio = XGBoost / limn" % (xgb.__version__, a.reps))
    model = os.path.join(ROOT, "bench", "data", "xgb_bc100d6.json")
    data = os.path.join(ROOT, "tests", "fixtures", "breast_cancer_test.csv")
    names = xgb.Booster(model_file=model).feature_names
    X = read_rows(data, names)
    report("breast cancer, 100 trees depth 6 (the spec's model), %d rows; %d rounds" % (len(X), a.rounds),
           rounds(a.rounds, lambda: xgb_times(model, X, 20000, len(X), a.reps),
                  lambda: limn_times(model, data, len(X), a.reps)))
    if not a.big:
        return
    from sklearn.datasets import make_classification
    out = os.path.join(ROOT, "build", "bench-trees")
    os.makedirs(out, exist_ok=True)
    big, rows = os.path.join(out, "xgb_big.json"), os.path.join(out, "big_rows.csv")
    Xb, yb = make_classification(100000, 50, n_informative=20, n_redundant=10, random_state=0)
    Xb = Xb.astype(np.float32)
    cols = ["f%d" % j for j in range(Xb.shape[1])]
    if not os.path.exists(big):
        t0 = time.perf_counter()
        bst = xgb.train({"objective": "binary:logistic", "max_depth": 8, "tree_method": "hist", "nthread": 2},
                        xgb.DMatrix(Xb, label=yb, feature_names=cols), num_boost_round=500)
        bst.save_model(big)
        print("trained the 500-tree depth-8 model in %.1f s" % (time.perf_counter() - t0))
    with open(rows, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(cols)
        for r in Xb[:200]:
            w.writerow([repr(float(v)) for v in r])
    Xr = read_rows(rows, cols)
    report("synthetic, 500 trees depth 8 (the spec's large model), 200 rows; %d rounds" % a.rounds,
           rounds(a.rounds, lambda: xgb_times(big, Xr, 200, 5, max(1, a.reps // 2)),
                  lambda: limn_times(big, rows, 5, max(1, a.reps // 2))))


if __name__ == "__main__":
    main()
