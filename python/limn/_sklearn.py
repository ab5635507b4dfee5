"""scikit-learn MLPs as limn model files (docs/format.md, version 1): the exporter's
logic, shared by limn.Model.from_sklearn and tools/export_sklearn_mlp.py. Every column
is numeric (scikit-learn MLPs take numbers); a StandardScaler's mean_ and scale_ become
limn's standardisation, so the model takes raw rows. Class names are str(c) for c in
classes_. Needs no scikit-learn import: it reads the fitted attributes."""
import math
import struct

ACT = {"relu": 0, "tanh": 1, "logistic": 2, "identity": 3, "softmax": 4}


def _fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


class _W:
    def __init__(self):
        self.b = bytearray()

    def u8(self, v): self.b += struct.pack("<B", v)
    def u32(self, v): self.b += struct.pack("<I", v)
    def u64(self, v): self.b += struct.pack("<Q", v)
    def f32(self, v): self.b += struct.pack("<f", float(v))
    def f64(self, v): self.b += struct.pack("<d", float(v))

    def s(self, text):
        raw = text.encode("utf-8")
        self.u32(len(raw))
        self.b += raw

    def section(self, tag, body):
        self.b += tag.encode("ascii")
        self.u64(len(body))
        self.b += body


def _split(model):
    scaler = None
    if hasattr(model, "steps"):
        if len(model.steps) != 2:
            raise ValueError("pipeline must be (StandardScaler, MLP)")
        scaler, model = model.steps[0][1], model.steps[1][1]
    return scaler, model


def mlp_bytes(model, feature_names, target_name):
    """The limn model file (docs/format.md, version 1) of a scikit-learn MLPClassifier or
    MLPRegressor, or a Pipeline of a StandardScaler and one of them, as bytes."""
    scaler, mlp = _split(model)
    d = len(feature_names)
    if mlp.coefs_[0].shape[0] != d:
        raise ValueError("model takes %d inputs, %d feature names given" % (mlp.coefs_[0].shape[0], d))
    classifier = hasattr(mlp, "classes_")
    out_act = mlp.out_activation_
    schema = _W()
    schema.u32(d)
    for name in feature_names:
        schema.u8(0)
        schema.s(str(name))
    schema.s(target_name)
    if classifier:
        classes = [str(c) for c in mlp.classes_]
        if len(classes) == 2 and out_act != "logistic":
            raise ValueError("binary classifier without a logistic output")
        schema.u8(0)
        schema.u32(len(classes))
        for c in classes:
            schema.s(c)
    else:
        schema.u8(1)
        schema.u32(0)
    net = _W()
    net.u8(ACT[mlp.activation])
    net.u8(ACT[out_act])
    widths = [d] + [w.shape[1] for w in mlp.coefs_]
    net.u32(len(mlp.coefs_))
    for w in widths:
        net.u32(w)
    mean = scaler.mean_ if scaler is not None else [0.0] * d
    scale = scaler.scale_ if scaler is not None else [1.0] * d
    for v in mean:
        net.f32(v)
    for v in scale:
        net.f32(v)
    net.f64(0.0)
    net.f64(1.0)
    for W, b in zip(mlp.coefs_, mlp.intercepts_):
        # scikit-learn keeps W as (in, out); limn as (out, in)
        for row in W.T:
            for v in row:
                net.f32(v)
        for v in b:
            net.f32(v)
    train = _W()
    train.u32(getattr(mlp, "n_iter_", 0))
    train.u32(0)
    train.f64(math.nan)
    train.f64(math.nan)
    train.u64(0)
    train.u32(0)
    train.f64(0.0)
    train.f64(float(getattr(mlp, "alpha", 0.0)))
    train.f64(0.0)
    f = _W()
    f.b += b"LIMNMODL"
    f.u32(1)
    f.u32(0)
    f.section("SCHM", bytes(schema.b))
    f.section("MLP ", bytes(net.b))
    f.section("TRAN", bytes(train.b))
    h = _fnv1a64(bytes(f.b))
    end = _W()
    end.u64(h)
    f.section("END ", bytes(end.b))
    return bytes(f.b)


def is_mlp(model):
    """An MLP, or a (StandardScaler, MLP) pipeline: what mlp_bytes writes."""
    try:
        scaler, mlp = _split(model)
    except ValueError:
        return False
    if scaler is not None and type(scaler).__name__ != "StandardScaler":
        return False
    return type(mlp).__name__ in ("MLPClassifier", "MLPRegressor") and hasattr(mlp, "coefs_")
