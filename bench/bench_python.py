#!/usr/bin/python3
"""The Python layer's overhead and a Python model's speed (issue 18). Run after
`make python` (or with PYTHONPATH=python LIMN_LIBRARY=build/liblimn.so):
    /usr/bin/python3 bench/bench_python.py [REPEATS]
Prints medians. Overhead: limn.lime / limn.gradients, their .weights read, against the
same library call made through the bare ctypes binding in the same process (no input
checks, no result arrays), timed alternately (one-row calls 200 at a time): the median
of the paired ratios is what the package adds. A Python model: rows/s of a callable, and
LIME per row with scikit-learn's predict_proba as the model (lime's figure for the
same job in the spec: 26.1 ms per explanation)."""
import ctypes as C
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import limn
from limn import _capi as L

REP = int(sys.argv[1]) if len(sys.argv) > 1 else 7
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.environ.get("LIMN_CLI", os.path.join(ROOT, "build", "limn"))


def median_time(fn, rep=REP, inner=1):
    """The median over rep runs of the mean time of inner calls (inner > 1 for calls of
    a fraction of a millisecond, whose single timings are mostly noise)."""
    ts = []
    for _ in range(rep):
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        ts.append((time.perf_counter() - t) / inner)
    return statistics.median(ts)


def main():
    tmp = tempfile.mkdtemp()
    subprocess.run([CLI, "split", "--data", os.path.join(ROOT, "data", "breast_cancer.csv"), "--stratify",
                    "diagnosis", "--seed", "0", "--train", "tr.csv", "--test", "te.csv"], cwd=tmp, check=True,
                   capture_output=True)
    subprocess.run([CLI, "train", "--data", "tr.csv", "--target", "diagnosis", "--out", "bc.limn", "--threads", "1"],
                   cwd=tmp, check=True, capture_output=True)
    m = limn.Model.load(os.path.join(tmp, "bc.limn"))
    X = np.loadtxt(os.path.join(tmp, "te.csv"), delimiter=",", skiprows=1, usecols=range(30)).astype(np.float32)
    x1 = np.ascontiguousarray(X[:1])

    def raw_lime(rows):
        c = L.ctx_create(None)
        L.ctx_set_threads(c, 1)
        o = L.lime_opts_default()
        o.num_samples = 5000
        ex = C.POINTER(L.Explanation)()
        rc = L.explain_lime(c, m._p, L.model_stats(m._p), rows.ctypes.data_as(L.c_float_p), rows.shape[0],
                            C.byref(o), C.byref(ex))
        assert rc == 0
        L.explanations_free(c, ex, rows.shape[0])
        L.ctx_free(c)

    def raw_ig(rows):
        c = L.ctx_create(None)
        L.ctx_set_threads(c, 1)
        o = L.grad_opts_default()
        L.method_parse(b"ig", C.byref(C.c_int()))
        v = C.c_int()
        L.method_parse(b"ig", C.byref(v))
        o.method = v.value
        L.quadrature_parse(b"gausslegendre", C.byref(v))
        o.quadrature = v.value
        ex = C.POINTER(L.Explanation)()
        rc = L.explain_gradients(c, m._p, rows.ctypes.data_as(L.c_float_p), rows.shape[0], C.byref(o), C.byref(ex))
        assert rc == 0
        L.explanations_free(c, ex, rows.shape[0])
        L.ctx_free(c)

    for name, py, raw, rows in (
            ("LIME, 5000 samples, 1 row", lambda: limn.lime(m, x1, num_samples=5000, threads=1).weights,
             lambda: raw_lime(x1), 1),
            ("IG, 50 Gauss-Legendre nodes, 1 row", lambda: limn.gradients(m, x1, method="ig",
                                                                           quadrature="gausslegendre", threads=1).weights,
             lambda: raw_ig(x1), 1),
            ("LIME, 5000 samples, 142 rows in one call",
             lambda: limn.lime(m, X, num_samples=5000, threads=1), lambda: raw_lime(X), 142),
            ("IG, 1000 rows in one call", lambda: limn.gradients(m, np.repeat(X, 8, axis=0)[:1000], method="ig",
                                                                  quadrature="gausslegendre", threads=1),
             lambda: raw_ig(np.ascontiguousarray(np.repeat(X, 8, axis=0)[:1000])), 1000)):
        inner = 200 if rows == 1 else 1
        ta, tb, ratio = [], [], []
        for _ in range(REP):  # alternately, so that a slow spell of the machine hits both
            ta.append(median_time(py, 1, inner))
            tb.append(median_time(raw, 1, inner))
            ratio.append(ta[-1] / tb[-1])
        a, b = statistics.median(ta), statistics.median(tb)
        print("%-42s package %9.3f ms, bare ctypes %9.3f ms per call: x%.3f (median of %d paired ratios; "
              "%.1f us per row through the package)" % (name, a * 1e3, b * 1e3, statistics.median(ratio), REP,
                                                       a / rows * 1e6))

    try:
        from sklearn.neural_network import MLPClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
    except ImportError:
        print("scikit-learn missing: no callable-model figures")
        return
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = make_pipeline(StandardScaler(), MLPClassifier((64, 32), max_iter=200, random_state=0)).fit(
            X.astype(np.float64), (X[:, 0] > 14).astype(int))
    f = limn.Model.from_callable(est.predict_proba, m.feature_names, ["0", "1"])
    big = np.repeat(X, 70, axis=0)  # 9940 rows
    t = median_time(lambda: f.predict(big))
    t0 = median_time(lambda: est.predict_proba(big))
    print("callable model (scikit-learn MLP 30-64-32 predict_proba), 9940 rows: %.0f rows/s through limn, "
          "%.0f rows/s called directly" % (big.shape[0] / t, big.shape[0] / t0))
    bg = X.astype(np.float64)
    t = median_time(lambda: limn.lime(f, x1, background=bg, num_samples=5000, threads=1))
    print("LIME, 5000 samples, scikit-learn predict_proba as the model: %.2f ms per explanation (lime: 26.1 ms in "
          "the spec)" % (t * 1e3))


if __name__ == "__main__":
    main()
