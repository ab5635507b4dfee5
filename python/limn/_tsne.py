"""t-SNE maps from Python: limn.tsne, as `limn embed` (the same library calls, the same
map for the same rows, options and seed)."""
import ctypes as C
import math

import numpy as np

from . import _capi as L
from . import Error, Explanations, _Ctx, _explain, _fptr, _html, _rows, _sink, _Stats

_METHODS = {"auto": 0, "exact": 1, "barnes-hut": 2, "fft": 3}
_KNN = {"auto": 0, "exact": 1, "approx": 2}
_ATTRIBUTIONS = ("gradient", "saliency", "gradxinput", "ig", "smoothgrad", "lime", "shap")


def _dptr(a):
    return a.ctypes.data_as(L.c_double_p)


def _input_features(model, x, standardize, shift=None, scale=None):
    """limn embed's input space: numeric columns as they are (or z-scored), categorical
    ones one-hot in the schema's order. Returns (features, shift, scale), shift and
    scale per mapped column when standardised (one-hot columns 0 and 1)."""
    n, d = x.shape
    names = model.feature_names if model is not None else ["x%d" % j for j in range(d)]
    cats = [model.categories.get(f) if model is not None else None for f in names]
    w = sum(len(c) if c else 1 for c in cats)
    f = np.zeros((n, w), dtype=np.float32)
    sh, sc = (np.zeros(w), np.ones(w)) if standardize and shift is None else (shift, scale)
    c = 0
    for j in range(d):
        if cats[j]:
            code = x[:, j]
            if np.isnan(code).any():
                raise ValueError("limn: row %d, column '%s': a missing value cannot be mapped"
                                 % (int(np.argmax(np.isnan(code))), names[j]))
            f[np.arange(n), c + code.astype(np.intp)] = 1.0
            c += len(cats[j])
            continue
        col = x[:, j].astype(np.float64)
        if not standardize:
            f[:, c] = x[:, j]
        else:
            if shift is not None:
                mu, sd = shift[c], scale[c]
            else:  # sums in row order, in double, as the command line's
                mu = float(np.cumsum(col / n)[-1])
                sd = math.sqrt(float(np.cumsum((col - mu) * (col - mu) / n)[-1]))
                if not sd > 0:
                    raise ValueError("limn: standardize: column '%s' is constant" % names[j])
                sh[c], sc[c] = mu, sd
            f[:, c] = ((col - mu) / sd).astype(np.float32)
        c += 1
    return f, sh, sc


def _model_features(model, x, space, background, threads):
    """The other spaces: the model's outputs, logits, a hidden layer's activations, or
    each row's attributions for its predicted class (limn explain's defaults)."""
    n = x.shape[0]
    if space in ("output", "logit"):
        out = np.empty((n, model.noutputs), dtype=np.float32)
        with _Ctx(threads) as c:
            c.run(lambda: L.model_forward(c.p, model._p, _fptr(x), n, L.SPACE[space], _fptr(out)), model)
        return out
    if space.startswith("hidden:"):
        nh = L.model_nhidden(model._p)
        k = space[7:]
        if not k.isdigit() or not 1 <= int(k) <= nh:
            raise ValueError("limn: space %s: the model has %d hidden layers (hidden:1..hidden:%d)" % (space, nh, nh))
        out = np.empty((n, L.model_hidden_width(model._p, int(k))), dtype=np.float32)
        with _Ctx(threads) as c:
            c.run(lambda: L.model_hidden(c.p, model._p, _fptr(x), n, int(k), _fptr(out)), model)
        return out
    meth = space[len("attribution:"):]
    if meth == "shap":
        if not model.is_trees:
            raise ValueError("limn: space attribution:shap needs a tree model (TreeSHAP needs no background); "
                             "for other models map limn.shap(...).weights with space='input'")
        o = L.shap_opts_default()
        call = lambda ctx, out: L.explain_shap(ctx, model._p, _fptr(x), n, C.byref(o), out)  # noqa: E731
    elif meth == "lime":
        st = _Stats(model, background, None)
        o = L.lime_opts_default()
        call = lambda ctx, out: L.explain_lime(ctx, model._p, st.p, _fptr(x), n, C.byref(o), out)  # noqa: E731
    else:
        o = L.grad_opts_default()
        m = C.c_int()
        L.method_parse(meth.encode(), C.byref(m))
        o.method = m.value
        call = lambda ctx, out: L.explain_gradients(ctx, model._p, _fptr(x), n, C.byref(o), out)  # noqa: E731
    c, ex = _explain(threads, model, call)
    return Explanations(model, x, ex, n, meth, c).weights.astype(np.float32)


class Map:
    """A t-SNE map of n rows. y: (n, 2) the places; kl: KL(P || Q) of the map (for
    placed rows, the mean point-wise KL); knn10_preservation and knn10_accuracy (a
    new map of more than 10 rows; accuracy needs labels); labels and class_names; for
    a classifier, predicted (class index) and probability (of that class); features:
    what was mapped (n, dim). transform(X) places new rows into the map; to_csv() is
    `limn embed`'s MAP.csv, to_svg() its --svg drawing."""

    def __init__(self, y, kl, features, labels, class_names, predicted, probability, model, space,
                 standardize, shift, scale, pca_mean, pca_components, theta, threads, pres=math.nan,
                 acc=math.nan, ref=None, background=None):
        self.y, self.kl, self.features = y, kl, features
        self.knn10_preservation, self.knn10_accuracy = pres, acc
        self.labels, self.class_names = labels, class_names
        self.predicted, self.probability = predicted, probability
        self.model, self.space, self.standardize = model, space, standardize
        self._shift, self._scale, self._pca_mean, self._pca = shift, scale, pca_mean, pca_components
        self._theta, self._threads, self._ref, self._background = theta, threads, ref, background

    def __len__(self):
        return self.y.shape[0]

    def transform(self, X, labels=None, threads=None):
        """Place new rows into this map without moving it (openTSNE's transform, as
        `limn embed --transform`): the same features (space, standardisation, PCA),
        perplexity 5, 250 iterations, each row on its own."""
        if self._ref is not None:
            raise ValueError("limn: transform places rows into a new map, not into a map of placed rows")
        threads = self._threads if threads is None else threads
        x, f, _, _ = _mapped(self.model, X, self.space, self.standardize, self._background, threads, self._shift,
                             self._scale)
        if self._pca is not None:
            z = np.empty((f.shape[0], self._pca.shape[0]), dtype=np.float32)
            L.pca_project(_fptr(f), f.shape[0], f.shape[1], self._pca.shape[0], _dptr(self._pca_mean),
                          _dptr(self._pca), _fptr(z))
            f = z
        if f.shape[1] != self.features.shape[1]:
            raise ValueError("limn: the rows give %d mapped columns, the map was made from %d"
                             % (f.shape[1], self.features.shape[1]))
        n = f.shape[0]
        y = np.empty((n, 2))
        klv = np.empty(max(n, 1))
        o = L.tsne_transform_opts_default()
        o.theta = self._theta
        ref = self.features
        with _Ctx(threads) as c:
            c.run(lambda: L.tsne_transform(c.p, _fptr(ref), _dptr(self.y), ref.shape[0], ref.shape[1], _fptr(f), n,
                                           C.byref(o), _dptr(y), _dptr(klv)))
        kl = 0.0
        for i in range(n):  # the command line's running mean, in row order
            kl += klv[i] / n
        lab, names = _labels(labels, n, self.model)
        pred, prob = _predictions(self.model, x, threads)
        return Map(y, kl, f, lab, names if lab is not None else self.class_names, pred, prob, self.model,
                   self.space, self.standardize, None, None, None, None, self._theta, threads, ref=self)

    def to_csv(self):
        """`limn embed`'s MAP.csv: row, x, y, then label, and predicted class and its
        probability when known, numbers in shortest round-trip form."""
        chunks = []
        sink, _keep = _sink(chunks)
        names = {}

        def field(s):
            if s not in names:
                part = []
                sk, _k = _sink(part)
                L.write_csv_field(sk, s.encode())
                names[s] = b"".join(part).decode()
            return names[s]
        buf = C.create_string_buffer(40)

        def num(v, f=L.format_double):
            if not math.isfinite(v):
                return "null" if f is L.format_double else "%g" % v
            f(buf, 40, v)
            return buf.value.decode()
        out = ["row,x,y%s%s\n" % (",label" if self.labels is not None else "",
                                  ",predicted,probability" if self.predicted is not None else "")]
        outs = self.model.output_names if self.model is not None else []
        for i in range(len(self)):
            line = "%d,%s,%s" % (i, num(self.y[i, 0]), num(self.y[i, 1]))
            if self.labels is not None:
                line += "," + field(self.class_names[self.labels[i]])
            if self.predicted is not None:
                line += ",%s,%s" % (field(outs[self.predicted[i]]), num(float(self.probability[i]), L.format_float))
            out.append(line + "\n")
        return "".join(out)

    def to_svg(self, highlight=None):
        """The map drawn as `limn embed --svg` draws it: colour by class, mistakes ringed,
        the rows in highlight circled and labelled, a map it was placed into in grey."""
        n = len(self)
        ms = L.MapSvg()
        y = np.ascontiguousarray(self.y)
        ms.y, ms.n = _dptr(y), n
        keep = [y]
        if self.labels is not None:
            lab = np.ascontiguousarray(self.labels, dtype=np.int64).astype(C.c_long)
            keep.append(lab)
            ms.label = lab.ctypes.data_as(C.POINTER(C.c_long))
        if self.predicted is not None:
            pr = np.ascontiguousarray(self.predicted).astype(C.c_long)
            keep.append(pr)
            ms.pred = pr.ctypes.data_as(C.POINTER(C.c_long))
        names = self.class_names if self.labels is not None else (self.model.output_names if self.model else [])
        if names:
            arr = (C.c_char_p * min(len(names), 10))(*[s.encode() for s in names[:10]])
            keep.append(arr)
            ms.class_names, ms.nclasses = arr, len(names)
        if highlight is not None:
            hl = np.zeros(n, dtype=np.uint8)
            hl[np.asarray(list(highlight), dtype=np.intp)] = 1
            keep.append(hl)
            ms.highlight = hl.ctypes.data_as(C.POINTER(C.c_ubyte))
        if self._ref is not None:
            ry = np.ascontiguousarray(self._ref.y)
            keep.append(ry)
            ms.ref_y, ms.nref = _dptr(ry), ry.shape[0]
        chunks = []
        sink, _keep = _sink(chunks)
        with _Ctx() as c:
            c.check(L.render_map_svg(c.p, C.byref(ms), sink))
        return b"".join(chunks).decode()

    def _repr_html_(self):
        return _html(self.to_svg())

    def to_frame(self):
        """A pandas DataFrame: x, y, then label, predicted and probability when known."""
        import pandas as pd
        cols = {"x": self.y[:, 0], "y": self.y[:, 1]}
        if self.labels is not None:
            cols["label"] = [self.class_names[i] for i in self.labels]
        if self.predicted is not None:
            cols["predicted"] = [self.model.output_names[i] for i in self.predicted]
            cols["probability"] = self.probability
        return pd.DataFrame(cols)

    def __repr__(self):
        return "<limn.Map %d rows, %d dimensions, KL %.4f>" % (len(self), self.features.shape[1], self.kl)


def _labels(labels, n, model):
    """Class indices and names: the model's output names when every label is one of
    them, else the labels' own names in order of first appearance (as a data file's)."""
    if labels is None:
        return None, None
    lab = [str(v) for v in (labels.tolist() if hasattr(labels, "tolist") else labels)]
    if len(lab) != n:
        raise ValueError("limn: labels must hold one label per row (%d), got %d" % (n, len(lab)))
    names = list(model.output_names) if model is not None and set(lab) <= set(model.output_names) else []
    if not names:
        for v in lab:
            if v not in names:
                names.append(v)
    index = {v: i for i, v in enumerate(names)}
    return np.array([index[v] for v in lab], dtype=np.int64), names


def _predictions(model, x, threads):
    """A classifier's predicted class (the first largest probability) and its probability."""
    if model is None or L.model_task(model._p) != L.TASK_CLASSIFICATION:
        return None, None
    p = model.predict(x, threads=threads)
    pred = np.argmax(p, axis=1)
    return pred, p[np.arange(len(pred)), pred]


def _mapped(model, X, space, standardize, background, threads, shift=None, scale=None):
    """(model rows or None, what is mapped, shift, scale)."""
    if model is None:
        if space != "input":
            raise ValueError("limn: space %r needs a model" % space)
        if hasattr(X, "columns") and hasattr(X, "to_numpy"):
            X = X.to_numpy()
        a = np.asarray(X)
        if a.ndim != 2 or a.dtype.kind not in "fiub":
            raise ValueError("limn: tsne without a model maps a numeric (n, d) array (one-hot categories first, "
                             "or give the model)")
        x = np.ascontiguousarray(a, dtype=np.float32)
        if not np.isfinite(x).all():
            i, j = np.argwhere(~np.isfinite(x))[0]
            raise ValueError("limn: row %d, column %d is not finite" % (i, j))
        f, sh, sc = _input_features(None, x, standardize, shift, scale)
        return None, f, sh, sc
    x = _rows(model, X)
    if space == "input":
        return (x,) + _input_features(model, x, standardize, shift, scale)
    return x, _model_features(model, x, space, background, threads), None, None


def tsne(X, model=None, space="input", labels=None, background=None, standardize=False, pca=0, perplexity=30.0,
         iterations=750, early_exaggeration=12.0, learning_rate=0.0, method="auto", theta=0.5, fft_nodes=3,
         init="pca", seed=0, threads=None, knn="auto"):
    """A t-SNE map of the rows X, as `limn embed`: without a model the columns (a numeric
    array); with one, space chooses "input" (its columns, categories one-hot), "output"
    (probabilities), "logit", "hidden:K" (the K-th hidden layer's activations) or
    "attribution:METHOD" (each row's attributions for its predicted class by gradient,
    saliency, gradxinput, ig, smoothgrad, lime, or shap for tree models, with limn
    explain's defaults; background: LIME's training rows, default the model's
    statistics). labels (one per row) colour the drawing and give the 10-NN accuracy.
    standardize z-scores numeric input columns; pca=K maps the K leading principal
    components. The rest as the CLI's options (--early-exaggeration,
    --learning-rate (0: auto), --method auto/exact/barnes-hut/fft, --theta,
    --fft-nodes, --init pca/random, --seed, --knn auto/exact/approx: the neighbours,
    approximate above 100 000 rows by default). The map depends only on the rows, the
    options and the seed, not on threads. Returns a Map."""
    if not (space in ("input", "output", "logit") or space.startswith("hidden:")
            or (space.startswith("attribution:") and space[12:] in _ATTRIBUTIONS)):
        raise ValueError("limn: space must be input, output, logit, hidden:K or attribution:METHOD (%s), got %r"
                         % ("/".join(_ATTRIBUTIONS), space))
    if method not in _METHODS:
        raise ValueError("limn: method must be one of %s, got %r" % (", ".join(_METHODS), method))
    if knn not in _KNN:
        raise ValueError("limn: knn must be auto, exact or approx, got %r" % (knn,))
    if init not in ("pca", "random"):
        raise ValueError("limn: init must be pca or random, got %r" % init)
    o = L.tsne_opts_default()
    o.perplexity, o.iterations, o.exaggeration = float(perplexity), int(iterations), float(early_exaggeration)
    o.learning_rate, o.method, o.theta, o.fft_nodes = float(learning_rate), _METHODS[method], float(theta), int(fft_nodes)
    o.init_random, o.seed = init == "random", int(seed)
    if not (1 <= o.perplexity and 1 <= o.iterations and 1 <= o.exaggeration and 0 <= o.learning_rate
            and 0 <= o.theta <= 10 and 2 <= o.fft_nodes <= 8):
        raise ValueError("limn: tsne options out of range (perplexity >= 1, iterations >= 1, early_exaggeration "
                         ">= 1, learning_rate >= 0, theta 0..10, fft_nodes 2..8)")
    o.exaggeration_iters = min(o.exaggeration_iters, o.iterations)
    x, f, shift, scale = _mapped(model, X, space, standardize, background, threads)
    n = f.shape[0]
    lab, names = _labels(labels, n, model)
    pca_mean = comp = None
    if pca:
        k = int(pca)
        if not 1 <= k <= f.shape[1]:
            raise ValueError("limn: pca=%d: only %d columns are mapped" % (k, f.shape[1]))
        z = np.empty((n, k), dtype=np.float32)
        pca_mean, comp = np.empty(f.shape[1]), np.empty((k, f.shape[1]))
        with _Ctx(threads) as c:
            c.check(L.pca(c.p, _fptr(f), n, f.shape[1], k, _fptr(z), _dptr(comp), None, _dptr(pca_mean)))
        f = z
    y = np.empty((n, 2))
    kl, pres, acc = C.c_double(), C.c_double(math.nan), C.c_double(math.nan)
    P = C.c_void_p()
    with _Ctx(threads) as c:
        try:
            c.run(lambda: L.tsne_affinities_knn(c.p, _fptr(f), n, f.shape[1], o.perplexity, _KNN[knn],
                                                C.byref(P)))
            c.run(lambda: L.tsne_run(c.p, P, _fptr(f), f.shape[1], C.byref(o), _dptr(y), C.byref(kl)))
            if n > 10:
                lp = lab.astype(C.c_long) if lab is not None else None
                c.run(lambda: L.tsne_quality_affinity(
                    c.p, P, _fptr(f), n, f.shape[1], _dptr(y),
                    lp.ctypes.data_as(C.POINTER(C.c_long)) if lp is not None else None, 10, C.byref(pres),
                    C.byref(acc)))
        finally:
            if P:
                L.tsne_affinity_free(c.p, P)
    pred, prob = _predictions(model, x, threads) if model is not None else (None, None)
    return Map(y, kl.value, f, lab, names, pred, prob, model, space, standardize, shift, scale, pca_mean, comp,
               o.theta, threads, pres.value, acc.value, background=background)


__all__ = ["tsne", "Map", "Error"]
