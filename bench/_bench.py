"""Helpers shared by the Python side-by-side benchmarks (bench_image.py, bench_text.py,
bench_trees_xgb.py): limn's figures from its C benchmark, the peer timed here, and one
table."""
import subprocess
import time

import numpy as np


def limn_figures(binary, *args):
    """Run a C benchmark; its lines "limn NAME MILLISECONDS" as {NAME: ms}."""
    out = subprocess.run([binary] + [str(a) for a in args], capture_output=True, text=True, check=True).stdout
    return {l.split()[1]: float(l.split()[2]) for l in out.splitlines() if l.startswith("limn ")}


def times_of(fn, reps):
    """Seconds of each of reps calls of fn."""
    t = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        t.append(time.perf_counter() - t0)
    return t


def best_of(fn, reps):
    """The fastest of reps calls of fn, seconds."""
    return min(times_of(fn, reps))


def median_of(fn, reps):
    """The median of reps calls of fn, seconds."""
    return float(np.median(times_of(fn, reps)))


def rounds_best(rounds, limn_fn, peer_fn):
    """Alternate limn_fn ({NAME: ms}) and peer_fn ({NAME: [seconds per item]}) `rounds`
    times; each side's best per name (and per item)."""
    limn, peer = {}, {}
    for _ in range(max(1, rounds)):
        for k, v in limn_fn().items():
            limn[k] = min(v, limn.get(k, v))
        for k, ts in peer_fn().items():
            peer[k] = [min(a, b) for a, b in zip(peer[k], ts)] if k in peer else list(ts)
    return limn, peer


def table(limn, res):
    """One row per method: limn's ms, the median of torch's seconds as ms, torch / limn."""
    print("%-10s %10s %10s %8s" % ("method", "limn", "torch", "torch/limn"))
    for m, ts in res.items():
        if not ts or m not in limn:
            continue
        t = 1e3 * float(np.median(ts))
        print("%-10s %10.3f %10.3f %8.2f" % (m, limn[m], t, t / limn[m]))
