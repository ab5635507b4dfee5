"""scikit-learn tree models as limn-trees JSON (docs/format.md): the exporter's logic,
shared by limn.Model.from_sklearn and tools/export_sklearn_trees.py.

Reads DecisionTreeClassifier/Regressor, RandomForestClassifier/Regressor,
ExtraTreesClassifier/Regressor, GradientBoostingClassifier/Regressor and
HistGradientBoostingClassifier/Regressor (numerical splits). limn predicts from the
document as scikit-learn does: probabilities of forests and trees, decision_function +
logistic/softmax of boosted classifiers, predict of regressors.

Feature names: the caller's, else the model's feature_names_in_ (fitted on a
DataFrame), else f0, f1, ...; class names are str(c) for c in classes_."""
import json
import math

import numpy as np


class ExportError(ValueError):
    pass


def _sklearn_version():
    import sklearn
    return sklearn.__version__


def _num(v):
    v = float(v)
    if not math.isfinite(v):
        raise ExportError("a non-finite number in the model: %r" % v)
    return v


def _plain_tree(tree_, values, with_missing):
    """One fitted sklearn.tree._tree.Tree as limn-trees arrays; values: (nodes, L) rows."""
    out = {
        "children_left": [int(c) for c in tree_.children_left],
        "children_right": [int(c) for c in tree_.children_right],
        "feature": [int(f) for f in tree_.feature],
        "threshold": [_num(t) for t in tree_.threshold],
        "value": [[_num(v) for v in row] for row in values],
        "node_sample_weight": [_num(w) for w in tree_.weighted_n_node_samples],
    }
    miss = getattr(tree_, "missing_go_to_left", None)
    if with_missing and miss is not None:
        out["missing_go_to_left"] = [bool(m) for m in miss]
    return out


def _class_rows(tree_):
    """A classifier tree's value rows normalised to sum 1 (counts before 1.4.1, fractions after)."""
    v = np.asarray(tree_.value, dtype=np.float64)
    if v.shape[1] != 1:
        raise ExportError("multi-output trees (%d outputs) are not supported" % v.shape[1])
    v = v[:, 0, :]
    s = v.sum(axis=1, keepdims=True)
    s[s == 0] = 1
    return v / s


def _forest(model, classifier):
    trees = list(model.estimators_) if hasattr(model, "estimators_") else [model]
    out = []
    for est in trees:
        t = est.tree_
        if classifier:
            rows = _class_rows(t)
        else:
            v = np.asarray(t.value, dtype=np.float64)
            if v.shape[1] != 1:
                raise ExportError("multi-output regression is not supported")
            rows = v[:, 0, :1]
        out.append(_plain_tree(t, rows, True))
    return out, 1.0 / len(trees)


def _gradient_boosting(model, classifier):
    init = model.init_
    if not (init == "zero" or type(init).__name__ in ("DummyClassifier", "DummyRegressor")):
        raise ExportError("GradientBoosting with a custom init estimator (%s)" % type(init).__name__)
    loss = getattr(model, "loss", "")
    if classifier and loss == "exponential":
        raise ExportError("GradientBoostingClassifier(loss='exponential') is not supported")
    nfeat = model.n_features_in_
    base = np.asarray(model._raw_predict_init(np.zeros((1, nfeat), dtype=np.float32)), dtype=np.float64)
    base = base.ravel()
    trees, where = [], []
    stages, K = model.estimators_.shape
    for s in range(stages):
        for k in range(K):
            t = model.estimators_[s, k].tree_
            trees.append(_plain_tree(t, np.asarray(t.value, dtype=np.float64)[:, 0, :1], True))
            where.append(k)
    return trees, where, float(model.learning_rate), base


def _hist_gradient_boosting(model, classifier):
    loss = getattr(model, "loss", "")
    if not classifier and loss not in ("squared_error", "absolute_error", "quantile"):
        raise ExportError("HistGradientBoostingRegressor(loss=%r): its link is not the identity" % loss)
    base = np.asarray(model._baseline_prediction, dtype=np.float64).ravel()
    trees, where = [], []
    for it in model._predictors:
        for k, pred in enumerate(it):
            nd = pred.nodes
            if np.any(nd["is_categorical"][nd["is_leaf"] == 0]):
                raise ExportError("HistGradientBoosting with categorical splits is not supported")
            leaf = nd["is_leaf"] == 1
            trees.append({
                "children_left": [-1 if lf else int(c) for c, lf in zip(nd["left"], leaf)],
                "children_right": [-1 if lf else int(c) for c, lf in zip(nd["right"], leaf)],
                "feature": [-2 if lf else int(f) for f, lf in zip(nd["feature_idx"], leaf)],
                "threshold": [-2.0 if lf else _num(t) for t, lf in zip(nd["num_threshold"], leaf)],
                "value": [[_num(v)] for v in nd["value"]],
                "node_sample_weight": [float(c) for c in nd["count"]],
                "missing_go_to_left": [bool(m) for m in nd["missing_go_to_left"]],
            })
            where.append(k)
    return trees, where, 1.0, base


TREES = ("DecisionTreeClassifier", "DecisionTreeRegressor", "RandomForestClassifier", "RandomForestRegressor",
         "ExtraTreesClassifier", "ExtraTreesRegressor", "GradientBoostingClassifier", "GradientBoostingRegressor",
         "HistGradientBoostingClassifier", "HistGradientBoostingRegressor")


def is_trees(model):
    """True for the estimators export() reads."""
    return type(model).__name__ in TREES


def export(model, path=None, feature_names=None, target="target"):
    """Write `model` to `path` as compact JSON (or return the document when path is None)."""
    name = type(model).__name__
    classifier = hasattr(model, "classes_")
    nfeat = int(model.n_features_in_)
    if feature_names is None:
        feature_names = getattr(model, "feature_names_in_", None)
    names = [str(f) for f in feature_names] if feature_names is not None else ["f%d" % j for j in range(nfeat)]
    if len(names) != nfeat:
        raise ExportError("%d feature names for a model of %d features" % (len(names), nfeat))
    classes = [str(c) for c in model.classes_] if classifier else None
    ncls = len(classes) if classifier else 0
    doc = {"format": "limn-trees", "version": 1, "producer": "scikit-learn %s" % _sklearn_version(),
           "model": name, "feature_names": names, "target": str(target),
           "task": "classification" if classifier else "regression"}
    if classes:
        doc["class_names"] = classes
    if name in ("DecisionTreeClassifier", "DecisionTreeRegressor", "RandomForestClassifier",
                "RandomForestRegressor", "ExtraTreesClassifier", "ExtraTreesRegressor"):
        trees, weight = _forest(model, classifier)
        nout = ncls if classifier else 1
        doc.update(split="le", combine="sum", tree_weight=weight, base=[0.0] * nout, transform="identity",
                   tree_output="all", n_features=nfeat, n_outputs=nout, trees=trees)
    elif name in ("GradientBoostingClassifier", "GradientBoostingRegressor",
                  "HistGradientBoostingClassifier", "HistGradientBoostingRegressor"):
        hist = name.startswith("Hist")
        trees, where, weight, base = (_hist_gradient_boosting if hist else _gradient_boosting)(model, classifier)
        nout = len(base)
        transform = "identity" if not classifier else "logistic" if ncls == 2 else "softmax"
        if classifier and nout != (1 if ncls == 2 else ncls):
            raise ExportError("%d raw outputs for %d classes" % (nout, ncls))
        doc.update(split="le64" if hist else "le", combine="sum", tree_weight=weight,
                   base=[_num(b) for b in base], transform=transform, tree_output=where,
                   n_features=nfeat, n_outputs=nout, trees=trees)
    else:
        raise ExportError("%s is not a tree model limn reads (DecisionTree, RandomForest, ExtraTrees, "
                          "GradientBoosting, HistGradientBoosting)" % name)
    if path is None:
        return doc
    with open(path, "w") as f:
        f.write(dumps(doc))
    return doc


def dumps(doc):
    """The document as the file's text: compact JSON and a newline."""
    return json.dumps(doc, separators=(",", ":")) + "\n"

