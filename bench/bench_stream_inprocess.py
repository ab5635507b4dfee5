#!/usr/bin/python3
"""Streamed explanations against the same methods in one process (issue 19): the
explanations of N rows of bc.limn's data by `limn explain --format wide` (reading the
CSV and writing every weight included) against one in-process call of the library
through the Python package on the same rows (already in memory, nothing written), both
on 1 thread, alternately, medians of REPEATS. The ratio is what streaming costs on top
of the computation. Run after `make python`:
    PYTHONPATH=python LIMN_LIBRARY=build/liblimn.so /usr/bin/python3 bench/bench_stream_inprocess.py [N] [REPEATS]
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import limn

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
REP = int(sys.argv[2]) if len(sys.argv) > 2 else 3
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.environ.get("LIMN_CLI", os.path.join(ROOT, "build", "limn"))

with tempfile.TemporaryDirectory() as w:
    run = lambda *a: subprocess.run([CLI, *a], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run("split", "--data", os.path.join(ROOT, "data", "breast_cancer.csv"), "--stratify", "diagnosis", "--seed", "0",
        "--train", w + "/tr.csv", "--test", w + "/te.csv")
    run("train", "--data", w + "/tr.csv", "--target", "diagnosis", "--out", w + "/bc.limn", "--threads", "1")
    lines = open(w + "/te.csv").read().splitlines()
    body = [lines[1 + i % (len(lines) - 1)] for i in range(N)]
    open(w + "/d.csv", "w").write("\n".join([lines[0]] + body) + "\n")
    m = limn.Model.load(w + "/bc.limn")
    X = np.genfromtxt(w + "/d.csv", delimiter=",", skip_header=1, dtype=np.float32)
    X = X[:, [lines[0].split(",").index(f) for f in m.feature_names]]
    jobs = [("ig", N, lambda X: limn.gradients(m, X, method="ig", threads=1).weights),
            ("gradient", N, lambda X: limn.gradients(m, X, method="gradient", threads=1).weights),
            ("lime", min(N, 300), lambda X: limn.lime(m, X, threads=1).weights)]
    for name, n, fn in jobs:
        open(w + "/n.csv", "w").write("\n".join([lines[0]] + body[:n]) + "\n")
        tc, tp = [], []
        for _ in range(REP):
            t = time.perf_counter()
            subprocess.run([CLI, "explain", "--model", w + "/bc.limn", "--data", w + "/n.csv", "--method", name,
                            "--format", "wide", "--threads", "1", "--out", w + "/o.csv"], check=True)
            tc.append(time.perf_counter() - t)
            t = time.perf_counter()
            fn(X[:n])
            tp.append(time.perf_counter() - t)
        c, p = statistics.median(tc), statistics.median(tp)
        print("%-9s %7d rows, 1 thread: limn explain --format wide %8.3f s (%8.0f rows/s), in process %8.3f s, "
              "x%.2f" % (name, n, c, n / c, p, c / p))
