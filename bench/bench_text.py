#!/usr/bin/python3
"""Text explanations, limn against torch on this machine: the bundled spam transformer
(data/spam), 1 thread each, per text of 64 tokens (the first texts of test.csv that fill
64 tokens; the median over the texts of the best of REPEATS runs, milliseconds):
  forward    one text's probabilities
  gradient   d p[pred] / d (token embeddings) of one text
  ig50       Integrated Gradients on the token embeddings from zero, 50 Gauss-Legendre
             nodes in one batch
  lime5000   lime's text explainer (LimeTextExplainer, bag of words) written out, since
             lime cannot be installed here: 5000 strings with 1..words distinct words
             removed (lime's IndexedString: a word's every occurrence), each re-tokenised
             and run through the model in batches of 64 padded to the batch's longest
             (a usual classifier_fn), cosine distances, the kernel, and scikit-learn's
             Ridge (alpha 1) on the 10 words of highest weight, as lime's explain
             (measured on LIME_TEXTS texts, one run each)
limn's figures come from build/bench_text (C, in its own process); torch's are the same
computations with the network rebuilt from the ONNX file's weights.
ROUNDS alternates the two (limn, torch, limn, torch, ...) and keeps each side's best per
text: this VM has slow spells of tens of seconds that would otherwise fall on one side.
Usage: /usr/bin/python3 bench/bench_text.py [TEXTS (10)] [REPEATS (3)] [LIME_TEXTS (3)] [ROUNDS (2)]
"""
import csv
import os
import re
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "fixtures"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from _bench import best_of, limn_figures, rounds_best, table  # noqa: E402


def load_net(path):
    """make_text's network with the ONNX file's weights (MatMul weights by node name)."""
    import onnx
    import onnx.numpy_helper as nh
    import torch
    import make_text
    m = onnx.load(path)
    init = {i.name: torch.tensor(nh.to_array(i).copy()) for i in m.graph.initializer}
    net = make_text.model_class()()
    sd = {k: v for k, v in init.items() if k in net.state_dict()}
    for n in m.graph.node:
        hit = re.match(r"/(layers\.\d+)/(q|k|v|o|f1|f2)/MatMul$", n.name)
        if hit:
            sd["%s.%s.weight" % hit.groups()] = init[n.input[1]].t().contiguous()
    net.load_state_dict(sd)
    return net.eval()


def main():
    ntext = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    nlime = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    nround = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    binary = os.path.join(ROOT, "build", "bench_text")

    import torch
    from sklearn.linear_model import Ridge
    import make_text as mt
    torch.set_num_threads(1)
    net = load_net(os.path.join(ROOT, "data", "spam", "spam_transformer.onnx"))
    vocab = {w.rstrip("\n"): i for i, w in enumerate(open(os.path.join(ROOT, "data", "spam", "vocab.txt"),
                                                          encoding="utf-8"))}
    texts = [r["text"] for r in csv.DictReader(open(os.path.join(ROOT, "data", "spam", "test.csv"), encoding="utf-8"))]
    chosen = [t for t in texts if len(mt.encode(t, vocab)) == 64][:ntext]
    nodes, weights = np.polynomial.legendre.leggauss(50)
    alphas = torch.tensor((nodes + 1) / 2, dtype=torch.float32)[:, None, None]
    gl_w = torch.tensor(weights / 2, dtype=torch.float32)[:, None, None]

    def forward(ids):
        with torch.no_grad():
            return net(ids)

    def gradient(ids, k):
        e = net.embed(ids).detach().requires_grad_(True)
        net.run(e, ids)[0, k].backward()
        return e.grad

    def ig(ids, k):
        e = net.embed(ids).detach()
        path = (alphas * e).requires_grad_(True)
        net.run(path, ids.repeat(50, 1))[:, k].sum().backward()
        return (e * (path.grad * gl_w).sum(0, keepdim=True)).sum(-1)

    def lime(text, k, rng):
        # lime's IndexedString(bow=True): words split on non-word characters, distinct words
        split = re.split(r"(\W+)", text)
        words = [w for w in split if w and not re.match(r"\W+", w)]
        vocab_w = sorted(set(words), key=words.index)
        d = len(vocab_w)
        where = {w: [i for i, s in enumerate(split) if s == w] for w in vocab_w}
        data = np.ones((5000, d))
        sizes = rng.integers(1, d + 1, 4999)
        strings = [text]
        for i, size in enumerate(sizes, start=1):
            off = rng.choice(d, size, replace=False)
            data[i, off] = 0
            gone = set(j for w in off for j in where[vocab_w[w]])
            strings.append("".join(s for j, s in enumerate(split) if j not in gone))
        ys = []
        with torch.no_grad():
            for s in range(0, 5000, 64):
                seqs = [mt.encode(t, vocab) for t in strings[s:s + 64]]
                ys.append(net(mt.batch(seqs))[:, k].numpy())
        y = np.concatenate(ys).astype(np.float64)
        dist = 1 - data @ data[0] / (np.linalg.norm(data, axis=1) * np.linalg.norm(data[0]) + 1e-300)
        w = np.sqrt(np.exp(-(dist * 100) ** 2 / 25 ** 2))
        top = np.argsort(-np.abs(Ridge(alpha=0.01).fit(data, y, sample_weight=w).coef_))[:10]
        return Ridge(alpha=1).fit(data[:, top], y, sample_weight=w).coef_

    def torch_round():
        res = {m: [] for m in ["forward", "gradient", "ig50", "lime5000"]}
        rng = np.random.default_rng(0)
        for i, text in enumerate(chosen):
            ids = mt.batch([mt.encode(text, vocab)])
            k = int(forward(ids)[0].argmax())
            res["forward"].append(best_of(lambda: forward(ids), reps))
            res["gradient"].append(best_of(lambda: gradient(ids, k), reps))
            res["ig50"].append(best_of(lambda: ig(ids, k), reps))
            if i < nlime:
                res["lime5000"].append(best_of(lambda: lime(text, k, rng), 1))
        return res

    limn, res = rounds_best(nround, lambda: limn_figures(binary, ROOT, ntext, reps, nlime), torch_round)
    print("# spam transformer, %d texts of 64 tokens, 1 thread, ms per text (median of the best of %d runs; "
          "lime5000: %d texts, one run; best of %d alternating rounds)" % (len(chosen), reps, nlime, nround))
    table(limn, res)
    floor_ig(torch, res)


def floor_ig(torch, res):
    """How fast IG could be at most on this core: its matrix products' floating-point
    operations (forward and the backward to the inputs, 50 points of 64 tokens; the
    weights' gradients are not needed) at the rate torch's own GEMM reaches on those
    shapes, against the 3x target. torch computes every row; limn's rows graph computes
    only the [CLS] row of the last layer's query, attention, output and feed-forward
    (its keys and values still need every row)."""
    T, d, ff, layers, steps = 64, 64, 128, 2, 50
    lin = 3 * T * d * d + T * d * d + 2 * T * d * ff  # q, k, v, out, the two feed-forward products
    att = 2 * T * T * d  # scores and the weighted values (all heads)
    whole = 2 * lin + 3 * att  # forward (lin + att) and backward (lin + 2 att)
    last = 2 * (2 * T * d * d + 2 * d * d + 2 * d * ff) + 6 * T * d  # one query row
    flops = 2 * layers * whole * steps
    rows = 2 * ((layers - 1) * whole + last) * steps
    a, b = torch.randn(steps * T, d), torch.randn(d, d)
    rate = 2 * steps * T * d * d / best_of(lambda: [a @ b for _ in range(20)], 10) * 20
    t = 1e3 * float(np.median(res["ig50"]))
    print("# IG 50 nodes: %.2f GFLOP of products (%.2f in limn's rows graph); torch's GEMM on (%d x %d) @ (%d x %d) "
          "reaches %.0f GFLOP/s here, so the products alone take at least %.1f ms (%.1f ms); 3x torch's IG is %.1f ms" %
          (flops / 1e9, rows / 1e9, steps * T, d, d, d, rate / 1e9, 1e3 * flops / rate, 1e3 * rows / rate, t / 3))


if __name__ == "__main__":
    main()
