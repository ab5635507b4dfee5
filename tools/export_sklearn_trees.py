#!/usr/bin/python3
"""Write a scikit-learn tree model as a limn-trees JSON file (docs/format.md).

Reads DecisionTreeClassifier/Regressor, RandomForestClassifier/Regressor,
ExtraTreesClassifier/Regressor, GradientBoostingClassifier/Regressor and
HistGradientBoostingClassifier/Regressor (numerical splits). limn loads the file with
`limn ... --model model.json` (told by content) and predicts as scikit-learn does:
probabilities of forests and trees, decision_function + logistic/softmax of boosted
classifiers, predict of regressors. From Python, limn.Model.from_sklearn(est) does the
same without a file.

Usage as a library:
    from export_sklearn_trees import export
    export(model, "model.json", feature_names=[...], target="y")

Command line (a pickled model, made with the same scikit-learn):
    export_sklearn_trees.py MODEL.pkl --out model.json [--features a,b,c] [--target y]

Feature names: the model's feature_names_in_ (fitted on a DataFrame), else
--features, else f0, f1, ...; class names are str(c) for c in classes_.
Needs Debian's python3-sklearn; run with /usr/bin/python3.
"""
import argparse, importlib.util, os, pickle, sys

# the document's logic lives in the Python package (python/limn/_sklearn_trees.py),
# loaded by path so that this tool does not need the package's library
_spec = importlib.util.spec_from_file_location(
    "limn_sklearn_trees",
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python", "limn", "_sklearn_trees.py"))
_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mod)
export, ExportError = _mod.export, _mod.ExportError


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write a pickled scikit-learn tree model as limn-trees JSON.")
    ap.add_argument("model", help="pickled fitted model")
    ap.add_argument("--out", required=True, help="output JSON file")
    ap.add_argument("--features", help="comma-separated feature names (default: the model's, else f0, f1, ...)")
    ap.add_argument("--target", default="target", help="target column name (default: target)")
    a = ap.parse_args(argv)
    with open(a.model, "rb") as f:
        model = pickle.load(f)
    try:
        export(model, a.out, a.features.split(",") if a.features else None, a.target)
    except ExportError as e:
        print("export_sklearn_trees: error: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
