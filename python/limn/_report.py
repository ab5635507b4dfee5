"""The HTML report from Python: limn.report, as `limn report` (the library writes the
page: the same page for the same model, rows, options and seed)."""
import ctypes as C
import os

import numpy as np

from . import _capi as L
from . import _Ctx, _fptr, _rows, _sink, _Stats

_REASONS_FROM = {"lime": 5, "ig": 3, "shap": 6}


def _read(ctx, model, path, target_optional=True):
    """A data file read with the model's schema, as the CLI reads --data and --background."""
    ro = L.read_opts_default()
    ro.schema = L.model_schema(model._p)
    ro.target_optional = int(target_optional)
    ro.missing_ok = int(model.takes_missing)
    ds = C.c_void_p()
    ctx.check(L.dataset_read(ctx.p, str(path).encode(), C.byref(ro), C.byref(ds)))
    return ds


def _sample(n, k, seed):
    """`limn report --background-size`'s rows: the first k of a seeded shuffle (stream
    2^64 - 1), in file order; all of them when k >= n."""
    pick = list(range(n))
    if k < n:
        rng = L.Rng()
        L.rng_init(C.byref(rng), seed, 0xFFFFFFFFFFFFFFFF)
        for i in range(k):
            j = i + L.rng_below(C.byref(rng), n - i)
            pick[i], pick[j] = pick[j], pick[i]
        pick = sorted(pick[:k])
    return pick


def _class_codes(model, labels, n):
    if labels is None:
        return None
    lab = labels.tolist() if hasattr(labels, "tolist") else list(labels)
    if len(lab) != n:
        raise ValueError("limn: labels must hold one label per row (%d), got %d" % (n, len(lab)))
    index = {c: i for i, c in enumerate(model.output_names)}
    out = np.empty(n, dtype=np.float32)
    for i, v in enumerate(lab):
        if isinstance(v, str):
            if v not in index:
                raise ValueError("limn: label %r (row %d) is not one of the model's classes (%s)"
                                 % (v, i, ", ".join(model.output_names)))
            out[i] = index[v]
        else:
            if not (float(v) == int(v) and 0 <= int(v) < len(model.output_names)):
                raise ValueError("limn: label %r (row %d) is not a class index 0..%d"
                                 % (v, i, len(model.output_names) - 1))
            out[i] = int(v)
    return out


def report(model, data, rows, labels=None, background=None, background_size=100, summary_max=50, reasons=4,
           favourable=None, reasons_from="lime", protected=None, top=10, num_samples="auto", map="auto",
           map_max=3000, title="limn report", seed=0, threads=None, command=None, out=None):
    """One self-contained HTML page explaining the chosen rows to a person, as `limn
    report`: prediction, reason codes, LIME with its fidelity, Integrated Gradients with
    its completeness gap, SHAP when background rows are given, whether they agree, a
    t-SNE map with the rows marked, and the provenance. Returns the page (str); with
    out=PATH also writes it there.

    data: the rows (array or DataFrame), or a data file's path (read with the model's
    schema; its path is shown and hashed, as the CLI's --data). rows: indices into
    data (at most 200), or "all". labels: true classes of the data rows (names or
    indices; a file's label column is read from the file). background: training rows
    (array, DataFrame or path): LIME's statistics (default: the model's) and SHAP's
    reference rows, of which background_size are used (a seeded sample, as the CLI's).
    protected: column names flagged in reason codes (None: the default list; []: none).
    command: the command line shown as reproducing the page (None: none). The other
    options are the CLI's: summary_max, reasons, favourable (a class name),
    reasons_from (lime, ig or shap), top, num_samples, map (auto, output, hidden:K or
    none), map_max, title, seed. The page does not depend on threads."""
    if reasons_from not in _REASONS_FROM:
        raise ValueError("limn: reasons_from must be lime, ig or shap, got %r" % reasons_from)
    if reasons_from == "shap" and background is None and not model.is_trees:
        raise ValueError("limn: reasons_from='shap' needs background rows (SHAP's reference rows; tree models "
                         "need none)")
    o = L.report_opts_default()
    keep = []

    def text(s):
        b = str(s).encode()
        keep.append(b)
        return b
    o.model = model._p
    if getattr(model, "path", None):
        o.model_path = text(model.path)
    c = _Ctx(threads)
    ds = bds = st = None
    try:
        if isinstance(data, (str, os.PathLike)):
            if labels is not None:
                raise ValueError("limn: labels come from the data file's label column")
            ds = _read(c, model, data)
            o.data_path = text(os.fspath(data))
        else:
            x = _rows(model, data)
            y = _class_codes(model, labels, x.shape[0])
            keep += [x, y]
            ds = C.c_void_p()
            c.check(L.dataset_from_arrays(c.p, L.model_schema(model._p), _fptr(x), _fptr(y) if y is not None else None,
                                          x.shape[0], C.byref(ds)))
        o.data = ds
        n = L.dataset_nrows(ds)
        if isinstance(rows, str):
            if rows != "all":
                raise ValueError("limn: rows must be a list of row indices or 'all'")
            rows = range(n)
        idx = np.ascontiguousarray(list(rows), dtype=np.uintp)
        if idx.ndim != 1 or not 1 <= len(idx) <= 200:
            raise ValueError("limn: rows: 1 to 200 rows on one page, got %d" % idx.size)
        if (idx >= n).any():
            raise ValueError("limn: row %d is beyond the data's %d rows" % (int(idx[np.argmax(idx >= n)]), n))
        keep.append(idx)
        o.rows, o.nrows = idx.ctypes.data_as(C.POINTER(L.c_size)), len(idx)
        if background is not None:
            if isinstance(background, (str, os.PathLike)):
                bds = _read(c, model, background)
                o.background_path = text(os.fspath(background))
                nb = L.dataset_nrows(bds)
                b = np.ctypeslib.as_array(L.dataset_x(bds), shape=(nb, model.nfeatures)).copy()
                st = C.c_void_p()  # the file's statistics, its labels included, as the CLI's
                c.check(L.stats_compute(c.p, bds, C.byref(st)))
                o.background = st
            else:
                b = _rows(model, background)
                own = _Stats(model, b, None)
                keep.append(own)
                o.background = own.p
            sb = np.ascontiguousarray(b[_sample(b.shape[0], int(background_size), int(seed))])
            keep.append(sb)
            o.shap_background, o.shap_nbackground = _fptr(sb), sb.shape[0]
        o.summary_max, o.reasons, o.top = int(summary_max), int(reasons), int(top)
        if favourable is not None:
            if str(favourable) not in model.output_names:
                raise ValueError("limn: favourable: %r is not one of the model's classes (%s)"
                                 % (favourable, ", ".join(model.output_names)))
            o.favourable = model.output_names.index(str(favourable))
        o.reasons_from = _REASONS_FROM[reasons_from]
        o.num_samples = 0 if num_samples == "auto" else int(num_samples)
        o.seed = int(seed)
        o.map_space, o.map_max, o.title = text(map), int(map_max), text(title)
        if command is not None:
            o.command = text(command)
        if protected is not None:
            names = [str(p).encode() for p in protected]
            arr = (C.c_char_p * max(len(names), 1))(*names)
            keep.append(arr)
            o.protected_cols, o.nprotected = arr, len(names)
        chunks = []
        sink, _k = _sink(chunks)
        c.run(lambda: L.report_write(c.p, C.byref(o), sink), model)
    finally:
        if st:
            L.stats_free(st)
        for d in (ds, bds):
            if d:
                L.dataset_free(d)
        c.close()
    page = b"".join(chunks).decode()
    if out is not None:
        tmp = "%s.tmp.%d" % (out, os.getpid())
        with open(tmp, "w") as f:
            f.write(page)
        os.replace(tmp, out)
    return page
