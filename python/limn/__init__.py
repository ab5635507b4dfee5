"""limn from Python: the C library's models and explainers on numpy arrays.

    import limn
    m = limn.Model.load("bc.limn")
    p = m.predict(X)                                 # (n, classes) float32
    ex = limn.gradients(m, X, method="ig")          # Integrated Gradients
    ex.weights                                       # (n, features), the model's column order
    ex.to_json()                                     # exactly the `limn explain --format json` objects

Every call runs in liblimn with the GIL released; `threads=` sets the C threads
(results never depend on it). Errors in the library come back as limn.Error with its
message; an exception raised by a Python model (Model.from_callable) comes back as
itself. See docs/python.md for what is there and what is not yet.
"""
import ctypes as C
import functools
import os
import json
import _signal  # signal.signal without the enum wrapping (CPython's own module under signal)
import threading

import numpy as np

from . import _capi as L

__all__ = ["Error", "Model", "Explanations", "Map", "TextModel", "gradients", "image_from_row", "image_rows", "lime",
           "lime_image", "overlay", "read_image", "report", "sanity", "shap", "shap_interactions", "tsne", "version",
           "write_png"]


class Error(RuntimeError):
    """A failure reported by liblimn: `status` is its name (e.g. "LIMN_EPARSE")."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def version():
    return L.version_string().decode()


_SIGINTS = []  # SIGINTs seen during the current call (only the main thread makes calls with the hook)


_SIGINT = _signal.SIGINT


def _on_sigint(signum, frame):
    _SIGINTS.append(signum)


def _cancel(ud):
    return 1 if _SIGINTS else 0


_CANCEL_HOOK = L.CANCEL_FN(_cancel)  # made once: a ctypes callback costs microseconds to build
_CANCEL_PTR = C.cast(_CANCEL_HOOK, C.c_void_p)


class _Ctx:
    """One library context for one call (its error text, its threads)."""

    def __init__(self, threads=None):
        self.p = L.ctx_create(None)
        if not self.p:
            raise MemoryError("limn: cannot create a context")
        if threads is not None:
            if int(threads) < 0:
                raise ValueError("threads must be >= 0 (0: the library's default)")
            L.ctx_set_threads(self.p, int(threads))

    def check(self, rc, model=None):
        if rc == 0:
            return
        exc = model._take_exception() if model is not None else None
        msg = L.ctx_errmsg(self.p).decode("utf-8", "replace")
        err = Error(L.status_name(rc).decode(), msg or L.status_name(rc).decode())
        if exc is not None:
            raise exc from err
        raise err

    def run(self, call, model=None, short=False):
        """call() (a library call returning a status) with Ctrl-C wired to the library's
        cancel hook: in the main thread a SIGINT only sets a flag while C works, the
        library polls it between blocks of work (LIME's rows, SHAP's coalitions,
        t-SNE's iterations, training's epochs) and stops with LIMN_ECANCELED, and the
        KeyboardInterrupt is raised here, from that error."""
        if short or threading.current_thread() is not threading.main_thread():
            return self.check(call(), model)
        hit = _SIGINTS
        hit.clear()
        old = _signal.signal(_SIGINT, _on_sigint)  # the C-level call: signal.signal's enum wrapping cost 7 us
        L.set_cancel(self.p, _CANCEL_PTR, None)
        try:
            rc = call()
        finally:
            L.set_cancel(self.p, None, None)
            _signal.signal(_SIGINT, old)
        if hit:
            try:
                self.check(rc, model)
            except Error as e:
                raise KeyboardInterrupt("limn: interrupted (%s)" % e) from e
            raise KeyboardInterrupt("limn: interrupted after the work was done")
        self.check(rc, model)

    def close(self):
        if self.p:
            L.ctx_free(self.p)
            self.p = None

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


def _rows(model, X):
    """X as a C-contiguous float32 (n, nfeatures) array; a clear error otherwise. A pandas
    DataFrame (or anything with .columns and .to_numpy) gives the model's columns by
    name, in the model's order; its other columns are ignored. A categorical column
    (model.categories) takes category names (strings, object or pandas categorical
    columns) or codes 0..k-1; a column of names in a NumPy array needs dtype object or
    str."""
    if hasattr(X, "columns") and hasattr(X, "to_numpy"):
        byname = {str(c): c for c in X.columns}
        missing = [f for f in model.feature_names if f not in byname]
        if missing:
            raise ValueError("limn: the data frame lacks the model's column(s) %s" % ", ".join(repr(f) for f in missing))
        X = _columns(model, [X[byname[f]].to_numpy() for f in model.feature_names])
    a = np.asarray(X)
    if a.ndim == 1:
        a = a.reshape(1, -1)
    if a.ndim != 2 or a.shape[1] != model.nfeatures:
        raise ValueError("limn: rows must be (n, %d) for this model, got shape %s" % (model.nfeatures, a.shape))
    if a.dtype.kind in "OUS" or (model.categories and a.dtype.kind not in "fiub"):
        a = _columns(model, [a[:, j] for j in range(a.shape[1])])
    if a.dtype.kind not in "fiub":
        raise TypeError("limn: rows must be numbers, got dtype %s" % a.dtype)
    a = np.ascontiguousarray(a, dtype=np.float32)
    ok = np.isfinite(a)
    if model.takes_missing:
        ok |= np.isnan(a)
    if not ok.all():
        i, j = np.argwhere(~ok)[0]
        raise ValueError("limn: row %d, column %d ('%s') is not finite" % (i, j, model.feature_names[j]))
    return a


def _missing(v):
    return np.fromiter((x is None or (isinstance(x, float) and x != x) for x in v), bool, len(v))


def _columns(model, cols):
    """One float64 (n, features) array from the model's columns in order: numbers as
    they are, categories as their codes."""
    out = np.empty((len(cols[0]) if cols else 0, len(cols)), dtype=np.float64)
    for j, v in enumerate(cols):
        name = model.feature_names[j]
        cats = model.categories.get(name)
        v = np.asarray(v)
        if cats is None:
            try:
                out[:, j] = v.astype(np.float64)
            except (TypeError, ValueError):
                bad = next(i for i, x in enumerate(v) if not _is_number(x))
                raise ValueError("limn: row %d, column '%s': %r is not a number" % (bad, name, v[bad])) from None
            continue
        if v.dtype.kind in "fiub":  # codes
            c = v.astype(np.float64)
            ok = (c == np.floor(c)) & (c >= 0) & (c < len(cats))
            if model.takes_missing:
                ok |= np.isnan(c)
            if not ok.all():
                bad = int(np.argmin(ok))
                raise ValueError("limn: row %d, column '%s': %r is not a category code 0..%d (%s)"
                                 % (bad, name, v[bad], len(cats) - 1, ", ".join(cats)))
            out[:, j] = c
            continue
        gone = _missing(v)
        if gone.any() and not model.takes_missing:
            raise ValueError("limn: row %d, column '%s': a missing value (the model takes none)"
                             % (int(np.argmax(gone)), name))
        index = {c: i for i, c in enumerate(cats)}
        keys, inv = np.unique(np.array([str(x) for x in v], dtype=object), return_inverse=True)
        codes = np.empty(len(keys))
        for u, k in enumerate(keys):
            if k in index:
                codes[u] = index[k]
            else:
                hit = np.argwhere((inv == u) & ~gone)
                if len(hit):
                    raise ValueError("limn: row %d, column '%s': '%s' is not one of its categories (%s)"
                                     % (int(hit[0][0]), name, k, ", ".join(cats)))
                codes[u] = np.nan
        out[:, j] = codes[inv]
        out[gone, j] = np.nan
    return out


def _is_number(x):
    try:
        float(x)
        return True
    except (TypeError, ValueError):
        return False


def _schema(ctx, feature_names, class_names, target, categories=None):
    """A schema (free with L.schema_free): columns feature_names, numeric or, when
    categories maps a name to its category names, categorical; and a classification
    target with class_names (None: a regression target). limn.Error on a duplicate
    or empty name."""
    def check(rc):
        if rc:
            raise Error(L.status_name(rc).decode(), L.ctx_errmsg(ctx).decode("utf-8", "replace"))
    s = C.c_void_p()
    check(L.schema_create(ctx, C.byref(s)))
    try:
        categories = {str(k): v for k, v in (categories or {}).items()}
        unknown = set(categories) - set(str(f) for f in feature_names)
        if unknown:
            raise ValueError("limn: categories for unknown column(s) %s" % ", ".join(sorted(unknown)))
        for f in feature_names:
            cats = categories.get(str(f))
            if cats is None:
                check(L.schema_add_numeric(ctx, s, str(f).encode()))
                continue
            arr = (C.c_char_p * len(cats))(*[str(c).encode() for c in cats])
            check(L.schema_add_categorical(ctx, s, str(f).encode(), arr, len(cats)))
        if class_names is None:
            check(L.schema_set_target(ctx, s, str(target).encode(), L.TASK_REGRESSION, None, 0))
        else:
            names = [str(x).encode() for x in class_names]
            arr = (C.c_char_p * len(names))(*names)
            check(L.schema_set_target(ctx, s, str(target).encode(), L.TASK_CLASSIFICATION, arr, len(names)))
    except BaseException:
        L.schema_free(s)
        raise
    return s


def _sink(chunks):
    """A limn_sink that appends what the library writes to the list chunks (bytes);
    keep the second value alive while the sink is in use."""
    def write(ud, data, n):
        chunks.append(C.string_at(data, n))
        return 0
    fn = L.WRITE_FN(write)
    return L.Sink(fn, None), fn


def _html(svg):
    """An SVG for a notebook cell: it shrinks to the cell's width (its viewBox keeps the
    drawing whole) and never grows past its own size."""
    return '<div class="limn">%s</div>' % svg.replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)


def _fptr(a):
    return C.cast(a.ctypes.data, L.c_float_p)  # half the time of a.ctypes.data_as


def _made(make):
    """make(ctx, &handle) in a fresh context; (handle, context) on success. The context
    outlives the call: the object it made is freed with it."""
    c = _Ctx()
    h = C.c_void_p()
    try:
        c.check(make(c.p, C.byref(h)))
    except BaseException:
        c.close()
        raise
    return h.value, c


# A call of at most this many model evaluations runs without the Ctrl-C wiring (a few
# microseconds): Python's own handler raises the KeyboardInterrupt as soon as it returns.
_SHORT_EVALS = 256


def _explain(threads, model, call, evals=None):
    """call(ctx, &explanations) in a fresh context with `threads`, Ctrl-C wired to its
    cancel hook unless evals (model evaluations the call makes, when known) marks it as
    short; (context, explanations): the explanations are freed with that context."""
    c = _Ctx(threads)
    ex = C.POINTER(L.Explanation)()
    try:
        c.run(lambda: call(c.p, C.byref(ex)), model, short=evals is not None and evals <= _SHORT_EVALS)
    except BaseException:
        c.close()
        raise
    return c, ex


def _row_ids(o, row_ids, n):
    """o.row_ids from row_ids (one index per row, or None); returns the array o points
    into, which must live until the call returns."""
    if row_ids is None:
        return None
    ids = np.ascontiguousarray(row_ids, dtype=np.uintp)
    if ids.shape != (n,):
        raise ValueError("limn: row_ids must hold one index per row")
    o.row_ids = ids.ctypes.data_as(C.POINTER(L.c_size))
    return ids


class Model:
    """A model liblimn can explain. Make one with Model.load or Model.from_callable."""

    def __init__(self, handle, ctx, keep=None):
        self._p = handle
        self._ctx = ctx  # the context the model was made in: it frees the model with it
        self._keep = keep  # what the C model borrows (callbacks, the callable)
        self._exc = None
        self._lock = threading.Lock()
        self.nfeatures = L.model_nfeatures(handle)
        self.noutputs = L.model_noutputs(handle)
        s = L.model_schema(handle)
        self.feature_names = [L.schema_feature_name(s, j).decode() if s else "x%d" % j
                              for j in range(self.nfeatures)]
        self.output_names = [L.model_output_name(handle, k).decode() for k in range(self.noutputs)]
        self.kind = L.model_kind(handle).decode()
        self.path = None  # the file it was loaded from (shown and hashed in reports)
        self.takes_missing = bool(L.model_takes_missing(handle))
        # categorical columns: name -> category names, in code order
        self.categories = {self.feature_names[j]: [L.schema_category(s, j, c).decode()
                                                   for c in range(L.schema_ncategories(s, j))]
                           for j in range(self.nfeatures)
                           if s and L.schema_feature_kind(s, j) == L.COL_CATEGORICAL}
        self.is_trees = bool(L.model_is_trees(handle))

    @classmethod
    def load(cls, path, feature_names=None, class_names=None, target="class", output_kind="auto"):
        """A model file, told by content: a limn model (limn train), a tree ensemble
        (XGBoost JSON, or limn-trees JSON from tools/export_sklearn_trees.py) or an ONNX
        graph. An ONNX graph knows no column or class names: give feature_names (else
        x0, x1, ..) and class_names (a classifier; None: a regression's one value, or
        "class 0".. when the graph's output is probabilities). output_kind (ONNX): auto,
        probabilities, logits or value, as the CLI's --output-kind."""
        path = str(path)
        try:
            with open(path, "rb") as f:
                head = f.read(64)
        except OSError:
            head = b""  # the library's loader names the file and the reason
        if not L.model_is_onnx(head, len(head)):
            if feature_names is not None or class_names is not None:
                raise ValueError("limn: %s names its own columns and classes; feature_names and class_names "
                                 "are for ONNX graphs" % path)
            m = cls(*_made(lambda ctx, h: L.model_load(ctx, path.encode(), h)))
            m.path = path
            m._load_kw = {}
            return m
        if output_kind not in L.ONNX_OUTPUT:
            raise ValueError("limn: output_kind must be one of %s, got %r" % (", ".join(L.ONNX_OUTPUT), output_kind))

        def make(ctx, h):
            s = _schema(ctx, feature_names, class_names, target) if feature_names is not None else None
            try:
                return L.model_load_onnx(ctx, path.encode(), s, L.ONNX_OUTPUT[output_kind], h)
            finally:
                if s:
                    L.schema_free(s)
        if feature_names is None and class_names is not None:
            raise ValueError("limn: class_names need feature_names too (the schema names both)")
        m = cls(*_made(make))
        m.path = path
        m._load_kw = dict(feature_names=feature_names, class_names=class_names, target=target,
                          output_kind=output_kind)
        return m

    def read_descriptions(self, path):
        """Column descriptions and units for people (CSV: column, description, unit;
        docs/format.md), used in reason codes and tables, as the CLI's --describe."""
        self._ctx.check(L.model_read_descriptions(self._ctx.p, self._p, str(path).encode()))

    @classmethod
    def from_callable(cls, fn, feature_names, class_names=None, categories=None, target="class"):
        """Any Python function as a model: fn(X) with X a float32 array (n, features)
        returns probabilities (n, classes) for a classifier (class_names given), or
        values (n,) or (n, 1) for a regression (class_names None). limn calls it with
        large batches. An exception it raises, a wrong shape or a non-finite value ends
        the limn call with that exception (or a clear ValueError). categories: {column:
        [category names]} for categorical columns, which fn receives as codes 0..k-1
        (LIME then samples and bins them as categories)."""
        feature_names = [str(f) for f in feature_names]
        regression = class_names is None
        class_names = [] if regression else [str(c) for c in class_names]
        d, k = len(feature_names), 1 if regression else len(class_names)
        if d < 1 or (not regression and k < 2):
            raise ValueError("limn: from_callable needs at least one feature, and two classes for a classifier")
        holder = {}

        def predict(ud, x, n, out):
            try:
                X = np.ctypeslib.as_array(x, shape=(n, d)).copy()
                P = np.asarray(fn(X), dtype=np.float64)
                if regression and P.shape == (n,):
                    P = P.reshape(n, 1)
                if P.shape != (n, k):
                    raise ValueError("limn: the callable returned shape %s for %d rows, expected (%d, %d)%s"
                                     % (P.shape, n, n, k, " or (%d,)" % n if regression else ""))
                if not np.isfinite(P).all():
                    raise ValueError("limn: the callable returned a non-finite value (row %d)"
                                     % np.argwhere(~np.isfinite(P))[0][0])
                bad = np.abs(P.sum(axis=1) - 1) > 1e-3
                if not regression and (bad.any() or (P < 0).any() or (P > 1).any()):
                    raise ValueError("limn: the callable's row %d is not probabilities in [0, 1] summing to 1"
                                     % int(np.argmax(bad | (P < 0).any(axis=1) | (P > 1).any(axis=1))))
                np.ctypeslib.as_array(out, shape=(n, k))[:] = P
                return 0
            except BaseException as e:  # noqa: B902 (a KeyboardInterrupt must stop limn too)
                holder["model"]._set_exception(e)
                return 1

        cb = L.ModelCallbacks()
        cb.nfeatures, cb.noutputs = d, k
        cb.predict = L.PREDICT_FN(predict)
        c = _Ctx()
        s = None
        h = C.c_void_p()
        try:
            s = _schema(c.p, feature_names, None if regression else class_names, target, categories)
            c.check(L.model_from_callbacks(c.p, C.byref(cb), s, C.byref(h)))
        except BaseException:
            c.close()
            raise
        finally:
            if s:
                L.schema_free(s)
        m = cls(h.value, c, keep=(cb, predict, fn))
        holder["model"] = m
        return m

    @classmethod
    def from_sklearn(cls, est, feature_names=None, target_name="class"):
        """A fitted scikit-learn estimator. Native limn models (the exporters' logic: the
        speed of C, exact gradients for MLPs, exact TreeSHAP for trees):
        - an MLPClassifier / MLPRegressor, or a Pipeline of a StandardScaler and one;
        - DecisionTree, RandomForest, ExtraTrees, GradientBoosting and
          HistGradientBoosting classifiers and regressors (numerical splits);
        - XGBoost's XGBClassifier / XGBRegressor or a Booster (its JSON model).
        Any other classifier with predict_proba, or regressor with predict, becomes a
        callable model (Model.from_callable). feature_names default to the estimator's
        feature_names_in_ (fitted on a DataFrame), else x0, x1, .. (f0, f1, .. for
        XGBoost, as XGBoost names them)."""
        from . import _sklearn, _sklearn_trees
        booster = est if type(est).__name__ == "Booster" else getattr(est, "get_booster", lambda: None)()
        if booster is not None and hasattr(booster, "save_raw"):
            if feature_names is not None:
                booster = booster.copy()
                booster.feature_names = [str(f) for f in feature_names]
            buf = bytes(booster.save_raw(raw_format="json"))
            return cls._from_bytes(buf, "(XGBoost)")
        if feature_names is None:
            names = getattr(est, "feature_names_in_", None)
            if names is None and hasattr(est, "steps"):
                names = getattr(est.steps[-1][1], "feature_names_in_", None)
            if names is None:
                n = getattr(est, "n_features_in_", None)
                if n is None:
                    raise ValueError("limn: give feature_names (the estimator does not know its columns)")
                names = ["x%d" % j for j in range(n)]
            feature_names = [str(f) for f in names]
        if _sklearn.is_mlp(est):
            buf = _sklearn.mlp_bytes(est, list(feature_names), target_name)
            return cls._from_bytes(buf, "(scikit-learn)")
        if _sklearn_trees.is_trees(est):
            try:
                doc = _sklearn_trees.export(est, None, list(feature_names), target_name)
            except _sklearn_trees.ExportError as e:
                raise ValueError("limn: %s" % e) from None
            buf = _sklearn_trees.dumps(doc).encode()
            return cls._from_bytes(buf, "(scikit-learn)")
        if hasattr(est, "predict_proba") and hasattr(est, "classes_"):
            classes = [str(k) for k in est.classes_]
            return cls.from_callable(lambda X: est.predict_proba(X), feature_names, classes, target=target_name)
        if hasattr(est, "predict") and not hasattr(est, "classes_"):  # a regressor: its predictions
            return cls.from_callable(lambda X: est.predict(X), feature_names, None, target=target_name)
        raise TypeError("limn: from_sklearn takes an MLP, a tree ensemble, an XGBoost model, a classifier with "
                        "predict_proba or a regressor (got %s)" % type(est).__name__)

    @classmethod
    def _from_bytes(cls, buf, name):
        """A model from the bytes of a model file (limn, limn-trees or XGBoost JSON)."""
        return cls(*_made(lambda ctx, h: L.model_load_mem(ctx, buf, len(buf), name.encode(), h)))

    def _set_exception(self, e):
        with self._lock:
            if self._exc is None:
                self._exc = e

    def _take_exception(self):
        with self._lock:
            e, self._exc = self._exc, None
        return e

    def predict(self, X, threads=None):
        """Probabilities (classifier) or values: float32 (n, outputs)."""
        x = _rows(self, X)
        out = np.empty((x.shape[0], self.noutputs), dtype=np.float32)
        with _Ctx(threads) as c:
            c.run(lambda: L.model_predict(c.p, self._p, _fptr(x), x.shape[0], _fptr(out)), self)
        return out

    def close(self):
        if getattr(self, "_p", None):
            L.model_free(self._p)
            self._p = None
        if getattr(self, "_ctx", None):
            self._ctx.close()
            self._ctx = None

    def __del__(self):
        self.close()

    def __repr__(self):
        return "<limn.Model %s: %d features -> %s>" % (self.kind, self.nfeatures, ", ".join(self.output_names))


def _ex_dtype():
    names, formats, offsets = [], [], []
    for name, ctype in L.Explanation._fields_:
        names.append(name)
        offsets.append(getattr(L.Explanation, name).offset)
        if ctype in (C.c_double,):
            formats.append(np.float64)
        elif ctype in (C.c_int,):
            formats.append(np.int32)
        elif ctype in (L.c_size, C.c_uint64) or hasattr(ctype, "contents") or hasattr(ctype, "_type_"):
            formats.append(np.uintp)
        else:
            raise ImportError("limn: no numpy type for the field %s" % name)
    return np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": C.sizeof(L.Explanation)})


_EX_DTYPE = _ex_dtype()


def _gather(ptrs, d, dtype):
    """Rows of d values of dtype, each behind one pointer, into one (n, d) array."""
    if len(ptrs) == 1:
        return np.frombuffer(bytearray(C.string_at(int(ptrs[0]), d * np.dtype(dtype).itemsize)),
                             dtype=dtype).reshape(1, d)  # writable: the bytearray is the array's own
    out = np.empty((len(ptrs), d), dtype=dtype)
    row = d * out.itemsize
    base = out.ctypes.data  # once: each .ctypes access builds an object
    for i, p in enumerate(ptrs.tolist()):
        C.memmove(base + i * row, p, row)
    return out


class Explanations:
    """n explained rows. weights (n, features) in the model's column order; outputs,
    base_values and deltas (IG's completeness gap) per row; targets, the explained
    output of each row; x, the rows as the model took them (float32, categories as
    their codes)."""

    def __init__(self, model, x, ex, n, method, ctx, background=None, discretizer=0, desc=""):
        self.model, self.method, self._x, self._ctx = model, method, x, ctx
        self.x = x
        self._desc = desc  # what the CLI prints after the method: "[ig, exact, baseline zero]" (or a function)
        self._bg, self._disc = background, discretizer  # LIME's labels come from them
        self._ex, self._n = ex, n

    @functools.cached_property
    def description(self):
        """What the CLI prints after the method, e.g. "ig, exact, baseline zero"."""
        return self._desc() if callable(self._desc) else self._desc

    # The arrays are read from the C explanations when first asked for (they live until
    # this object goes): an explanation used only for its JSON or text costs no copies.
    @functools.cached_property
    def _raw(self):
        # the C array of explanations seen as a numpy record array (pointers as integers):
        # no per-element ctypes access, which cost more than IG itself on 1000 rows
        return np.frombuffer(C.string_at(self._ex, _EX_DTYPE.itemsize * self._n), dtype=_EX_DTYPE)

    @functools.cached_property
    def weights(self):
        return _gather(self._raw["attr"], self.model.nfeatures, np.float64)

    @functools.cached_property
    def outputs(self):
        return self._raw["output"].copy()

    @functools.cached_property
    def base_values(self):
        return self._raw["base_value"].copy()

    @functools.cached_property
    def deltas(self):
        return self._raw["delta"].copy()

    @functools.cached_property
    def targets(self):
        return self._raw["target"].astype(np.int64)

    def _only(self, *methods):
        if self.method not in methods:
            raise AttributeError("limn: %s explanations have no such figure (only %s)"
                                 % (self.method, " and ".join(methods)))

    @functools.cached_property
    def std_errors(self):
        """SHAP: standard errors of sampled estimates (0: exact); LIME: the surrogate's
        (NaN: not selected)."""
        self._only("shap", "lime")
        se = _gather(self._raw["std_error"], self.model.nfeatures, np.float64)
        if self.method == "lime":
            se[_gather(self._raw["selected"], self.model.nfeatures, np.uint8) == 0] = np.nan
        return se

    @functools.cached_property
    def intercepts(self):
        self._only("lime")
        return self._raw["intercept"].copy()

    @functools.cached_property
    def scores(self):
        self._only("lime")
        return self._raw["score"].copy()

    @functools.cached_property
    def local_predictions(self):
        self._only("lime")
        return self._raw["local_pred"].copy()

    def to_json(self, rows=None, lines=None, reasons=4):
        """The JSON `limn explain --format json` writes for these rows (without the CLI's
        provenance "manifest"): row i is data row rows[i] (default i) at file line
        lines[i] (default 0, unknown); `reasons` reason codes per row (the CLI's --reasons)."""
        return self._render(L.FORMAT_JSON, rows, lines, reasons=reasons)

    def to_dicts(self):
        return json.loads(self.to_json())

    def _render(self, fmt, rows=None, lines=None, top=10, reasons=4):
        """The library's renderer (limn_render_explanations) over these rows; `top` and the
        description matter to text and SVG only, as in the CLI."""
        rr = (L.RenderRow * self._n)()
        for i in range(self._n):
            rr[i] = L.render_row_init(C.pointer(self._ex[i]), rows[i] if rows is not None else i,
                                      lines[i] if lines is not None else 0,
                                      C.cast(self._x.ctypes.data + i * self._x.strides[0], L.c_float_p))
        o = L.render_opts_default()
        o.model = self.model._p
        o.top = int(top)
        o.reasons = int(reasons)
        desc = self.description.encode()
        o.method_desc = desc
        if self._bg is not None:
            o.background, o.discretizer = self._bg.p, self._disc
        chunks = []
        sink, _keep = _sink(chunks)
        with _Ctx() as c:
            c.check(L.render_explanations(c.p, C.byref(o), rr, self._n, fmt, sink))
        return b"".join(chunks).decode()

    def to_svg(self, top=10):
        """The rows as `limn explain --format svg` draws them: a bar chart per row."""
        return self._render(L.FORMAT_SVG, top=top)

    def to_text(self, top=10, reasons=4):
        """The rows as `limn explain` prints them (text for people, cautions and reason
        codes included)."""
        return self._render(L.FORMAT_TEXT, top=top, reasons=reasons)

    def _repr_html_(self):
        """Notebooks: the SVG charts inline (no JavaScript)."""
        return _html(self.to_svg())

    def to_frame(self):
        """The weights as a pandas DataFrame (rows x the model's columns), with the
        explained class, the model's output and (IG, SHAP) the base value per row."""
        import pandas as pd
        df = pd.DataFrame(self.weights, columns=self.model.feature_names)
        df.insert(0, "class", [self.model.output_names[t] for t in self.targets])
        df.insert(1, "output", self.outputs)
        if self.method in ("ig", "shap"):
            df.insert(2, "base_value", self.base_values)
        return df

    def __len__(self):
        return self._n

    def __del__(self):
        if getattr(self, "_ex", None):
            L.explanations_free(self._ctx.p, self._ex, self._n)
            self._ex = None
        if getattr(self, "_ctx", None):
            self._ctx.close()
            self._ctx = None


_ENUMS = {}


def _enum(parse, what, name):
    """The library's code for an option's name (remembered: a name always parses the same)."""
    key = (what, str(name))
    if key in _ENUMS:
        return _ENUMS[key]
    v = C.c_int()
    if parse(str(name).encode(), C.byref(v)) != 0:
        raise ValueError("limn: unknown %s '%s'" % (what, name))
    if len(_ENUMS) < 256:
        _ENUMS[key] = v.value
    return v.value


def gradients(model, X, method="gradient", target=None, space="output", steps=50, quadrature="auto",
              baseline="zero", samples=50, noise=0.15, smooth="mean", smooth_input=False, seed=0, row_ids=None,
              threads=None, layer=None, window=None, stride=None, fill=None):
    """Gradient attributions, as `limn explain --method METHOD`: method "gradient" (or
    "saliency"), "gradxinput", "ig" (Integrated Gradients), "smoothgrad", and for image
    models "gradcam", "gradcam++" (at `layer`, a value of the graph; None: its last Conv)
    and "occlusion" (window and stride (height, width) and the fill value; None: the
    CLI's defaults); target an output index or one per row, None for each row's
    predicted class; baseline "zero" or "mean" (IG), or an array of rows, one per row
    or one for all (IG from a black, blurred or noise image: image_rows of it);
    row_ids the rows' indices in their data set (SmoothGrad draws row i's noise from
    stream row_ids[i], so a row gets the same noise alone or in any batch, as the CLI's
    --rows does; default 0..n-1); the other options as the CLI's, with its defaults."""
    x = _rows(model, X)
    if not isinstance(baseline, str) or (target is not None and not np.isscalar(target)) or \
            layer is not None or window is not None or stride is not None or fill is not None:
        return _gradients_more(model, x, method, target, space, steps, quadrature, baseline, samples, noise,
                               smooth, smooth_input, seed, row_ids, threads, layer, window, stride, fill)
    key = (method, target, space, steps, quadrature, baseline, samples, noise, smooth, smooth_input, seed)
    try:
        proto = _GRAD_OPTS.get(key)
    except TypeError:  # an unhashable option: checked and refused below
        key, proto = None, None
    if proto is None:
        proto = _grad_opts(*key) if key else _grad_opts(method, target, space, steps, quadrature, baseline,
                                                           samples, noise, smooth, smooth_input, seed)
        if key and len(_GRAD_OPTS) < 64:
            _GRAD_OPTS[key] = proto
    o = L.GradOpts.from_buffer_copy(proto)  # a copy: row_ids below are this call's
    ids = _row_ids(o, row_ids, x.shape[0])  # noqa: F841 (o points into it until the call returns)
    per_row = {"ig": o.steps + 1, "smoothgrad": o.samples}.get(method, 1)
    c, ex = _explain(threads, model, lambda ctx, out: L.explain_gradients(ctx, model._p, _fptr(x), x.shape[0],
                                                                           C.byref(o), out),
                     evals=x.shape[0] * per_row)
    return Explanations(model, x, ex, x.shape[0], method, c, desc=lambda: _grad_desc(model, o, baseline))


_GRAD_OPTS = {}  # checked options by their arguments: a second call with the same ones skips the checks


def _gradients_more(model, x, method, target, space, steps, quadrature, baseline, samples, noise, smooth,
                    smooth_input, seed, row_ids, threads, layer, window, stride, fill):
    """gradients() with what its cached options do not hold: targets per row, rows of
    baselines, Grad-CAM's layer, occlusion's window."""
    n = x.shape[0]
    o = _grad_opts(method, None if target is None or not np.isscalar(target) else target, space, steps,
                   quadrature, "zero" if not isinstance(baseline, str) else baseline, samples, noise, smooth,
                   smooth_input, seed)
    keep = []
    if target is not None and not np.isscalar(target):
        t = np.ascontiguousarray(target, dtype=np.int64).astype(C.c_long)
        if t.shape != (n,):
            raise ValueError("limn: target: one output index per row (%d), got shape %s" % (n, t.shape))
        keep.append(t)
        o.targets = t.ctypes.data_as(C.POINTER(C.c_long))
    if not isinstance(baseline, str):
        b = np.ascontiguousarray(baseline, dtype=np.float32)
        b = b.reshape(1, -1) if b.ndim == 1 else b
        if b.ndim != 2 or b.shape[1] != model.nfeatures or b.shape[0] not in (1, n):
            raise ValueError("limn: baseline rows: (1 or %d, %d) values, got shape %s"
                             % (n, model.nfeatures, np.shape(baseline)))
        keep.append(b)
        o.baseline, o.baseline_rows, o.nbaseline_rows = 2, _fptr(b), b.shape[0]  # LIMN_BASELINE_ROWS
    if layer is not None:
        lb = str(layer).encode()
        keep.append(lb)
        o.layer = lb
    if window is not None:
        o.window[0], o.window[1] = (int(v) for v in window)
    if stride is not None:
        o.stride[0], o.stride[1] = (int(v) for v in stride)
    if fill is not None:
        o.fill = float(fill)
    ids = _row_ids(o, row_ids, n)  # noqa: F841 (o points into it until the call returns)
    c, ex = _explain(threads, model, lambda ctx, out: L.explain_gradients(ctx, model._p, _fptr(x), n, C.byref(o),
                                                                           out))
    bname = baseline if isinstance(baseline, str) else "given rows"
    return Explanations(model, x, ex, n, method, c, desc=lambda: _grad_desc(model, o, bname))


def _grad_opts(method, target, space, steps, quadrature, baseline, samples, noise, smooth, smooth_input, seed):
    o = L.grad_opts_default()
    o.method = _enum(L.method_parse, "method", method)
    if space not in L.SPACE:
        raise ValueError("limn: space must be 'output' or 'logit'")
    o.space = L.SPACE[space]
    o.target = -1 if target is None else int(target)
    o.steps = int(steps)
    o.quadrature = _enum(L.quadrature_parse, "quadrature", quadrature)
    if baseline not in ("zero", "mean"):
        raise ValueError("limn: baseline must be 'zero' or 'mean' here (rows of baselines: not yet)")
    o.baseline = 0 if baseline == "zero" else 1
    o.samples = int(samples)
    o.noise = float(noise)
    o.smooth = _enum(L.smooth_parse, "smooth", smooth)
    o.smooth_gxi = 1 if smooth_input else 0
    o.seed = int(seed)
    return o


def _grad_desc(model, o, baseline):
    """The CLI's description of a gradient run (cli/cmd_explain.c, describe)."""
    d = L.method_name(o.method).decode()
    quad = L.quadrature_name(o.quadrature).decode()
    if d == "ig":
        pwl = L.model_piecewise_linear(model._p, None, 0)
        if quad == "exact" or (quad == "auto" and pwl):
            return d + ", exact, baseline %s" % baseline
        if quad == "auto":
            return d + ", gausslegendre, %d steps, baseline %s" % (o.steps, baseline)
        return d + ", %s, %d steps, baseline %s" % (quad, o.steps, baseline)
    if d == "smoothgrad":
        return d + ", %s of %s, %d samples, noise %g, seed %d" % (
            L.smooth_name(o.smooth).decode(), "gradient x input" if o.smooth_gxi else "gradient", o.samples,
            o.noise, o.seed)
    return d


class _Stats:
    """Training statistics LIME samples from: the model's own (borrowed) or computed
    from background rows (owned)."""

    def __init__(self, model, background, labels):
        self.p, self._ctx, self._owned = None, None, False
        if background is None:
            self.p = L.model_stats(model._p)
            if not self.p:
                raise ValueError("limn: the model stores no training statistics: give background= (training rows)")
            self._model = model  # keep the borrowed statistics' owner alive
            return
        b = _rows(model, background)
        y = None
        if labels is not None:
            y = np.ascontiguousarray(labels, dtype=np.float32)
            if y.shape != (b.shape[0],):
                raise ValueError("limn: background_labels must hold one class index per background row")
        self._ctx = _Ctx()
        ds, st = C.c_void_p(), C.c_void_p()
        try:
            self._ctx.check(L.dataset_from_arrays(self._ctx.p, L.model_schema(model._p), _fptr(b),
                                                  _fptr(y) if y is not None else None, b.shape[0], C.byref(ds)))
            self._ctx.check(L.stats_compute(self._ctx.p, ds, C.byref(st)))
        finally:
            if ds:
                L.dataset_free(ds)
        self.p, self._owned = st.value, True

    def __del__(self):
        if getattr(self, "_owned", False) and self.p:
            L.stats_free(self.p)
            self.p = None
        if getattr(self, "_ctx", None):
            self._ctx.close()


def lime(model, X, background=None, background_labels=None, num_features=10, num_samples="auto",
         discretizer="quartile", kernel_width=0.0, feature_selection="auto", sample_around_instance=False,
         target=None, compat=False, seed=0, row_ids=None, threads=None):
    """LIME, as `limn explain --method lime`: a weighted linear surrogate fitted to the
    model's answers around each row. background: training rows (n, features) whose
    statistics LIME samples from (default: those the model stores), with
    background_labels (class indices) for the entropy discretizer; discretizer
    "quartile", "decile", "entropy" or "none" (continuous); num_samples "auto" (65 536
    with limn's estimator on up to 64 features, else 5000) or a number; compat=True for
    lime's own i.i.d. estimator; row_ids as in gradients(). The other options as the
    CLI's, with its defaults. Explanations add intercepts, scores (weighted R^2),
    local_predictions and std_errors."""
    x = _rows(model, X)
    st = _Stats(model, background, background_labels)
    o = L.lime_opts_default()
    o.num_features = min(int(num_features), model.nfeatures)  # the CLI's default 10, on narrow data
    o.num_samples = 0 if num_samples == "auto" else int(num_samples)
    o.discretizer = _enum(L.discretizer_parse, "discretizer", discretizer)
    o.kernel_width = float(kernel_width)
    o.selection = _enum(L.selection_parse, "feature selection", feature_selection)
    o.sample_around_instance = 1 if sample_around_instance else 0
    o.target = -1 if target is None else int(target)
    o.compat = 1 if compat else 0
    o.seed = int(seed)
    ids = _row_ids(o, row_ids, x.shape[0])  # noqa: F841 (o points into it until the call returns)
    c, ex = _explain(threads, model, lambda ctx, out: L.explain_lime(ctx, model._p, st.p, _fptr(x), x.shape[0],
                                                                      C.byref(o), out))
    desc = "lime, %s bins, %d samples, %s, %s estimator, seed %d" % (
        L.discretizer_name(o.discretizer).decode(), L.lime_samples(C.byref(o), model.nfeatures),
        L.selection_name(o.selection).decode(), "lime's" if o.compat else "lattice", o.seed)
    return Explanations(model, x, ex, x.shape[0], "lime", c, background=st, discretizer=o.discretizer, desc=desc)


def lime_image(model, X, num_samples=1000, segments=50, compactness=10.0, hide="mean", kernel_width=0.25,
               num_features=None, shape=None, target=None, seed=0, row_ids=None, threads=None):
    """LIME on superpixels, as `limn explain --method lime-image` (lime's image explainer
    over SLIC superpixels; docs/images.md): rows of image models (an ONNX graph taking
    (N, C, H, W), or shape=(C, H, W) for another model's rows of pixels); hide "mean" (a
    hidden superpixel shows its mean per channel) or a number; num_features None for
    every superpixel. A superpixel's weight is spread over its pixels (w / C in each
    channel); bins give each pixel's superpixel; intercepts, scores and local_predictions
    as lime()'s."""
    x = _rows(model, X)
    o = L.lime_image_opts_default()
    if shape is not None:
        o.channels, o.height, o.width = (int(v) for v in shape)
    o.num_samples = int(num_samples)
    o.segments = int(segments)
    o.compactness = float(compactness)
    if hide != "mean":
        o.hide_mean, o.hide = 0, float(hide)
    o.kernel_width = float(kernel_width)
    o.num_features = 0 if num_features is None else int(num_features)
    tg = None  # targets per row: kept alive until the call returns
    if target is not None and not np.isscalar(target):
        tg = np.ascontiguousarray(target, dtype=np.int64).astype(C.c_long)
        if tg.shape != (x.shape[0],):
            raise ValueError("limn: target: one output index per row (%d)" % x.shape[0])
        o.targets = tg.ctypes.data_as(C.POINTER(C.c_long))
    else:
        o.target = -1 if target is None else int(target)
    o.seed = int(seed)
    ids = _row_ids(o, row_ids, x.shape[0])  # noqa: F841 (o points into it until the call returns)
    c, ex = _explain(threads, model, lambda ctx, out: L.explain_lime_image(ctx, model._p, _fptr(x), x.shape[0],
                                                                            C.byref(o), out))
    desc = "lime-image, %d samples, %d SLIC superpixels asked (compactness %g), hidden as %s, kernel width %g, " \
           "seed %d" % (o.num_samples, o.segments, o.compactness, hide, o.kernel_width, o.seed)
    return Explanations(model, x, ex, x.shape[0], "lime-image", c, desc=desc)


def read_image(path, threads=None):
    """A PNG or JPEG file as a float32 array (height, width, channels) of values in 0..1
    (the byte / 255), decoded by liblimn (libpng, libjpeg-turbo; docs/images.md)."""
    if not L.image_supported():
        raise Error("LIMN_EUNSUPPORTED", "limn: this liblimn was built without PNG and JPEG")
    c = _Ctx(threads)
    im = C.c_void_p()
    try:
        c.check(L.image_read(c.p, os.fsencode(path), C.byref(im)))
        h, w, ch = L.image_height(im), L.image_width(im), L.image_channels(im)
        a = np.ctypeslib.as_array(L.image_pixels(im), shape=(h * w * ch,)).copy().reshape(h, w, ch)
    finally:
        L.image_free(im)
        c.close()
    return a


def _image(ctx, a):
    """A limn_image of an (H, W, C) or (H, W) array of values in 0..1 (the caller frees it)."""
    a = np.ascontiguousarray(a, dtype=np.float32)
    a = a[:, :, None] if a.ndim == 2 else a
    if a.ndim != 3 or a.shape[2] not in (1, 3):
        raise ValueError("limn: an image is (height, width) or (height, width, 1 or 3) values, got shape %s"
                         % (a.shape,))
    im = C.c_void_p()
    ctx.check(L.image_create(ctx.p, a.shape[1], a.shape[0], a.shape[2], _fptr(a), C.byref(im)))
    return im


def _image_array(im):
    h, w, ch = L.image_height(im), L.image_width(im), L.image_channels(im)
    return np.ctypeslib.as_array(L.image_pixels(im), shape=(h * w * ch,)).copy().reshape(h, w, ch)


def _per_channel(v, c, name):
    if v is None:
        return None
    a = np.broadcast_to(np.asarray(v, dtype=np.float64).reshape(-1), (c,)) if np.size(v) in (1, c) else None
    if a is None:
        raise ValueError("limn: %s: one value or one per channel (%d)" % (name, c))
    return np.ascontiguousarray(a)


def image_rows(model, images, mean=None, std=None, resize=True, channels=True, threads=None):
    """The rows an image model takes, as the CLI's --images makes them: each image (a PNG
    or JPEG path, or an (H, W[, C]) array of values in 0..1) converted to the model's
    channels (channels=True; grey <-> RGB by luma) and resized to its height and width
    (resize=True; antialiased bilinear), then (pixel - mean) / std per channel (one value
    or one per channel; None: 0 and 1); float32 (N, C*H*W), channels first. An image of
    another size or channel count with resize or channels False is an error naming it."""
    c = _Ctx(threads)
    try:
        dims = [L.c_size(), L.c_size(), L.c_size()]
        c.check(L.model_image_shape(c.p, model._p, *[C.byref(v) for v in dims]))
        ch, h, w = (v.value for v in dims)
        mu, sd = _per_channel(mean, ch, "mean"), _per_channel(std, ch, "std")
        if isinstance(images, (str, bytes, os.PathLike)) or (isinstance(images, np.ndarray) and images.ndim <= 3):
            images = [images]
        out = np.empty((len(images), ch * h * w), dtype=np.float32)
        for i, img in enumerate(images):
            name = os.fsdecode(img) if isinstance(img, (str, bytes, os.PathLike)) else "image %d" % i
            im = C.c_void_p()
            if isinstance(img, (str, bytes, os.PathLike)):
                c.check(L.image_read(c.p, os.fsencode(img), C.byref(im)))
            else:
                im = _image(c, img)
            try:
                if L.image_channels(im) != ch:
                    if not channels:
                        raise ValueError("limn: %s has %d channels, the model takes %d (channels=True converts)"
                                         % (name, L.image_channels(im), ch))
                    t = C.c_void_p()
                    c.check(L.image_convert(c.p, im, ch, C.byref(t)))
                    L.image_free(im)
                    im = t
                if (L.image_width(im), L.image_height(im)) != (w, h):
                    if not resize:
                        raise ValueError("limn: %s is %d x %d pixels, the model takes %d x %d (resize=True resizes)"
                                         % (name, L.image_width(im), L.image_height(im), w, h))
                    t = C.c_void_p()
                    c.check(L.image_resize(c.p, im, w, h, C.byref(t)))
                    L.image_free(im)
                    im = t
                c.check(L.image_to_input(c.p, im, mu.ctypes.data_as(L.c_double_p) if mu is not None else None,
                                         sd.ctypes.data_as(L.c_double_p) if sd is not None else None,
                                         out[i].ctypes.data_as(L.c_float_p)))
            finally:
                L.image_free(im)
        return out
    finally:
        c.close()


def image_from_row(model, row, mean=None, std=None):
    """The image an image model's row shows: (H, W, C) values, pixel = row * std + mean per
    channel (image_rows' inverse)."""
    c = _Ctx()
    try:
        dims = [L.c_size(), L.c_size(), L.c_size()]
        c.check(L.model_image_shape(c.p, model._p, *[C.byref(v) for v in dims]))
        ch, h, w = (v.value for v in dims)
        r = np.ascontiguousarray(row, dtype=np.float32).reshape(-1)
        if r.size != ch * h * w:
            raise ValueError("limn: a row of %d values, the model's images have %d" % (r.size, ch * h * w))
        mu, sd = _per_channel(mean, ch, "mean"), _per_channel(std, ch, "std")
        im = C.c_void_p()
        c.check(L.image_from_input(c.p, _fptr(r), ch, h, w, mu.ctypes.data_as(L.c_double_p) if mu is not None
                                   else None, sd.ctypes.data_as(L.c_double_p) if sd is not None else None,
                                   C.byref(im)))
        try:
            return _image_array(im)
        finally:
            L.image_free(im)
    finally:
        c.close()


def overlay(image, weights, positive=False, alpha=0.7, scale=0.0):
    """An attribution map over an image, as `limn explain --overlay`: the image in grey,
    the map in limn's diverging colours (red positive, blue negative; positive=True colours
    only positive values, as for Grad-CAM), opacity alpha at |value| = scale (0: the map's
    largest). weights: one per pixel (H, W), or an explanation's row (C*H*W, summed over
    channels), or a coarser (h, w) map (resized). Returns (H, W, 3) values in 0..1."""
    c = _Ctx()
    try:
        base = _image(c, image)
        try:
            hgt, wid = L.image_height(base), L.image_width(base)
            m = np.asarray(weights, dtype=np.float64)
            if m.ndim == 1:
                if m.size % (hgt * wid):
                    raise ValueError("limn: %d weights for an image of %d x %d pixels" % (m.size, wid, hgt))
                m = m.reshape(-1, hgt * wid).sum(axis=0).reshape(hgt, wid)
            m = np.ascontiguousarray(m)
            if m.ndim != 2:
                raise ValueError("limn: a map is (height, width) values, got shape %s" % (m.shape,))
            o = L.image_overlay_opts_default()
            o.alpha, o.scale, o.positive = float(alpha), float(scale), 1 if positive else 0
            out = C.c_void_p()
            c.check(L.image_overlay(c.p, base, m.ctypes.data_as(L.c_double_p), m.shape[1], m.shape[0],
                                    C.byref(o), C.byref(out)))
            try:
                return _image_array(out)
            finally:
                L.image_free(out)
        finally:
            L.image_free(base)
    finally:
        c.close()


def write_png(path, image):
    """An (H, W[, C]) array of values in 0..1 written as a PNG (8 bits a sample, clamped and
    rounded; the file replaced only once complete)."""
    c = _Ctx()
    try:
        im = _image(c, image)
        try:
            c.check(L.image_write_png(c.p, im, os.fsencode(path)))
        finally:
            L.image_free(im)
    finally:
        c.close()


def sanity(model, X, layers=1, method="gradient", seed=0, **options):
    """Adebayo et al.'s randomisation check, as the CLI's --sanity N: the same explanations
    (gradients() with method and options, or method "lime-image") of a second copy of the
    model, loaded again from model.path, whose last `layers` layers with weights are
    re-drawn (seeded), for the same classes; per row the rank correlation of the two
    maps' |weights|. Near 0: the map depends on what the model learned; near 1: it does
    not, and should not be trusted. Returns (correlations, the two Explanations)."""
    if getattr(model, "path", None) is None:
        raise ValueError("limn: sanity needs a model loaded from a file (Model.load): it loads a second copy")
    if method == "lime-image":
        a = lime_image(model, X, seed=seed, **options)
    else:
        a = gradients(model, X, method=method, seed=seed, **options)
    m2 = Model.load(model.path, **getattr(model, "_load_kw", {}))
    try:
        done = L.c_size()
        m2._ctx.check(L.model_randomize_layers(m2._ctx.p, m2._p, int(layers), int(seed), C.byref(done)))
        opts = dict(options, target=a.targets)
        b = lime_image(m2, a.x, seed=seed, **opts) if method == "lime-image" else \
            gradients(m2, a.x, method=method, seed=seed, **opts)
    except BaseException:
        m2.close()
        raise
    r = np.array([L.explain_rank_correlation(C.byref(a._ex[i]), C.byref(b._ex[i]), 1) for i in range(a._n)])
    return r, a, b


def _groups(model, groups):
    """A player per column from {column: group} (or (column, group) pairs): groups are
    players in the order they first appear, then each column not listed alone, as the
    CLI's --groups file. Returns (players, count)."""
    pairs = list(groups.items()) if hasattr(groups, "items") else [tuple(p) for p in groups]
    player = [-1] * model.nfeatures
    gid = {}
    for col, g in pairs:
        col = str(col)
        if col not in model.feature_names:
            raise ValueError("limn: groups: the model has no column '%s'" % col)
        j = model.feature_names.index(col)
        if player[j] >= 0:
            raise ValueError("limn: groups: '%s' is already in a group" % col)
        player[j] = gid.setdefault(g, len(gid))
    nxt = len(gid)
    for j in range(model.nfeatures):
        if player[j] < 0:
            player[j], nxt = nxt, nxt + 1
    return np.array(player, dtype=np.uintp), nxt


def shap(model, X, background=None, estimator="auto", nsamples="auto", link="identity", space="output", target=None,
         tolerance=0.0, seed=0, groups=None, row_ids=None, threads=None):
    """Shapley values, as `limn explain --method shap`: the interventional game over the
    background rows (n_background, features; the CLI samples at most --background-size
    = 100 of its file, so pass the rows you want used), estimator "auto" (exact up to 12
    varying players, else kernel), "exact", "kernel", "permutation", "sampling", or
    "tree" / "tree-interventional" for tree ensembles; nsamples "auto" or a budget;
    link "identity" or "logit"; tolerance a target standard error (0: one attempt); the
    rest as the CLI's. groups: columns that play together, {column: group} (e.g.
    one-hot columns or a sensor's channels; as --groups FILE): a group's value sits
    on its first column, its other columns hold 0. A tree model needs no background: without one, "auto" and
    "tree" give path-dependent TreeSHAP (the trees' covers). Explanations add
    std_errors (0 when exact); base_values hold v(empty) and deltas the efficiency gap."""
    x = _rows(model, X)
    if background is None and not (model.is_trees and estimator in ("auto", "tree")):
        raise ValueError("limn: SHAP needs background rows (e.g. a sample of the training data)%s"
                         % ("" if not model.is_trees else "; only estimator 'auto' or 'tree' goes without"))
    bg = _rows(model, background) if background is not None else np.zeros((0, model.nfeatures), np.float32)
    o = L.shap_opts_default()
    o.estimator = _enum(L.shap_estimator_parse, "estimator", estimator)
    o.nsamples = 0 if nsamples == "auto" else int(nsamples)
    o.link = _enum(L.link_parse, "link", link)
    if space not in L.SPACE:
        raise ValueError("limn: space must be 'output' or 'logit'")
    o.space = L.SPACE[space]
    o.target = -1 if target is None else int(target)
    o.background = _fptr(bg) if bg.shape[0] else None
    o.nbackground = bg.shape[0]
    o.tolerance = float(tolerance)
    o.seed = int(seed)
    ids = _row_ids(o, row_ids, x.shape[0])  # noqa: F841 (o points into it until the call returns)
    if groups is not None:
        players, o.ngroups = _groups(model, groups)
        o.groups = players.ctypes.data_as(C.POINTER(L.c_size))
    c, ex = _explain(threads, model, lambda ctx, out: L.explain_shap(ctx, model._p, _fptr(x), x.shape[0],
                                                                      C.byref(o), out))
    game = ("background %d rows" % bg.shape[0] if bg.shape[0] else "path-dependent game (the trees' covers)")
    desc = "shap, %s, %s, %s link, seed %d" % (
        L.shap_estimator_name(o.estimator).decode(), game, L.link_name(o.link).decode(), o.seed)
    return Explanations(model, x, ex, x.shape[0], "shap", c, desc=desc)


def shap_interactions(model, X, target=None, threads=None):
    """SHAP interaction values (Lundberg et al. 2020) of a tree model's raw output (a
    margin; a forest's class probability), the path-dependent game: (n, d + 1, d + 1),
    row i's matrix with (j, k), j != k, half the interaction of columns j and k, (j, j)
    column j's value less what it shares; the last row and column the bias; a row of
    the matrix sums to that column's Shapley value, the whole to the raw output (as
    xgboost's predict(pred_interactions=True)). target: the explained output (None:
    each row's predicted class; a list: one per row)."""
    x = _rows(model, X)
    n, d = x.shape
    out = np.empty((n, d + 1, d + 1))
    tg, tp = -1, None
    if target is not None and np.ndim(target) == 0:
        tg = int(target)
    elif target is not None:
        tp = np.ascontiguousarray(target, dtype=np.int64).astype(C.c_long)
        if tp.shape != (n,):
            raise ValueError("limn: target: one output per row, or one for all")
    with _Ctx(threads) as c:
        c.run(lambda: L.shap_interactions(c.p, model._p, _fptr(x), n, tg,
                                          tp.ctypes.data_as(C.POINTER(C.c_long)) if tp is not None else None,
                                          out.ctypes.data_as(L.c_double_p)), model)
    return out


from ._tsne import Map, tsne  # noqa: E402 (they build on the names above)
from ._report import report  # noqa: E402


from ._text import TextModel  # noqa: E402 (after the helpers it uses)
