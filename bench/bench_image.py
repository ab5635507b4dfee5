#!/usr/bin/python3
"""Image explanations, limn against torch on this machine: the bundled Fashion-MNIST CNN
(data/fashion), 1 thread each, per image (the median over the images of the best of
REPEATS runs, milliseconds):
  forward    one image's probabilities
  gradient   d p[pred] / d x of one image
  gradcam    Grad-CAM at the last Conv on the predicted logit, upsampled to 28 x 28
  occlusion  4x4 windows, stride 2, fill 0: 169 occluded images in one batch, the mean
             difference per pixel (Captum's definition)
  ig50       Integrated Gradients from the black image, 50 Gauss-Legendre nodes in one
             batch
  lime1000   LIME on superpixels: 1000 on/off samples over the same SLIC segmentation
             (limn's, computed beforehand), hidden superpixels at their mean, the model
             in batches of 64 (limn's batch), cosine kernel 0.25, a weighted ridge (alpha 1)
limn's figures come from build/bench_image (C, in its own process); torch's are the same
computations written with torch (the network rebuilt from the ONNX file's weights).
ROUNDS alternates the two (limn, torch, limn, torch, ...) and keeps each side's best per
image: this VM has slow spells of tens of seconds that would otherwise fall on one side.
Usage: /usr/bin/python3 bench/bench_image.py [IMAGES (10)] [REPEATS (3)] [ROUNDS (2)]
"""
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "fixtures"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from _bench import best_of, limn_figures, rounds_best, table  # noqa: E402


def png_grey(path):
    """The 8-bit grey PNG the fixture script writes (one IDAT, filter 0 rows)."""
    import struct
    import zlib
    data = open(path, "rb").read()
    at, idat, w, h = 8, b"", 0, 0
    while at < len(data):
        n, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + n]
        if kind == b"IHDR":
            w, h = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        at += 12 + n
    raw = zlib.decompress(idat)
    return np.array([list(raw[r * (w + 1) + 1:(r + 1) * (w + 1)]) for r in range(h)], dtype=np.uint8)


def main():
    nimg = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    nround = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    binary = os.path.join(ROOT, "build", "bench_image")

    import torch
    import make_fashion
    F = torch.nn.functional
    torch.set_num_threads(1)
    net = make_fashion.load_cnn(os.path.join(ROOT, "data", "fashion", "fashion_cnn.onnx"))
    mean, sd = 0.286, 0.353
    imgs = [png_grey(os.path.join(ROOT, "data", "fashion", "images", "test_%02d.png" % i)) for i in range(nimg)]
    xs = [((torch.tensor(a, dtype=torch.float32) / 255.0 - mean) / sd)[None, None] for a in imgs]
    black = torch.full((1, 1, 28, 28), (0.0 - mean) / sd)
    nodes, weights = np.polynomial.legendre.leggauss(50)
    alphas = torch.tensor((nodes + 1) / 2, dtype=torch.float32)[:, None, None, None]
    gl_w = torch.tensor(weights / 2, dtype=torch.float32)[:, None, None, None]

    def forward(x):
        with torch.no_grad():
            return net(x)

    def gradient(x, k):
        xr = x.clone().requires_grad_(True)
        net(xr)[0, k].backward()
        return xr.grad

    def gradcam(x, k):
        a = net.maps(x).detach().requires_grad_(True)
        net.head(a)[0, k].backward()
        cam = F.relu((a.grad.mean(dim=(2, 3), keepdim=True) * a).sum(1, keepdim=True))
        return F.interpolate(cam, size=(28, 28), mode="bilinear", align_corners=False)

    windows = [(y, x) for y in range(0, 25, 2) for x in range(0, 25, 2)]

    def occlusion(x, k):
        with torch.no_grad():
            batch = x.repeat(len(windows), 1, 1, 1)
            for q, (y0, x0) in enumerate(windows):
                batch[q, :, y0:y0 + 4, x0:x0 + 4] = 0
            diff = net(x)[0, k] - net(batch)[:, k]
            tot = torch.zeros(28, 28)
            cnt = torch.zeros(28, 28)
            for q, (y0, x0) in enumerate(windows):
                tot[y0:y0 + 4, x0:x0 + 4] += diff[q]
                cnt[y0:y0 + 4, x0:x0 + 4] += 1
            return tot / cnt

    def ig(x, k):
        path = (black + alphas * (x - black)).requires_grad_(True)
        net(path)[:, k].sum().backward()
        return (x - black) * (path.grad * gl_w).sum(0, keepdim=True)

    rng = np.random.default_rng(0)

    def lime(x, k, seg):
        K = int(seg.max()) + 1
        z = rng.integers(0, 2, size=(1000, K)).astype(np.float32)
        z[0] = 1
        segt = torch.from_numpy(seg.astype(np.int64))
        fill = torch.zeros(K).index_add_(0, segt.view(-1), x.view(-1)) / torch.bincount(segt.view(-1), minlength=K)
        fudged = fill[segt][None, None]
        zt = torch.from_numpy(z)
        ys = []
        with torch.no_grad():
            for s in range(0, 1000, 64):
                mask = zt[s:s + 64][:, segt][:, None]  # (b, 1, 28, 28)
                ys.append(net(mask * x + (1 - mask) * fudged)[:, k])
        y = torch.cat(ys).numpy().astype(np.float64)
        on = z.sum(1)
        dist = 1 - np.sqrt(on / K)
        w = np.sqrt(np.exp(-dist ** 2 / 0.25 ** 2))
        A = np.hstack([z, np.ones((1000, 1))]) * np.sqrt(w)[:, None]
        reg = np.eye(K + 1)
        reg[K, K] = 0
        return np.linalg.solve(A.T @ A + reg, A.T @ (y * np.sqrt(w)))

    # SLIC labels: a grid of 4x4 cells (49 superpixels, what limn's SLIC gives a 28x28 image
    # of 50 asked, in number); the torch side's cost does not depend on their shape
    seg = (np.arange(28)[:, None] // 4) * 7 + (np.arange(28)[None, :] // 4)

    def torch_round():
        res = {m: [] for m in ["forward", "gradient", "gradcam", "occlusion", "ig50", "lime1000"]}
        for x in xs:
            k = int(forward(x).argmax())
            res["forward"].append(best_of(lambda: forward(x), reps))
            res["gradient"].append(best_of(lambda: gradient(x, k), reps))
            res["gradcam"].append(best_of(lambda: gradcam(x, k), reps))
            res["occlusion"].append(best_of(lambda: occlusion(x, k), reps))
            res["ig50"].append(best_of(lambda: ig(x, k), reps))
            res["lime1000"].append(best_of(lambda: lime(x, k, seg), reps))
        return res

    limn, res = rounds_best(nround, lambda: limn_figures(binary, ROOT, nimg, reps), torch_round)
    print("image explanations, Fashion-MNIST CNN, 1 thread, per image (median of %d images, best of %d, "
          "best of %d alternating rounds), ms" % (nimg, reps, nround))
    table(limn, res)
    print("%-10s %10.3f %10s %8s" % ("slic", limn["slic"], "-", "-"))
    floor(torch, net, res)


def floor(torch, net, res):
    """How fast each method could be at most on this core: its multiply-adds (the
    convolutions and the Linear layer; a backward pass to the input costs a forward's) at
    the best rate torch's own GEMM reaches here (a large square product), against the 5x
    target."""
    macs = []

    def count(mod, inp, out):
        if isinstance(mod, torch.nn.Conv2d):
            macs.append(out[0].numel() * mod.in_channels // mod.groups * mod.kernel_size[0] * mod.kernel_size[1])
        elif isinstance(mod, torch.nn.Linear):
            macs.append(mod.in_features * mod.out_features)
    hooks = [mm.register_forward_hook(count) for mm in net.modules()]
    with torch.no_grad():
        net(torch.zeros(1, 1, 28, 28))
    for h in hooks:
        h.remove()
    fwd = 2 * sum(macs)  # floating-point operations of one image's forward pass
    a, b = torch.randn(512, 512), torch.randn(512, 512)
    rate = 2 * 512 ** 3 / best_of(lambda: a @ b, 20)
    passes = {"occlusion": 170, "ig50": 100, "lime1000": 1000}  # IG: 50 forward and 50 backward
    print("# floor at torch's best GEMM rate here (%.0f GFLOP/s), %.2f MFLOP an image's forward pass:" %
          (rate / 1e9, fwd / 1e6))
    for m, k in passes.items():
        t = 1e3 * float(np.median(res[m]))
        print("#   %-10s %7.2f GFLOP, at least %6.2f ms; 5x torch is %6.2f ms" %
              (m, k * fwd / 1e9, 1e3 * k * fwd / rate, t / 5))


if __name__ == "__main__":
    main()
