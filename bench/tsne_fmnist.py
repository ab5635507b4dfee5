#!/usr/bin/python3
"""limn embed and scikit-learn's TSNE side by side on Fashion-MNIST (Debian's
dataset-fashion-mnist: train + test, 70 000 images), as in docs/math/tsne.md's
last table: the first N images, PCA to 50 dimensions by scikit-learn (the same input
for both), each tool with its defaults (limn also with 1000 iterations, scikit-learn's
count), then for each map: wall seconds, KL(P || Q)
with one common P (perplexity 30, 90 exact neighbours, scikit-learn's own affinity
code) and an exact Z, 10-NN preservation and leave-one-out 10-NN accuracy in the map.
Usage: bench/tsne_fmnist.py LIMN_BINARY N [N ...]   (run by bench/tsne_fmnist.sh)
LIMN_ONLY=1 skips scikit-learn (its figures on this machine class are in docs/math/tsne.md).
"""
import gzip, os, subprocess, sys, tempfile, time
import numpy as np

DIR = "/usr/share/datasets/fashion-mnist"


def idx(name):
    with gzip.open(os.path.join(DIR, name)) as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load():
    x = np.concatenate([idx("train-images-idx3-ubyte.gz"), idx("t10k-images-idx3-ubyte.gz")])
    y = np.concatenate([idx("train-labels-idx1-ubyte.gz"), idx("t10k-labels-idx1-ubyte.gz")])
    return x.reshape(len(x), -1).astype(np.float64), y.astype(int)


def common_p(x):
    from sklearn.neighbors import NearestNeighbors
    from sklearn.manifold._t_sne import _joint_probabilities_nn
    nn = NearestNeighbors(n_neighbors=91).fit(x)
    dist = nn.kneighbors_graph(mode="distance")  # excludes each point itself; 91 -> keep 90
    dist.data **= 2
    # keep the 90 nearest of each row
    rows = []
    import scipy.sparse as sp
    d = dist.tocsr()
    d.sort_indices()
    indptr, ind, val = d.indptr, d.indices, d.data
    keep_r, keep_c, keep_v = [], [], []
    for i in range(d.shape[0]):
        s, e = indptr[i], indptr[i + 1]
        order = np.argsort(val[s:e], kind="stable")[:90]
        keep_r.append(np.full(len(order), i)); keep_c.append(ind[s:e][order]); keep_v.append(val[s:e][order])
    g = sp.csr_matrix((np.concatenate(keep_v), (np.concatenate(keep_r), np.concatenate(keep_c))), shape=d.shape)
    return _joint_probabilities_nn(g, 30.0, 0).tocsr()


def kl_exact(P, y):
    n = len(y)
    z = 0.0
    for s in range(0, n, 2000):
        d2 = ((y[s:s + 2000, None, :] - y[None, :, :]) ** 2).sum(-1)
        w = 1.0 / (1.0 + d2)
        idx_ = np.arange(s, min(s + 2000, n))
        w[idx_ - s, idx_] = 0.0
        z += w.sum()
    coo = P.tocoo()
    d2 = ((y[coo.row] - y[coo.col]) ** 2).sum(-1)
    q = 1.0 / (1.0 + d2) / z
    p = coo.data
    m = p > 0
    return float((p[m] * np.log(p[m] / q[m])).sum())


def quality(x, y, labels):
    from sklearn.neighbors import NearestNeighbors
    nx = NearestNeighbors(n_neighbors=11).fit(x).kneighbors(return_distance=False)[:, :10]
    ny = NearestNeighbors(n_neighbors=11).fit(y).kneighbors(return_distance=False)[:, :10]
    pres = np.mean([len(set(a) & set(b)) / 10.0 for a, b in zip(nx, ny)])
    votes = labels[ny]
    pred = np.array([np.bincount(v, minlength=10).argmax() for v in votes])
    return float(pres), float(np.mean(pred == labels))


def main():
    limn, sizes = sys.argv[1], [int(v) for v in sys.argv[2:]] or [20000]
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE
    import sklearn
    xall, lab_all = load()
    print("| data | tool (defaults) | wall s | KL (exact Z) | preservation | accuracy |")
    print("|---|---|---|---|---|---|")
    for n in sizes:
        x = PCA(n_components=50, svd_solver="randomized", random_state=0).fit_transform(xall[:n]).astype(np.float32)
        lab = lab_all[:n]
        P = common_p(x.astype(np.float64))
        with tempfile.TemporaryDirectory() as tmp:
            csv = os.path.join(tmp, "x.csv")
            with open(csv, "w") as f:
                f.write(",".join("pc%d" % j for j in range(50)) + ",label\n")
                for row, l in zip(x, lab):
                    f.write(",".join("%.9g" % v for v in row) + ",c%d\n" % l)
            out = os.path.join(tmp, "map.csv")
            runs = []
            for extra, name in (([], "limn (defaults: 750 iterations)"),
                                (["--iterations", "1000"], "limn --iterations 1000 (scikit-learn's count)")):
                t0 = time.time()
                subprocess.run([limn, "embed", "--data", csv, "--target", "label", "--out", out] + extra,
                               check=True, stderr=subprocess.DEVNULL)
                t_limn = time.time() - t0
                runs.append((name, np.loadtxt(out, delimiter=",", skiprows=1, usecols=(1, 2)), t_limn))
        if not os.environ.get("LIMN_ONLY"):
            t0 = time.time()
            y_sk = TSNE(n_components=2, init="pca", learning_rate="auto", random_state=0).fit_transform(x)
            runs.append(("scikit-learn %s BH" % sklearn.__version__, y_sk, time.time() - t0))
        for name, yy, t in runs:
            pres, acc = quality(x, yy.astype(np.float64), lab)
            print("| F-MNIST %d | %s | %.1f | %.3f | %.3f | %.3f |" % (n, name, t, kl_exact(P, yy.astype(np.float64)),
                                                                  pres, acc), flush=True)


if __name__ == "__main__":
    main()
