#!/usr/bin/python3
"""Write a scikit-learn MLP as a limn model file (docs/format.md, version 1).

Usage as a library:
    from export_sklearn_mlp import export
    export(model, feature_names, target_name, "model.limn")

`model` is an MLPClassifier or MLPRegressor, or a Pipeline of a StandardScaler and one of
them. Every column is numeric (scikit-learn MLPs take numbers); the scaler's mean_ and
scale_ become limn's standardisation, so limn_model_predict takes the raw rows.
Class names are str(c) for c in classes_ (for 0/1 targets: "0", "1").

Command line (a pickled model, made with the same scikit-learn):
    export_sklearn_mlp.py MODEL.pkl --target y --out model.limn [--features a,b,c | --data train.csv]
Feature names: --features, else --data's header (the target left out), else the model's
feature_names_in_ (fitted on a DataFrame). Errors are one line on stderr, exit 1.
Needs Debian's python3-sklearn; run with /usr/bin/python3.
"""
import argparse, importlib.util, os, pickle, sys

# the file format lives in the Python package (python/limn/_sklearn.py), loaded by path
# so that this tool needs neither the package's library nor numpy
_spec = importlib.util.spec_from_file_location(
    "limn_sklearn", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python", "limn", "_sklearn.py"))
_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mod)
mlp_bytes = _mod.mlp_bytes


def export(model, feature_names, target_name, path):
    with open(path, "wb") as out:
        out.write(mlp_bytes(model, feature_names, target_name))


def _names_from(model, features, data, target):
    """Feature names: --features, else a data file's header (without the target), else the
    estimator's feature_names_in_ (fitted on a DataFrame)."""
    if features:
        return features.split(",")
    if data:
        with open(data) as f:
            head = f.readline().rstrip("\r\n").split(",")
        return [h for h in head if h != target]
    est = model.steps[-1][1] if hasattr(model, "steps") else model
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        names = getattr(est, "feature_names_in_", None)
    if names is None:
        raise ValueError("the model was not fitted on named columns: give --features a,b,c or --data FILE.csv")
    return [str(n) for n in names]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", help="pickled fitted model (StandardScaler + MLP pipeline, or an MLP)")
    ap.add_argument("--features", help="comma-separated feature names in input order (default: --data's "
                    "header, else the model's feature_names_in_)")
    ap.add_argument("--data", help="a CSV whose header names the columns (the target column is left out)")
    ap.add_argument("--target", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    try:
        with open(a.model, "rb") as f:
            model = pickle.load(f)
        export(model, _names_from(model, a.features, a.data, a.target), a.target, a.out)
    except (OSError, ValueError, AttributeError, pickle.UnpicklingError) as e:
        print("export_sklearn_mlp: error: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
