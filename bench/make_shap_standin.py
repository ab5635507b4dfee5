#!/usr/bin/python3
"""The model, background, rows and reference of the SHAP accuracy anchor, for bench_shap.

The anchor figures (KernelSHAP stand-in: 182 ms per row; its largest error 0.0037 and
0.0073 on the two least certain test rows) were measured on StandardScaler +
MLPClassifier((64, 32), random_state=0, max_iter=1000) fitted on the breast-cancer
training split (scikit-learn's breast-cancer data, train_test_split(test_size=0.25,
random_state=42, stratify=y)), with 100 background rows drawn by np.random.RandomState(0).choice(426,
100, replace=False). This script fits the same model with Debian's scikit-learn, exports
it with tools/export_sklearn_mlp.py and writes, into bench/data/:
  standin_bc.limn        the model (float32, as limn stores it)
  standin_bg.csv         the 100 background rows
  standin_rows.csv       the two test rows whose P(1) is closest to 0.5
  standin_ref.csv        their Shapley values (interventional game, identity link, P(1)):
                         antithetic permutations over the whole background, as shap's
                         PermutationExplainer, 16000 permutations per row, with numpy on
                         the exported float32 parameters; and each value's standard error
Run: /usr/bin/python3 bench/make_shap_standin.py   (about two minutes)
"""
import csv, os, sys
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))
OUT = os.path.join(HERE, "data")


def forward(p, X):
    """P(1) of the exported model, in float64 from its float32 parameters."""
    h = (X - p["mean"]) / p["scale"]
    for i, (W, b) in enumerate(p["layers"]):
        h = h @ W + b
        if i + 1 < len(p["layers"]):
            h = np.maximum(h, 0)
    return 1 / (1 + np.exp(-h[:, 0]))


def reference(p, x, bg, perms, seed, batch=50):
    rng = np.random.RandomState(seed)
    M, N = len(x), len(bg)
    contrib = np.zeros((perms, M))
    steps = np.arange(M + 1)
    for t0 in range(0, perms, batch):
        pis = [rng.permutation(M) for _ in range(batch)]
        # rank[b, j]: the step at which player j joins; step i has the players of rank < i from x
        rank = np.array([np.argsort(pi) for pi in pis])
        on = steps[None, :, None] > rank[:, None, :]  # (batch, M + 1, M)
        fwd = np.where(on[:, :, None, :], x[None, None, None, :], bg[None, None, :, :])
        bwd = np.where(on[:, :, None, :], bg[None, None, :, :], x[None, None, None, :])
        v = forward(p, fwd.reshape(-1, M)).reshape(batch, M + 1, N).mean(2)
        w = forward(p, bwd.reshape(-1, M)).reshape(batch, M + 1, N).mean(2)
        for b, pi in enumerate(pis):
            contrib[t0 + b, pi] = 0.5 * ((v[b, 1:] - v[b, :-1]) + (w[b, :-1] - w[b, 1:]))
    return contrib.mean(0), contrib.std(0, ddof=1) / np.sqrt(perms)


def main():
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from export_sklearn_mlp import export

    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split
    d = load_breast_cancer()
    names = list(d.feature_names)
    xtr, xte, ytr, _ = train_test_split(d.data, d.target, test_size=0.25, random_state=42, stratify=d.target)
    pipe = Pipeline([("s", StandardScaler()), ("m", MLPClassifier((64, 32), random_state=0, max_iter=1000))])
    pipe.fit(xtr, ytr)
    os.makedirs(OUT, exist_ok=True)
    export(pipe, names, "target", os.path.join(OUT, "standin_bc.limn"))
    s, m = pipe.named_steps["s"], pipe.named_steps["m"]
    f32 = lambda a: np.asarray(a, np.float32).astype(np.float64)
    p = {"mean": f32(s.mean_), "scale": f32(s.scale_),
         "layers": [(f32(W), f32(b)) for W, b in zip(m.coefs_, m.intercepts_)]}
    bg = xtr[np.random.RandomState(0).choice(len(xtr), 100, replace=False)]
    pt = pipe.predict_proba(xte)[:, 1]
    assert np.abs(forward(p, xte) - pt).max() < 1e-5
    hard = np.argsort(np.abs(pt - 0.5))[:2]
    fmt = lambda v: "%r" % float(v)
    with open(os.path.join(OUT, "standin_bg.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(names)
        w.writerows([[fmt(v) for v in row] for row in bg])
    with open(os.path.join(OUT, "standin_rows.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(names)
        w.writerows([[fmt(v) for v in xte[i]] for i in hard])
    with open(os.path.join(OUT, "standin_ref.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["row", "test_index", "p1", "feature", "phi", "std_error"])
        for r, i in enumerate(hard):
            phi, se = reference(p, xte[i].astype(np.float32).astype(np.float64), bg.astype(np.float32).astype(np.float64),
                                16000, 100 + r)
            for j in range(len(names)):
                w.writerow([r, int(i), fmt(pt[i]), j, fmt(phi[j]), fmt(se[j])])
            print("row %d (test %d, p = %.4f): largest |phi| %.4f, largest s.e. %.2e" % (r, i, pt[i], np.abs(phi).max(), se.max()))


if __name__ == "__main__":
    main()
