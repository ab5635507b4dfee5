"""The Python package against the command line (the same library: the same numbers)
and against plain numpy. Run by `make test` (ctest: python) with LIMN_LIBRARY (the
shared library), LIMN_CLI (the limn program) and LIMN_SOURCE (the source tree) set."""
import csv
import hashlib
import ctypes
import json
import os
import subprocess
import threading

import numpy as np
import pytest

import limn

SRC = os.environ.get("LIMN_SOURCE", os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.environ.get("LIMN_CLI", os.path.join(SRC, "build", "limn"))


def cli(*args, cwd):
    r = subprocess.run([CLI] + list(args), cwd=cwd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def split_and_train(d, data, target, model):
    """The bundled data set split (stratified, seed 0) into d/tr.csv and d/te.csv, and
    limn's MLP trained on tr.csv into d/model, by the CLI."""
    cli("split", "--data", os.path.join(SRC, "data", data), "--stratify", target, "--seed", "0",
        "--train", "tr.csv", "--test", "te.csv", cwd=d)
    cli("train", "--data", "tr.csv", "--target", target, "--out", model, "--threads", "1", cwd=d)


@pytest.fixture(scope="module")
def bc(tmp_path_factory):
    """The breast-cancer split and limn's MLP trained on it, made by the CLI."""
    d = tmp_path_factory.mktemp("bc")
    split_and_train(d, "breast_cancer.csv", "diagnosis", "bc.limn")
    with open(d / "te.csv") as f:
        rows = list(csv.reader(f))
    X = np.array([[float(v) for v in r[:30]] for r in rows[1:]], dtype=np.float32)
    return d, limn.Model.load(d / "bc.limn"), X


def test_model_identity(bc):
    d, m, X = bc
    assert m.nfeatures == 30 and m.noutputs == 2
    assert m.output_names == ["malignant", "benign"]
    assert m.feature_names[0] == "mean radius"


def test_predict_equals_cli(bc):
    d, m, X = bc
    lines = cli("predict", "--model", "bc.limn", "--data", "te.csv", cwd=d).splitlines()
    want = np.array([[np.float32(v) for v in ln.split(",")] for ln in lines[1:]], dtype=np.float32)
    assert np.array_equal(m.predict(X), want)  # bit for bit: the CLI prints round-trip floats
    assert np.array_equal(m.predict(X, threads=1), m.predict(X, threads=2))


def strip(objs):
    for o in objs:
        o.pop("manifest", None)
    return objs


@pytest.mark.parametrize("method,extra", [("gradient", []), ("gradxinput", []), ("ig", []),
                                          ("ig", ["--quadrature", "gausslegendre", "--steps", "20"]),
                                          ("smoothgrad", ["--seed", "7", "--samples", "30"])])
def test_gradients_json_equals_cli(bc, method, extra):
    d, m, X = bc
    rows = [0, 3, 17]
    got = cli("explain", "--model", "bc.limn", "--data", "te.csv", "--rows", ",".join(map(str, rows)), "--method",
              method, "--format", "json", *extra, cwd=d)
    kw = {}
    if "--quadrature" in extra:
        kw = {"quadrature": "gausslegendre", "steps": 20}
    if "--seed" in extra:
        kw = {"seed": 7, "samples": 30, "row_ids": rows}
    ex = limn.gradients(m, X[rows], method=method, **kw)
    mine = ex.to_json(rows=rows, lines=[r + 2 for r in rows])
    assert strip(json.loads(mine)) == strip(json.loads(got))
    assert ex.weights.shape == (3, 30)
    # the weights are the JSON's, in the model's column order
    for i, o in enumerate(json.loads(mine)):
        for f in o["features"]:
            assert ex.weights[i, f["index"]] == f["weight"]


def test_ig_completeness(bc):
    d, m, X = bc
    ex = limn.gradients(m, X[:5], method="ig", quadrature="exact")
    p = m.predict(X[:5]).astype(np.float64)
    change = p[np.arange(5), ex.targets] - ex.base_values
    assert np.allclose(ex.weights.sum(axis=1), change, atol=1e-6)
    assert np.all(np.abs(ex.deltas) < 1e-6)


def test_array_layouts(bc):
    d, m, X = bc
    want = m.predict(X[:6])
    assert np.array_equal(m.predict(np.asfortranarray(X[:6])), want)
    assert np.array_equal(m.predict(X[:6].astype(np.float64)), want)
    wide = np.zeros((6, 60), dtype=np.float32)
    wide[:, ::2] = X[:6]
    assert np.array_equal(m.predict(wide[:, ::2]), want)  # a non-contiguous view
    assert m.predict(X[0]).shape == (1, 2)  # one row
    with pytest.raises(ValueError, match=r"rows must be \(n, 30\)"):
        m.predict(X[:, :29])
    with pytest.raises(ValueError, match="row 0, column 'mean radius': 'a' is not a number"):
        m.predict(np.array([["a"] * 30]))
    assert np.array_equal(m.predict(X[:2].astype(str)), m.predict(X[:2]))  # numbers as text are numbers
    with pytest.raises(TypeError, match="must be numbers"):
        m.predict(np.full((1, 30), 1j))
    bad = X[:2].copy()
    bad[1, 4] = np.nan
    with pytest.raises(ValueError, match=r"row 1, column 4 \('mean smoothness'\) is not finite"):
        m.predict(bad)


def test_library_errors():
    with pytest.raises(limn.Error, match="cannot open") as e:
        limn.Model.load("/nonexistent/model.limn")
    assert e.value.status == "LIMN_EIO"


def logistic(X):
    p = 1 / (1 + np.exp(-(X[:, 0] - 15)))
    return np.stack([p, 1 - p], axis=1)


def test_callable_model(bc):
    d, m, X = bc
    f = limn.Model.from_callable(logistic, m.feature_names, ["malignant", "benign"])
    assert np.allclose(f.predict(X[:10]), logistic(X[:10].astype(np.float64)), atol=1e-7)
    # the same model behind the library: its own predict as the callable gives the same numbers
    g = limn.Model.from_callable(lambda A: m.predict(A), m.feature_names, m.output_names)
    assert np.array_equal(g.predict(X), m.predict(X))
    # IG through finite differences on the callable: completeness holds to the rule's error
    ex = limn.gradients(f, X[:3], method="ig", steps=200)
    assert json.loads(ex.to_json())[0]["finite_differences"] is True
    p = logistic(X[:3].astype(np.float64))
    base = logistic(np.zeros((1, 30)))[0]
    change = p[np.arange(3), ex.targets] - base[ex.targets]
    assert np.allclose(ex.weights.sum(axis=1), change, atol=1e-3)


@pytest.mark.parametrize("fn,exc,text", [
    (lambda A: 1 / 0, ZeroDivisionError, "division by zero"),
    (lambda A: np.ones((len(A), 3)) / 3, ValueError, r"returned shape \(\d+, 3\)"),
    (lambda A: np.full((len(A), 2), np.nan), ValueError, "non-finite"),
    (lambda A: np.full((len(A), 2), 0.7), ValueError, "not probabilities"),
    (lambda A: np.full((len(A), 2), [1.5, -0.5]), ValueError, "not probabilities"),
])
def test_callable_failures(bc, fn, exc, text):
    d, m, X = bc
    f = limn.Model.from_callable(fn, m.feature_names, m.output_names)
    with pytest.raises(exc, match=text) as e:
        f.predict(X[:4])
    assert isinstance(e.value.__cause__, limn.Error)  # what the library said, chained
    with pytest.raises(exc, match=text):
        limn.gradients(f, X[:2], method="ig")
    # the model still works for the next call once the callable behaves
    ok = limn.Model.from_callable(logistic, m.feature_names, m.output_names)
    assert ok.predict(X[:1]).shape == (1, 2)


def test_bad_options(bc):
    d, m, X = bc
    with pytest.raises(ValueError, match="unknown method 'lrp'"):
        limn.gradients(m, X[:1], method="lrp")
    with pytest.raises(limn.Error, match="output 5 does not exist"):
        limn.gradients(m, X[:1], method="ig", target=5)


@pytest.mark.parametrize("extra,kw", [
    ([], {}),
    (["--num-samples", "5000", "--seed", "3"], {"num_samples": 5000, "seed": 3}),
    (["--discretizer", "decile", "--num-features", "5"], {"discretizer": "decile", "num_features": 5}),
    (["--compat", "lime", "--num-samples", "2000"], {"compat": True, "num_samples": 2000}),
])
def test_lime_json_equals_cli(bc, extra, kw):
    d, m, X = bc
    rows = [1, 4, 20]
    got = cli("explain", "--model", "bc.limn", "--data", "te.csv", "--rows", ",".join(map(str, rows)), "--method",
              "lime", "--format", "json", *extra, cwd=d)
    ex = limn.lime(m, X[rows], row_ids=rows, **kw)
    assert strip(json.loads(ex.to_json(rows=rows, lines=[r + 2 for r in rows]))) == strip(json.loads(got))
    sel = ~np.isnan(ex.std_errors)
    assert (sel.sum(axis=1) == kw.get("num_features", 10)).all()
    assert (ex.weights[~sel] == 0).all()


def test_lime_background_rows(bc):
    """Statistics computed from background rows in Python equal the CLI's --background."""
    d, m, X = bc
    with open(d / "tr.csv") as f:
        rows = list(csv.reader(f))
    B = np.array([[float(v) for v in r[:30]] for r in rows[1:]], dtype=np.float32)
    got = cli("explain", "--model", "bc.limn", "--data", "te.csv", "--rows", "2", "--method", "lime", "--background",
              "tr.csv", "--num-samples", "5000", "--format", "json", cwd=d)
    ex = limn.lime(m, X[[2]], background=B, num_samples=5000, row_ids=[2])
    assert strip(json.loads(ex.to_json(rows=[2], lines=[4]))) == strip(json.loads(got))


def test_lime_callable_equals_library_model(bc):
    """LIME needs only the model's answers: the MLP behind a Python callable gives the
    same explanation as the MLP itself (with the same background statistics)."""
    d, m, X = bc
    with open(d / "tr.csv") as f:
        rows = list(csv.reader(f))
    B = np.array([[float(v) for v in r[:30]] for r in rows[1:]], dtype=np.float32)
    g = limn.Model.from_callable(lambda A: m.predict(A), m.feature_names, m.output_names)
    a = limn.lime(m, X[:3], background=B, num_samples=5000)
    b = limn.lime(g, X[:3], background=B, num_samples=5000)
    assert np.array_equal(a.weights, b.weights) and np.array_equal(a.intercepts, b.intercepts)
    assert a.to_json() == b.to_json()


@pytest.mark.parametrize("extra,kw", [
    (["--estimator", "kernel"], {"estimator": "kernel"}),
    (["--estimator", "sampling", "--seed", "5"], {"estimator": "sampling", "seed": 5}),
    (["--estimator", "permutation", "--link", "logit"], {"estimator": "permutation", "link": "logit"}),
])
def test_shap_json_equals_cli(bc, extra, kw):
    d, m, X = bc
    with open(d / "tr.csv") as f:
        head = [next(f) for _ in range(41)]  # 40 rows: under --background-size, so the CLI uses them all
    (d / "bg40.csv").write_text("".join(head))
    B = np.array([[float(v) for v in ln.strip().split(",")[:30]] for ln in head[1:]], dtype=np.float32)
    rows = [0, 9]
    got = cli("explain", "--model", "bc.limn", "--data", "te.csv", "--rows", "0,9", "--method", "shap",
              "--background", "bg40.csv", "--format", "json", *extra, cwd=d)
    ex = limn.shap(m, X[rows], B, row_ids=rows, **kw)
    assert strip(json.loads(ex.to_json(rows=rows, lines=[r + 2 for r in rows]))) == strip(json.loads(got))
    # efficiency: the values share out the change from the background's mean output
    assert np.allclose(ex.weights.sum(axis=1) - (ex.outputs - ex.base_values), ex.deltas, atol=1e-9)


def test_ctrl_c_cancels_c_work(bc):
    """A SIGINT during long C work (LIME on many rows) stops it through the library's
    cancel hook: KeyboardInterrupt, caused by the library's LIMN_ECANCELED (had the
    work run to its end, there would be no such cause)."""
    import signal
    d, m, X = bc
    many = np.repeat(X, 20, axis=0)  # 2840 rows: tens of seconds of LIME
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt) as e:
            limn.lime(m, many, threads=1)
    finally:
        timer.cancel()
    assert isinstance(e.value.__cause__, limn.Error) and e.value.__cause__.status == "LIMN_ECANCELED"
    assert limn.lime(m, X[:1]).weights.shape == (1, 30)  # and the next call works


def sklearn_mlp():
    sk = pytest.importorskip("sklearn")  # Debian's python3-sklearn (scripts/setup installs it)
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    data = np.genfromtxt(os.path.join(SRC, "data", "breast_cancer.csv"), delimiter=",", skip_header=1,
                         dtype=None, encoding=None)
    X = np.array([list(r)[:30] for r in data], dtype=np.float64)
    y = np.array([r[30] for r in data])
    import warnings
    with warnings.catch_warnings():  # a short training: convergence does not matter here
        warnings.simplefilter("ignore")
        est = make_pipeline(StandardScaler(), MLPClassifier((16,), max_iter=300, random_state=0)).fit(X, y)
    return sk, est, X


def test_from_sklearn_mlp_matches_predict_proba(bc):
    d, m, _ = bc
    sk, est, X = sklearn_mlp()
    f = limn.Model.from_sklearn(est, feature_names=m.feature_names, target_name="diagnosis")
    assert f.kind == "mlp" and f.output_names == [str(c) for c in est.classes_]
    assert np.abs(f.predict(X).astype(np.float64) - est.predict_proba(X)).max() < 1e-6
    # the same estimator as a callable gives the same LIME explanation (LIME needs only answers)
    g = limn.Model.from_callable(lambda A: est.predict_proba(A), m.feature_names, f.output_names)
    a = limn.lime(f, X[:2], background=X[:200], num_samples=5000)
    b = limn.lime(g, X[:2], background=X[:200], num_samples=5000)
    assert np.abs(a.weights - b.weights).max() < 1e-5  # float32 vs float64 answers of one network


def test_from_sklearn_other_classifier(bc):
    d, m, _ = bc
    sk, _, X = sklearn_mlp()
    from sklearn.linear_model import LogisticRegression
    est = LogisticRegression(max_iter=2000).fit(X, (X[:, 0] > 14).astype(int))
    f = limn.Model.from_sklearn(est)
    assert f.kind == "callback" and f.feature_names[:2] == ["x0", "x1"]
    assert np.allclose(f.predict(X[:5]), est.predict_proba(X[:5]), atol=1e-6)


def test_data_frames_and_renderings(bc):
    pd = pytest.importorskip("pandas")  # Debian's python3-pandas (scripts/setup installs it)
    d, m, X = bc
    df = pd.read_csv(d / "te.csv")  # the label column too, and in the file's order
    shuffled = df[list(reversed(df.columns))]
    assert np.array_equal(m.predict(shuffled), m.predict(X))  # columns by name
    with pytest.raises(ValueError, match="lacks the model's column"):
        m.predict(df.drop(columns=["mean radius"]))
    ex = limn.gradients(m, df.iloc[:3], method="ig")
    fr = ex.to_frame()
    assert list(fr.columns[:3]) == ["class", "output", "base_value"] and fr.shape == (3, 33)
    assert np.array_equal(fr[m.feature_names].to_numpy(), ex.weights)
    # the text and SVG are the CLI's (same renderer): compare with `limn explain`
    for method, kw in (("ig", {}), ("smoothgrad", {"row_ids": [0, 1, 2]})):
        text = cli("explain", "--model", "bc.limn", "--data", "te.csv", "--rows", "0,1,2", "--method", method, cwd=d)
        mine = limn.gradients(m, df.iloc[:3], method=method, **kw).to_text()
        assert mine == text.replace(" (line 2)", "").replace(" (line 3)", "").replace(" (line 4)", "")
    text = cli("explain", "--model", "bc.limn", "--data", "te.csv", "--rows", "0,1,2", "--method", "lime",
               "--num-samples", "5000", cwd=d)
    mine = limn.lime(m, X[:3], num_samples=5000, row_ids=[0, 1, 2]).to_text()
    assert mine == text.replace(" (line 2)", "").replace(" (line 3)", "").replace(" (line 4)", "")
    svg = ex._repr_html_()
    assert svg.startswith('<div class="limn"><svg') and "<script" not in svg


def bc_arrays():
    data = np.genfromtxt(os.path.join(SRC, "data", "breast_cancer.csv"), delimiter=",", skip_header=1,
                         dtype=None, encoding=None)
    # limn's rows are float32: give scikit-learn the same values (HistGradientBoosting
    # compares in double, so a float64 row can fall on the other side of a threshold)
    X = np.array([list(r)[:30] for r in data], dtype=np.float32).astype(np.float64)
    y = np.array([r[30] for r in data])
    return X, y


@pytest.mark.parametrize("kind", ["RandomForestClassifier", "HistGradientBoostingClassifier",
                                  "GradientBoostingRegressor"])
def test_from_sklearn_trees(bc, tmp_path, kind):
    pytest.importorskip("sklearn")
    from sklearn import ensemble
    d, m, _ = bc
    X, y = bc_arrays()
    cls = getattr(ensemble, kind)
    kw = {"max_iter": 20} if kind.startswith("Hist") else {"n_estimators": 20}
    est = cls(random_state=0, max_depth=4, **kw)
    est.fit(X, (y == "benign").astype(float) if kind.endswith("Regressor") else y)
    f = limn.Model.from_sklearn(est, feature_names=m.feature_names, target_name="diagnosis")
    assert f.kind == "sklearn" and f.is_trees
    want = est.predict_proba(X) if hasattr(est, "predict_proba") else est.predict(X).reshape(-1, 1)
    assert np.abs(f.predict(X).astype(np.float64) - want).max() < 1e-6
    # path-dependent TreeSHAP needs no background; efficiency: base + sum = the raw output
    ex = limn.shap(f, X[:5])
    assert np.abs(ex.base_values + ex.weights.sum(axis=1) - ex.outputs).max() < 1e-5
    # and it is the CLI's on the exporter tool's file, byte for byte
    tool = os.path.join(SRC, "tools", "export_sklearn_trees.py")
    import pickle
    with open(tmp_path / "m.pkl", "wb") as fh:
        pickle.dump(est, fh)
    subprocess.run(["/usr/bin/python3", tool, str(tmp_path / "m.pkl"), "--out", str(tmp_path / "m.json"),
                    "--features", ",".join(m.feature_names), "--target", "diagnosis"], check=True)
    with open(d / "te.csv") as src, open(tmp_path / "te_x.csv", "w") as dst:  # no label column
        dst.writelines(",".join(ln.rstrip("\n").split(",")[:30]) + "\n" for ln in src)
    got = json.loads(cli("explain", "--model", "m.json", "--data", "te_x.csv", "--rows", "0-4", "--method", "shap",
                         "--format", "json", cwd=tmp_path))
    te = np.genfromtxt(tmp_path / "te_x.csv", delimiter=",", skip_header=1)
    mine = json.loads(limn.shap(f, te[:5]).to_json(rows=range(5), lines=range(2, 7)))
    assert strip(mine) == strip(got)


def test_from_xgboost(bc):
    xgb = pytest.importorskip("xgboost")  # Debian's python3-xgboost
    d, m, _ = bc
    X, y = bc_arrays()
    est = xgb.XGBClassifier(n_estimators=20, max_depth=3, random_state=0, n_jobs=1)
    est.fit(X, (y == "benign").astype(int))
    f = limn.Model.from_sklearn(est, feature_names=m.feature_names)
    assert f.kind == "xgboost" and f.feature_names == m.feature_names and f.output_names == ["0", "1"]
    assert np.abs(f.predict(X).astype(np.float64) - est.predict_proba(X)).max() < 1e-6
    g = limn.Model.from_sklearn(est.get_booster())
    assert g.feature_names[:2] == ["f0", "f1"] and np.array_equal(g.predict(X), f.predict(X))


def test_load_onnx_with_names(tmp_path):
    from limn import _capi
    if not _capi.have_onnx():
        pytest.skip("this liblimn was built without ONNX (LIMN_WITH_ONNX=OFF)")
    onnx = os.path.join(SRC, "tests", "fixtures", "onnx", "bc_torch_op13.onnx")
    X, _ = bc_arrays()
    names = open(os.path.join(SRC, "data", "breast_cancer.csv")).readline().strip().split(",")[:30]
    m = limn.Model.load(onnx, feature_names=names, class_names=["malignant", "benign"], target="diagnosis")
    assert m.kind == "onnx" and m.feature_names == names and m.output_names == ["malignant", "benign"]
    # torch's own probabilities for rows 0..19 (the fixture's generator)
    ref = np.loadtxt(os.path.join(SRC, "tests", "fixtures", "onnx", "bc_torch_ref.txt"))[:, :2]
    assert np.abs(m.predict(X[:20]) - ref).max() < 1e-5
    with open(os.path.join(SRC, "data", "breast_cancer.csv")) as src, open(tmp_path / "bc20.csv", "w") as dst:
        dst.writelines(src.readlines()[:21])
    lines = cli("predict", "--model", onnx, "--data", "bc20.csv", "--target", "diagnosis", cwd=tmp_path).splitlines()
    assert np.array_equal(m.predict(X[:20]), np.array([[np.float32(v) for v in ln.split(",")] for ln in lines[1:]]))
    bare = limn.Model.load(onnx)  # the graph alone: its input width, generic names
    assert bare.nfeatures == 30 and bare.feature_names[0] != names[0]
    with pytest.raises(ValueError, match="output_kind"):
        limn.Model.load(onnx, output_kind="odds")
    with pytest.raises(ValueError, match="ONNX"):
        limn.Model.load(os.path.join(SRC, "tests", "fixtures", "sklearn_bc.limn"), feature_names=names)


@pytest.fixture(scope="module")
def credit(tmp_path_factory):
    """credit-g (13 categorical columns) split to CSV and a limn MLP trained on it."""
    d = tmp_path_factory.mktemp("credit")
    split_and_train(d, "credit-g.arff", "class", "cr.limn")
    return d, limn.Model.load(d / "cr.limn")


def test_categorical_columns(credit):
    pd = pytest.importorskip("pandas")
    d, m = credit
    assert len(m.categories) == 13 and m.categories["foreign_worker"] == ["yes", "no"]
    df = pd.read_csv(d / "te.csv")  # object columns of category names
    got = cli("explain", "--model", "cr.limn", "--data", "te.csv", "--rows", "0-2", "--method", "lime",
              "--num-samples", "5000", "--format", "json", cwd=d)
    ex = limn.lime(m, df.iloc[:3], num_samples=5000)
    assert strip(json.loads(ex.to_json(rows=range(3), lines=range(2, 5)))) == strip(json.loads(got))
    codes = ex.x
    assert codes[0, m.feature_names.index("foreign_worker")] == 0  # 'yes'
    # the same rows as a pandas categorical column, as a NumPy object array, and as codes
    dfc = df.astype({"purpose": "category", "housing": "category"})
    objs = df[m.feature_names].to_numpy(dtype=object)
    for rows in (dfc.iloc[:3], objs[:3], codes):
        assert np.array_equal(limn.lime(m, rows, num_samples=5000).weights, ex.weights)
    # a callable over codes, told the categories, gives the same LIME explanation
    f = limn.Model.from_callable(lambda A: m.predict(A), m.feature_names, m.output_names, categories=m.categories)
    assert f.categories == m.categories
    assert np.array_equal(limn.lime(f, df.iloc[:3], background=pd.read_csv(d / "tr.csv"), num_samples=5000).weights,
                          limn.lime(m, df.iloc[:3], background=pd.read_csv(d / "tr.csv"), num_samples=5000).weights)
    bad = df.iloc[:3].copy()
    bad.loc[bad.index[1], "housing"] = "castle"
    with pytest.raises(ValueError, match=r"row 1, column 'housing': 'castle' is not one of its categories"):
        m.predict(bad)
    with pytest.raises(limn.Error, match=r"row 0, column 'housing': 7 is not a category code \(0..2\)"):
        m.predict(np.where(np.arange(codes.shape[1]) == m.feature_names.index("housing"), 7, codes[:1]))
    with pytest.raises(ValueError, match="column 'duration': 'long' is not a number"):
        m.predict(np.where(np.arange(20) == 1, "long", objs[:1]).astype(object))
    with pytest.raises(ValueError, match="categories for unknown column"):
        limn.Model.from_callable(lambda A: A, ["a", "b"], ["x", "y"], categories={"c": ["p", "q"]})


@pytest.mark.parametrize("space,extra", [("input", ["--standardize", "--pca", "5"]), ("hidden:2", []),
                                         ("output", ["--method", "barnes-hut"]), ("attribution:ig", []),
                                         ("attribution:lime", []),
                                         ("input", ["--knn", "approx", "--perplexity", "5"])])
def test_tsne_equals_cli(bc, tmp_path, space, extra):
    """limn.tsne and `limn embed` give the same map, byte for byte, and the same figures;
    placing new rows (transform) likewise."""
    d, m, X = bc
    labels = [r[30] for r in list(csv.reader(open(d / "te.csv")))[1:]]
    model = [] if space == "input" else ["--model", str(d / "bc.limn")]
    target = ["--target", "diagnosis"]
    cli("embed", "--data", str(d / "te.csv"), "--out", "map.csv", "--svg", "map.svg", "--space", space,
        "--iterations", "300", "--highlight", "3,17", *(model + target + extra), cwd=tmp_path)
    kw = {"standardize": True, "pca": 5} if extra[:1] == ["--standardize"] else {}
    if extra[:1] == ["--method"]:
        kw["method"] = extra[1]
    if extra[:1] == ["--knn"]:
        kw.update(knn="approx", perplexity=5)
    mp = limn.tsne(X if not model else X, model=m if model else None, space=space, labels=labels,
                   iterations=300, **kw)
    assert mp.to_csv() == (tmp_path / "map.csv").read_text()
    assert mp.to_svg(highlight=[3, 17]) == (tmp_path / "map.svg").read_text()
    side = json.loads((tmp_path / "map.csv.json").read_text())
    assert (mp.kl, mp.knn10_preservation, mp.knn10_accuracy) == (side["kl"], side["knn10_preservation"],
                                                                 side["knn10_accuracy"])
    if space not in ("input", "hidden:2"):
        return
    new = X[::7] + 0.01 * X[::7]  # new rows, a little off the mapped ones
    with open(tmp_path / "new.csv", "w") as f:
        f.write(",".join(m.feature_names) + "\n")
        for r in new:
            f.write(",".join(repr(float(v)) for v in r) + "\n")
    cli("embed", "--transform", "map.csv", "--data", "new.csv", "--out", "placed.csv", "--svg", "placed.svg",
        *model, cwd=tmp_path)
    placed = mp.transform(new)
    assert placed.to_csv() == (tmp_path / "placed.csv").read_text()
    assert placed.to_svg() == (tmp_path / "placed.svg").read_text()
    assert placed.kl == json.loads((tmp_path / "placed.csv.json").read_text())["kl"]


def test_tsne_checks_and_thread_independence(bc):
    d, m, X = bc
    a = limn.tsne(X[:60], iterations=100, perplexity=10, threads=1)
    b = limn.tsne(X[:60], iterations=100, perplexity=10, threads=2)
    assert np.array_equal(a.y, b.y) and a.y.shape == (60, 2) and np.isnan(a.knn10_accuracy)
    with pytest.raises(ValueError, match="hidden:1..hidden:2"):
        limn.tsne(X[:20], model=m, space="hidden:3")
    with pytest.raises(ValueError, match="space 'output' needs a model"):
        limn.tsne(X[:20], space="output")
    with pytest.raises(ValueError, match="space must be"):
        limn.tsne(X[:20], model=m, space="pixels")
    with pytest.raises(ValueError, match="needs a tree model"):
        limn.tsne(X[:20], model=m, space="attribution:shap")
    with pytest.raises(ValueError, match="one label per row"):
        limn.tsne(X[:20], labels=["a"] * 3)
    with pytest.raises(limn.Error, match="perplexity"):
        limn.tsne(X[:5])  # too few rows for perplexity 30


def test_tsne_categorical_input(credit, tmp_path):
    pd = pytest.importorskip("pandas")
    d, m = credit
    cli("embed", "--model", str(d / "cr.limn"), "--data", str(d / "te.csv"), "--target", "class", "--standardize",
        "--iterations", "200", "--out", "map.csv", cwd=tmp_path)
    df = pd.read_csv(d / "te.csv")
    mp = limn.tsne(df, model=m, labels=df["class"], standardize=True, iterations=200)
    assert mp.features.shape[1] == 7 + sum(len(c) for c in m.categories.values())  # one-hot categories
    assert mp.to_csv() == (tmp_path / "map.csv").read_text()


def test_report_equals_cli(bc, tmp_path, monkeypatch):
    """limn.report writes `limn report`'s page byte for byte (SHAP's background sampled
    as the CLI samples it, descriptions, favourable class, provenance)."""
    d, _, X = bc
    args = ["--model", "bc.limn", "--data", "te.csv", "--rows", "0,3", "--background", "tr.csv", "--summary-max",
            "10", "--describe", os.path.join(SRC, "data", "breast_cancer.describe.csv"), "--favourable", "benign",
            "--reasons-from", "shap", "--out", str(tmp_path / "cli.html")]
    cli("report", *args, cwd=d)
    monkeypatch.chdir(d)  # the paths as the CLI was given them (they are shown on the page)
    m = limn.Model.load("bc.limn")
    m.read_descriptions(os.path.join(SRC, "data", "breast_cancer.describe.csv"))
    page = limn.report(m, "te.csv", rows=[0, 3], background="tr.csv", summary_max=10, favourable="benign",
                       reasons_from="shap", command="limn report " + " ".join(args), out=str(tmp_path / "py.html"))
    assert page == (tmp_path / "cli.html").read_text() == (tmp_path / "py.html").read_text()
    # rows from memory: the same explanations, the page says where the data came from
    labels = [r[30] for r in list(csv.reader(open(d / "te.csv")))[1:]]
    mem = limn.report(m, X, rows=[0, 3], labels=labels, background=X[:50], summary_max=0, map="none")
    assert "data in memory" in mem and "<script" not in mem and mem.startswith("<!DOCTYPE html>")
    with pytest.raises(ValueError, match="beyond the data's"):
        limn.report(m, X, rows=[0, 10 ** 6])
    with pytest.raises(ValueError, match="favourable"):
        limn.report(m, X, rows=[0], favourable="maybe")
    with pytest.raises(ValueError, match="is not one of the model's classes"):
        limn.report(m, X, rows=[0], labels=["x"] * len(X))
    with pytest.raises(limn.Error, match="hidden"):
        limn.report(m, X, rows=[0], map="hidden:9")


def test_shap_groups_equal_cli(bc, tmp_path):
    d, m, X = bc
    group = {f: ("mean" if f.startswith("mean ") else "error" if f.endswith(" error") else "worst")
             for f in m.feature_names}
    with open(tmp_path / "groups.csv", "w") as f:
        f.write("column,group\n" + "".join('"%s",%s\n' % kv for kv in group.items()))
    tr = np.array([[float(v) for v in r[:30]] for r in list(csv.reader(open(d / "tr.csv")))[1:]], dtype=np.float32)
    got = cli("explain", "--model", "bc.limn", "--data", "te.csv", "--method", "shap", "--background", "tr.csv",
              "--background-size", "1000", "--rows", "0,1", "--groups", str(tmp_path / "groups.csv"),
              "--format", "json", cwd=d)
    ex = limn.shap(m, X[:2], background=tr, groups=group)
    assert strip(json.loads(ex.to_json(rows=[0, 1], lines=[2, 3]))) == strip(json.loads(got))
    assert np.count_nonzero(ex.weights[0]) == 3  # three players, each on its first column
    with pytest.raises(ValueError, match="no column 'nope'"):
        limn.shap(m, X[:1], background=tr[:5], groups={"nope": "a"})


def test_shap_interactions_against_xgboost(bc):
    xgb = pytest.importorskip("xgboost")
    d, m, _ = bc
    X, y = bc_arrays()
    est = xgb.XGBClassifier(n_estimators=10, max_depth=3, random_state=0, n_jobs=1).fit(X, (y == "benign").astype(int))
    f = limn.Model.from_sklearn(est)
    mine = limn.shap_interactions(f, X[:5], target=1)
    want = est.get_booster().predict(xgb.DMatrix(X[:5].astype(np.float32)), pred_interactions=True)
    assert mine.shape == want.shape == (5, 31, 31)
    assert np.abs(mine - want).max() < 1e-5
    # a row of the matrix sums to TreeSHAP's value of that column (explaining class 1's margin)
    sv = limn.shap(f, X[:5], estimator="tree", target=1, space="logit")
    assert np.abs(mine[:, :30, :].sum(axis=2) - sv.weights).max() < 1e-5
    with pytest.raises(limn.Error):
        limn.shap_interactions(m, X[:2].astype(np.float32))  # an MLP: not a tree model


class _MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                    "fsmblks", "uordblks", "fordblks", "keepcost")]


def _heap_in_use():
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = _MallInfo2
    info = libc.mallinfo2()
    return info.uordblks + info.hblkhd


def test_no_leaked_library_objects(bc, tmp_path):
    """Models, contexts, explanations, statistics, data sets and maps are freed, on
    success and on every error path: the C heap does not grow over many rounds."""
    d, m, X = bc
    import gc

    def boom(A):
        raise RuntimeError("no")

    def round_():
        m.predict(X[:20])
        limn.gradients(m, X[:3], method="ig").weights
        limn.lime(m, X[:2], background=X[:50], num_samples=500).to_json()
        limn.shap(m, X[:1], background=X[:10]).to_text()
        limn.tsne(X[:40], perplexity=5, iterations=20).to_svg()
        limn.report(m, X[:30], rows=[0], background=X[:20], summary_max=0, map="none", num_samples=500)
        f = limn.Model.from_callable(boom, m.feature_names, m.output_names)
        with pytest.raises(RuntimeError):
            limn.lime(f, X[:1], background=X[:20], num_samples=100)
        with pytest.raises(limn.Error):
            limn.Model.load(tmp_path / "missing.limn")
        with pytest.raises(limn.Error):
            limn.tsne(X[:5])
        f.close()

    for _ in range(30):  # warm up: caches, interned strings, numpy's pools
        round_()
    gc.collect()
    before = _heap_in_use()
    for _ in range(60):
        round_()
    gc.collect()
    grown = _heap_in_use() - before
    assert grown < 60 * 1024, "the heap grew by %d bytes over 60 rounds" % grown


def test_callable_regression(bc):
    pytest.importorskip("sklearn")
    from sklearn.linear_model import Ridge
    d, m, _ = bc
    X, y = bc_arrays()
    X = X[:, :8]  # exact Shapley values: at most 20 players
    est = Ridge(alpha=1.0).fit(X, X[:, 0] * 2 + X[:, 1])
    f = limn.Model.from_sklearn(est, feature_names=m.feature_names[:8], target_name="size")
    assert f.kind == "callback" and f.output_names == ["size"] and f.noutputs == 1
    assert np.abs(f.predict(X[:5])[:, 0] - est.predict(X[:5].astype(np.float32))).max() < 1e-4
    # a linear model's exact Shapley values: coef_j (x_j - mean of the background's x_j)
    bg = X[:20].astype(np.float32)
    ex = limn.shap(f, X[20:22], background=bg, estimator="exact")
    want = est.coef_ * (X[20:22].astype(np.float32) - bg.astype(np.float64).mean(axis=0))
    assert np.abs(ex.weights - want).max() < 1e-3 * np.abs(want).max()
    with pytest.raises(ValueError, match=r"expected \(3, 1\) or \(3,\)"):
        limn.Model.from_callable(lambda A: np.zeros((len(A), 2)), ["a", "b"]).predict(np.zeros((3, 2)))


def test_wide_format_reads_back(bc):
    """`limn explain --format wide` is a plain CSV numpy reads: a row per explanation,
    the same numbers as the package's (the same library)."""
    d, m, X = bc
    out = cli("explain", "--model", "bc.limn", "--data", "te.csv", "--method", "ig", "--format", "wide",
              "--block-rows", "16", cwd=d)
    with open(d / "wide.csv", "w") as f:
        f.write(out)
    w = np.genfromtxt(d / "wide.csv", delimiter=",", names=True, dtype=None, encoding=None)
    ex = limn.gradients(m, X, method="ig")
    assert len(w) == len(X) and list(w["row"]) == list(range(len(X)))
    assert np.array_equal(np.array([list(r)[6:] for r in w], dtype=np.float64), ex.weights)
    assert np.array_equal(w["output"], ex.outputs) and np.array_equal(w["delta"], ex.deltas)
    assert [str(c) for c in w["class"]] == [m.output_names[t] for t in ex.targets]


def test_npy_format_maps_without_copy(bc):
    """`limn explain --format npy` is a .npy numpy maps as it is: the wide columns
    (class as its index), the package's numbers."""
    d, m, X = bc
    cli("explain", "--model", "bc.limn", "--data", "te.csv", "--method", "smoothgrad", "--format", "npy",
        "--block-rows", "10", "--out", "e.npy", cwd=d)
    a = np.load(d / "e.npy", mmap_mode="r")
    assert isinstance(a, np.memmap) and a.dtype == np.float64 and a.shape == (len(X), 6 + m.nfeatures)
    ex = limn.gradients(m, X, method="smoothgrad", row_ids=range(len(X)))
    assert np.array_equal(a[:, 0], np.arange(len(X))) and np.array_equal(a[:, 1], ex.targets)
    assert np.array_equal(a[:, 2], ex.outputs) and np.array_equal(a[:, 6:], ex.weights)
    assert np.isnan(a[:, 3]).all() and (a[:, 5] == 1).all()  # SmoothGrad: no base value; no diagnostics


# ---- images (docs/images.md) ----

def test_read_image_png():
    """limn.read_image against the samples the fixture script wrote into the PNG."""
    if not limn._capi.image_supported():
        pytest.skip("built without PNG and JPEG")
    a = limn.read_image(os.path.join(SRC, "tests", "fixtures", "images", "png_rgb8.png"))
    with open(os.path.join(SRC, "tests", "fixtures", "images", "png_rgb8.txt")) as f:
        w, h, c = (int(v) for v in f.readline().split())
        want = np.array([float(v) for v in f.read().split()]).reshape(h, w, c)
    assert a.dtype == np.float32 and a.shape == (h, w, c)
    assert np.allclose(a, want, atol=1e-7)
    with pytest.raises(limn.Error) as e:
        limn.read_image(os.path.join(SRC, "tests", "fixtures", "images", "bad_cut.png"))
    assert e.value.status == "LIMN_EFORMAT" and "bad_cut.png" in str(e.value)


def test_lime_image_equals_cli(tmp_path):
    """LIME on superpixels from Python: the CLI's weights for the same image, bit for bit
    (the rows normalised as the CLI does: in double, then to float)."""
    if not limn._capi.image_supported():
        pytest.skip("built without PNG and JPEG")
    fd = os.path.join(SRC, "data", "fashion")
    m = limn.Model.load(os.path.join(fd, "fashion_cnn.onnx"))
    a = limn.read_image(os.path.join(fd, "images", "test_01.png"))
    x = ((a[:, :, 0].astype(np.float64) - 0.286) / 0.353).astype(np.float32).reshape(1, -1)
    ex = limn.lime_image(m, x, num_samples=300, row_ids=[1])
    out = cli("explain", "--model", os.path.join(fd, "fashion_cnn.onnx"), "--images", os.path.join(fd, "images"),
              "--mean", "0.286", "--std", "0.353", "--rows", "1", "--method", "lime-image", "--num-samples", "300",
              "--format", "wide", cwd=tmp_path)
    row = list(csv.reader(out.splitlines()))[1]
    assert np.array_equal(ex.weights[0], np.array([float(v) for v in row[6:]]))
    assert ex.method == "lime-image" and len(np.unique(ex.weights[0])) <= 60  # one weight per superpixel


def test_images_equal_cli(tmp_path):
    """The CLI's --images, --sanity and --overlay from Python: image_rows gives the rows
    the CLI makes (the same probabilities bit for bit); Grad-CAM, occlusion and IG from a
    black image through gradients() give the CLI's weights bit for bit; sanity() the
    CLI's rank correlations; overlay() + write_png() the CLI's overlay PNG byte for byte."""
    if not limn._capi.image_supported() or not limn._capi.have_onnx():
        pytest.skip("built without PNG/JPEG or ONNX")
    fd = os.path.join(SRC, "data", "fashion")
    mp = os.path.join(fd, "fashion_cnn.onnx")
    m = limn.Model.load(mp)
    files = [os.path.join(fd, "images", "test_%02d.png" % i) for i in range(3)]
    x = limn.image_rows(m, files, mean=0.286, std=0.353)
    base = ["--model", mp, "--images", os.path.join(fd, "images"), "--mean", "0.286", "--std", "0.353"]
    rows = list(csv.reader(cli("predict", *base, cwd=tmp_path).splitlines()))[1:4]
    assert np.array_equal(m.predict(x), np.array([[float(v) for v in r[1:]] for r in rows], dtype=np.float32))
    # an array image and a colour one converted to the model's grey, resized: as from the file
    a = limn.read_image(files[1])
    assert np.array_equal(limn.image_rows(m, a, mean=0.286, std=0.353)[0], x[1])
    rgb = np.repeat(np.pad(a, ((2, 2), (2, 2), (0, 0)), mode="edge"), 3, axis=2)
    assert limn.image_rows(m, rgb, mean=0.286, std=0.353).shape == (1, 784)
    with pytest.raises(ValueError, match="32 x 32 pixels, the model takes 28 x 28"):
        limn.image_rows(m, rgb, resize=False)
    black = limn.image_rows(m, np.zeros((28, 28)), mean=0.286, std=0.353)
    for method, kw, args in (("gradcam", {}, []), ("occlusion", {"window": (4, 4), "stride": (2, 2)},
                                                   ["--window", "4x4", "--stride", "2x2"])):
        e = limn.gradients(m, x[:2], method=method, **kw)
        out = cli("explain", *base, "--rows", "0,1", "--method", method, *args, "--format", "wide", cwd=tmp_path)
        want = np.array([[float(v) for v in r[6:]] for r in list(csv.reader(out.splitlines()))[1:]])
        assert np.array_equal(e.weights, want), method
    e = limn.gradients(m, x[:2], method="ig", baseline=black)
    for i, l in enumerate(cli("explain", *base, "--rows", "0,1", "--method", "ig", "--baseline", "black", "--top",
                              "0", "--format", "jsonl", cwd=tmp_path).splitlines()):
        d = json.loads(l)
        want = np.zeros(784)
        for f in d["features"]:
            want[f["index"]] = f["weight"]
        assert np.array_equal(e.weights[i], want) and e.deltas[i] == d["delta"]
    r, _, _ = limn.sanity(m, x[:2], layers=1, method="gradient")
    j = [json.loads(l) for l in cli("explain", *base, "--rows", "0,1", "--method", "gradient", "--sanity", "1",
                                    "--format", "jsonl", cwd=tmp_path).splitlines()]
    assert np.array_equal(r, [d["sanity_rank_correlation"] for d in j])
    e = limn.gradients(m, x[:1], method="ig", baseline=black)
    ov = limn.overlay(limn.image_from_row(m, x[0], 0.286, 0.353), e.weights[0])
    limn.write_png(str(tmp_path / "mine.png"), ov)
    cli("explain", *base, "--rows", "0", "--method", "ig", "--baseline", "black", "--overlay", str(tmp_path / "ov"),
        cwd=tmp_path)
    assert (tmp_path / "mine.png").read_bytes() == (tmp_path / "ov" / "test_00.png").read_bytes()


def test_text_model_equals_cli(tmp_path):
    """A transformer text classifier from Python (limn.TextModel): the CLI's
    probabilities, IG weights per token and deletion AOPCs bit for bit, torch's
    probabilities for a text (tests/fixtures/text/spam_ref.txt), and the library's page."""
    if not limn._capi.have_onnx():
        pytest.skip("built without ONNX")
    sd = os.path.join(SRC, "data", "spam")
    m = limn.TextModel(os.path.join(sd, "spam_transformer.onnx"), os.path.join(sd, "vocab.txt"), classes=["ham", "spam"])
    texts = [r["text"] for r in csv.DictReader(open(os.path.join(sd, "test.csv"), encoding="utf-8"))]
    args = ["--model", os.path.join(sd, "spam_transformer.onnx"), "--vocab", os.path.join(sd, "vocab.txt"),
            "--classes", "ham,spam", "--texts", os.path.join(sd, "test.csv")]
    p = m.predict(texts[:6])
    rows = list(csv.reader(cli("predict", *args, cwd=tmp_path).splitlines()))[1:7]
    assert np.array_equal(p, np.array([[float(v) for v in r[2:]] for r in rows], dtype=np.float32))
    with open(os.path.join(SRC, "tests", "fixtures", "text", "spam_ref.txt")) as f:
        lines = [l for l in f if not l.startswith("#")]
    ref = np.array([float(v) for v in lines[1].split()])
    assert np.abs(p[0] - ref).max() < 1e-5
    tokens, cut = m.tokenize(texts[5])
    assert tokens[0][0] == "[CLS]" and not cut and tokens[1][2] == 0
    e = m.explain(texts[5], method="ig", row_ids=[5])[0]
    j = json.loads(cli("explain", *args, "--rows", "5", "--format", "jsonl", cwd=tmp_path))
    assert [t["weight"] for t in e["tokens"]] == [t["weight"] for t in j["tokens"]]
    assert [t["token"] for t in e["tokens"]] == [t["token"] for t in j["tokens"]]
    assert e["completeness_gap"] == j["completeness_gap"] and e["reliable"] == j["reliable"]
    assert e["aopc"] == j["deletion"]["aopc"] and e["random_aopc"] == j["deletion"]["random_aopc"]
    flow = m.explain(texts[5], method="attention-flow")[0]
    assert not flow["attribution"] and not flow["reliable"] and "not an attribution" in flow["why"]
    page = m.html(texts[5:7], methods=("ig", "occlusion"), labels=["ham", "spam"], deletion=5)
    assert page.count("<section") == 3 and "<script" not in page and "label spam" in page
    assert "texts in memory" in page and 'href="#text-1"' in page
    # the report of a file: the CLI's page byte for byte (the same command shown)
    rargs = args + ["--label-column", "label", "--rows", "5,7,40", "--methods", "ig,occlusion,lime-text",
                    "--num-samples", "500", "--out", str(tmp_path / "cli.html")]
    cli("report", *rargs, cwd=tmp_path)
    mine = m.report(os.path.join(sd, "test.csv"), rows=[5, 7, 40], methods=("ig", "occlusion", "lime-text"),
                    label_column="label", num_samples=500, command="limn report " + " ".join(rargs),
                    out=str(tmp_path / "py.html"))
    assert mine == (tmp_path / "cli.html").read_text(encoding="utf-8") == (tmp_path / "py.html").read_text(
        encoding="utf-8")
    sha = hashlib.sha256(open(os.path.join(sd, "test.csv"), "rb").read()).hexdigest()
    assert sha in mine and "Provenance" in mine
    with pytest.raises(ValueError):
        m.explain(texts[0], method="shap")
    with pytest.raises(limn.Error):
        limn.TextModel(os.path.join(sd, "spam_transformer.onnx"), os.path.join(SRC, "data", "iris.csv"))


def test_lime_text_against_sklearn():
    """LIME for text, rebuilt outside the library: the same draws (limn's generator, as
    lime's sampling: a count of words, then that many distinct words), the perturbed texts
    through the model, lime's kernel on the cosine distance, and scikit-learn's Ridge as
    lime's highest_weights selection and final fit; limn's weights to 1e-8."""
    if not limn._capi.have_onnx():
        pytest.skip("built without ONNX")
    sklearn = pytest.importorskip("sklearn.linear_model")
    L = limn._capi
    sd = os.path.join(SRC, "data", "spam")
    m = limn.TextModel(os.path.join(sd, "spam_transformer.onnx"), os.path.join(sd, "vocab.txt"))
    text = [r["text"] for r in csv.DictReader(open(os.path.join(sd, "test.csv"), encoding="utf-8"))][5]
    N, seed, rid = 400, 3, 5
    got = m.explain(text, method="lime-text", num_samples=N, seed=seed, row_ids=[rid], deletion=0)[0]
    ids = [t["id"] for t in got["tokens"]]
    words = list(dict.fromkeys(ids[1:]))  # distinct ids after [CLS], by first occurrence
    K = len(words)
    g = L.Rng()
    L.rng_init(ctypes.byref(g), seed, rid)
    Z = np.ones((N, K))
    for s in range(1, N):
        off = 1 + L.rng_below(ctypes.byref(g), K)
        perm = list(range(K))
        for q in range(off):
            r = q + L.rng_below(ctypes.byref(g), K - q)
            perm[q], perm[r] = perm[r], perm[q]
            Z[s, perm[q]] = 0
    rows = np.zeros((N, m.max_tokens), dtype=np.float32)
    for s in range(N):
        kept = [ids[0]] + [i for i in ids[1:] if Z[s, words.index(i)]]
        rows[s, :len(kept)] = kept
    p = np.zeros((N, 2), dtype=np.float32)
    c = limn._Ctx()
    c.check(L.model_predict(c.p, m._m, rows.ctypes.data_as(L.c_float_p), N, p.ctypes.data_as(L.c_float_p)))
    c.close()
    k = ["class 0", "class 1"].index(got["target"])
    y = p[:, k].astype(np.float64)
    dist = 1 - np.sqrt(Z.sum(1) / K)
    w = np.sqrt(np.exp(-dist ** 2 / 0.25 ** 2))
    top = np.argsort(-np.abs(sklearn.Ridge(alpha=0.01).fit(Z, y, sample_weight=w).coef_), kind="stable")[:10]
    fit = sklearn.Ridge(alpha=1.0).fit(Z[:, top], y, sample_weight=w)
    want = np.zeros(K)
    want[top] = fit.coef_
    weights = [t["weight"] for t in got["tokens"]]
    for j, i in enumerate(ids[1:], start=1):
        assert abs(weights[j] - want[words.index(i)]) < 1e-8
    assert abs(got["score"] - fit.score(Z[:, top], y, sample_weight=w)) < 1e-8
    assert abs(got["output"] - y[0]) < 1e-7
