"""Transformer text classifiers in ONNX, explained token by token (docs/text.md): the
library's tokeniser, explainers, checks and HTML, from Python."""
import ctypes as C
import math
import os

import numpy as np

from . import _capi as L

# the methods that explain texts, by the library's own rule
TEXT_METHODS = tuple(L.method_name(m).decode() for m in range(64)
                     if L.method_name(m) is not None and L.text_method_supported(m))


def _text_method(name):
    """The library's number for a method that explains texts (its own rule)."""
    m = C.c_int()
    if L.method_parse(str(name).encode(), C.byref(m)) or not L.text_method_supported(m.value):
        raise ValueError("limn: method must be one of %s, got %r" % (", ".join(TEXT_METHODS), name))
    return m.value


class TextModel:
    """An ONNX text classifier (int64 token ids) with its vocabulary, as `limn explain
    --texts` loads them: TextModel(model_path, vocab_path, classes=["ham", "spam"])."""

    def __init__(self, model, vocab, classes=None, max_tokens=64, embedding=None, threads=None):
        from . import _Ctx
        self._ctx = _Ctx(threads)
        self._v = C.c_void_p()
        self._m = C.c_void_p()
        self.max_tokens = int(max_tokens)
        self.path, self.vocab_path = os.fspath(model), os.fspath(vocab)
        try:
            self._ctx.check(L.vocab_read(self._ctx.p, os.fsencode(vocab), C.byref(self._v)))
            o = L.TextModelOpts()
            L.text_model_opts_default(C.byref(o))
            o.max_tokens = self.max_tokens
            o.pad_id = L.vocab_pad(self._v)
            o.embedding = embedding.encode() if embedding else None
            names = None
            if classes is not None:
                names = (C.c_char_p * len(classes))(*[str(c).encode() for c in classes])
                o.classes, o.nclasses = C.cast(names, C.POINTER(C.c_char_p)), len(classes)
            self._ctx.check(L.model_load_onnx_text(self._ctx.p, os.fsencode(model), C.byref(o), C.byref(self._m)))
        except BaseException:
            self.close()
            raise
        if L.model_text_vocab(self._m) != L.vocab_size(self._v):
            n, v = L.vocab_size(self._v), L.model_text_vocab(self._m)
            self.close()
            raise ValueError("limn: the vocabulary has %d tokens, the model's embedding table %d rows" % (n, v))
        self.classes = [L.model_output_name(self._m, c).decode() for c in range(L.model_noutputs(self._m))]
        self._pad = L.vocab_pad(self._v)

    def close(self):
        if getattr(self, "_m", None):
            L.model_free(self._m)
            self._m = None
        if getattr(self, "_v", None):
            L.vocab_free(self._v)
            self._v = None
        if getattr(self, "_ctx", None):
            self._ctx.close()

    def __del__(self):
        self.close()

    def tokenize(self, text):
        """[(token, id, start, end)]: the words as written (byte offsets into the UTF-8),
        [CLS] first; cut at max_tokens."""
        raw = text.encode("utf-8")
        t = L.Tokens()
        self._ctx.check(L.text_tokenize(self._ctx.p, self._v, raw, len(raw), self.max_tokens, C.byref(t)))
        try:
            out = []
            for j in range(t.n):
                s, e = t.start[j], t.end[j]
                name = raw[s:e].decode("utf-8") if e > s else L.vocab_token(self._v, t.ids[j]).decode()
                out.append((name, t.ids[j], s, e))
            return out, bool(t.truncated)
        finally:
            L.tokens_free(self._ctx.p, C.byref(t))

    def _rows(self, texts):
        if isinstance(texts, str):
            texts = [texts]
        x = np.full((len(texts), self.max_tokens), float(self._pad), dtype=np.float32)
        toks = []
        for i, text in enumerate(texts):
            tk, cut = self.tokenize(text)
            x[i, :len(tk)] = [t[1] for t in tk]
            toks.append((tk, cut))
        return list(texts), np.ascontiguousarray(x), toks

    def predict(self, texts):
        """The class probabilities of each text, (n, classes)."""
        _, x, _ = self._rows(texts)
        out = np.zeros((x.shape[0], len(self.classes)), dtype=np.float32)
        self._ctx.check(L.model_predict(self._ctx.p, self._m, x.ctypes.data_as(L.c_float_p), x.shape[0],
                                        out.ctypes.data_as(L.c_float_p)))
        return out

    def _opts(self, method, target, output, steps, baseline, num_samples, num_features, kernel_width, seed):
        o = L.text_opts_default()
        o.method = _text_method(method)
        o.space = {"probability": 0, "logit": 1}[output]
        if target is not None:
            o.target = self.classes.index(target) if isinstance(target, str) else int(target)
        o.steps, o.num_samples, o.num_features = int(steps), int(num_samples), int(num_features)
        o.baseline = {"zero": 0, "pad": 1}[baseline]
        o.kernel_width, o.seed = float(kernel_width), int(seed)
        o.first_is_cls = 1 if L.vocab_cls(self._v) >= 0 else 0
        return o

    def _run(self, x, o, deletion, row_ids=None):
        n = x.shape[0]
        ids = None
        if row_ids is not None:
            ids = np.ascontiguousarray(row_ids, dtype=np.uintp)
            if ids.shape != (n,):
                raise ValueError("limn: row_ids must hold one index per text")
            o.row_ids = ids.ctypes.data_as(C.POINTER(L.c_size))
        ex = C.POINTER(L.Explanation)()
        fx = x.ctypes.data_as(L.c_float_p)
        self._ctx.check(L.explain_text(self._ctx.p, self._m, fx, n, C.byref(o), C.byref(ex)))
        a = np.full(n, np.nan)
        r = np.full(n, np.nan)
        if deletion and L.text_method_is_attribution(o.method):
            curves = np.zeros(n * (deletion + 1))
            cp = curves.ctypes.data_as(L.c_double_p)
            for order, dst in ((0, a), (1, r)):
                rc = L.text_deletion(self._ctx.p, self._m, fx, n, ex, int(deletion), o.first_is_cls, order, o.seed,
                                     o.row_ids, cp, dst.ctypes.data_as(L.c_double_p))
                if rc:
                    L.explanations_free(self._ctx.p, ex, n)
                    self._ctx.check(rc)
        return ex, a, r

    def explain(self, texts, method="ig", target=None, output="probability", steps=50, baseline="zero",
                num_samples=5000, num_features=10, kernel_width=0.25, seed=0, deletion=10, row_ids=None):
        """One dict per text, as `limn explain --texts --format json` writes them: tokens
        (token, id, start, end, weight), output, target, the checks (completeness gap,
        LIME's score, the deletion AOPCs), reliable and why. row_ids: each text's index in
        its file (LIME's draws and the random deletion order follow it, as the CLI's)."""
        texts, x, toks = self._rows(texts)
        o = self._opts(method, target, output, steps, baseline, num_samples, num_features, kernel_width, seed)
        ex, aopc, raopc = self._run(x, o, deletion, row_ids)
        out = []
        try:
            for i in range(len(texts)):
                e = ex[i]
                why = C.create_string_buffer(1024)
                ok = L.text_trust(C.byref(e), aopc[i], raopc[i], why, 1024)
                d = {"text": texts[i], "method": method, "target": self.classes[e.target], "output": e.output,
                     "truncated": toks[i][1], "attribution": bool(L.text_method_is_attribution(e.method)),
                     "tokens": [{"token": t[0], "id": t[1], "start": t[2], "end": t[3], "weight": e.attr[j]}
                                for j, t in enumerate(toks[i][0])],
                     "reliable": bool(ok), "why": why.value.decode("utf-8", "replace")}
                if method == "ig":
                    d["base_value"], d["completeness_gap"] = e.base_value, e.delta
                if method == "lime-text":
                    d["score"], d["local_pred"], d["intercept"] = e.score, e.local_pred, e.intercept
                if not math.isnan(aopc[i]):
                    d["aopc"], d["random_aopc"] = float(aopc[i]), float(raopc[i])
                out.append(d)
        finally:
            L.explanations_free(self._ctx.p, ex, len(texts))
        return out

    def report(self, texts, rows=None, methods=("ig", "gradxinput", "occlusion", "lime-text", "attention-rollout"),
               labels=None, text_column="text", label_column=None, target=None, output="probability", steps=50,
               baseline="zero", num_samples=5000, num_features=10, kernel_width=0.25, seed=0, deletion=10,
               title=None, command=None, out=None):
        """The page `limn report --texts` writes, computed and drawn by the library
        (limn_text_report_write): a table of the texts, every method on each text with its
        checks and the one to trust marked, and the provenance. Returns the HTML (str);
        with out=PATH also writes it there.

        texts: a list of str, or a file's path (a str naming a file, or a PathLike: one text
        per line, or a CSV file read by text_column and label_column, as the CLI's --texts;
        its path is shown and hashed).
        rows: indices of the texts to explain (at most 200; None: all). LIME's draws and
        the random deletion order follow each text's index, as the CLI's. labels: the true
        label of each text of a list. command: the command line shown as reproducing the
        page. The other options are the CLI's. The page does not depend on threads."""
        o = L.text_report_opts_default()
        keep = []
        tp = C.POINTER(L.Texts)()
        from_file = isinstance(texts, os.PathLike) or (isinstance(texts, str) and os.path.isfile(texts))
        try:
            if from_file:
                path = os.fspath(texts)
                csv = path.lower().endswith(".csv")
                if label_column is not None and not csv:
                    raise ValueError("limn: label_column needs a CSV file (%s is read as one text per line)" % path)
                self._ctx.check(L.texts_read(self._ctx.p, os.fsencode(path), text_column.encode() if csv else None,
                                             label_column.encode() if label_column else None, C.byref(tp)))
                o.texts, o.texts_path = tp, os.fsencode(path)
            else:
                if isinstance(texts, str):
                    texts = [texts]
                raw = [str(t).encode("utf-8") for t in texts]
                n = len(raw)
                lab = None if labels is None else [str(v).encode() for v in labels]
                if lab is not None and len(lab) != n:
                    raise ValueError("limn: %d labels for %d texts" % (len(lab), n))
                t = L.Texts(n, (C.c_char_p * max(1, n))(*raw), (L.c_size * max(1, n))(*[len(r) for r in raw]),
                            (C.c_char_p * max(1, n))(*lab) if lab is not None else None,
                            (L.c_size * max(1, n))(*range(1, n + 1)))
                keep += [raw, lab, t]
                o.texts = C.pointer(t)
            ntexts = o.texts.contents.n
            idx = list(range(ntexts)) if rows is None else [int(r) for r in rows]
            ra = (L.c_size * max(1, len(idx)))(*idx)
            ms = [_text_method(m) for m in methods]
            ma = (C.c_int * max(1, len(ms)))(*ms)
            keep += [ra, ma]
            o.model, o.model_path, o.vocab, o.vocab_path = self._m, os.fsencode(self.path), self._v, os.fsencode(
                self.vocab_path)
            o.rows, o.nrows, o.methods, o.nmethods = ra, len(idx), ma, len(ms)
            o.explain = self._opts(methods[0] if methods else "ig", target, output, steps, baseline, num_samples,
                                   num_features, kernel_width, seed)
            o.deletion_k = int(deletion)
            o.title = title.encode() if title is not None else None
            o.command = command.encode() if command is not None else None
            from . import _sink
            chunks = []
            sink, fn = _sink(chunks)
            self._ctx.check(L.text_report_write(self._ctx.p, C.byref(o), sink))
            page = b"".join(chunks).decode("utf-8")
        finally:
            if tp:
                L.texts_free(self._ctx.p, tp)
        if out is not None:
            with open(out, "w", encoding="utf-8") as f:
                f.write(page)
        return page

    def html(self, texts, methods=("ig", "gradxinput", "occlusion", "lime-text", "attention-rollout"), labels=None,
             **kw):
        """report() of every text of the list texts (the page of `limn report --texts`)."""
        return self.report(list([texts] if isinstance(texts, str) else texts), methods=methods, labels=labels, **kw)
