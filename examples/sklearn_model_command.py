#!/usr/bin/python3
"""A scikit-learn model behind limn's model-command protocol (docs/model-command.md).

limn starts this program once, e.g.

    limn explain --method lime --model-cmd 'python3 examples/sklearn_model_command.py' \
        --data test.csv --target diagnosis --background train.csv --rows 0

and talks to it over stdin/stdout: first a CSV header line with the feature names,
then for each batch the rows as CSV lines and an empty line; the program answers a
header line naming its classes ('#malignant,benign'), then one CSV line per row with
the class probabilities in that order, and flushes. Here the model is a StandardScaler + MLPClassifier trained at start-up on
limn's bundled breast-cancer data (training takes a few seconds); a real service
would load its own model instead. Needs Debian's python3-sklearn.
"""
import csv
import os
import sys

from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "breast_cancer.csv")


def train():
    with open(DATA) as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    x = [[float(v) for v in r[:-1]] for r in body]
    # class order as limn reads the file: order of first appearance
    classes = []
    for r in body:
        if r[-1] not in classes:
            classes.append(r[-1])
    y = [classes.index(r[-1]) for r in body]
    model = make_pipeline(StandardScaler(), MLPClassifier((64, 32), random_state=0, max_iter=300))
    model.fit(x, y)
    return header[:-1], classes, model


def main():
    names, classes, model = train()
    stdin = sys.stdin
    header = next(csv.reader([stdin.readline()]))
    # our header line: the classes in the order we answer them (model.classes_ are the
    # indices 0, 1 of `classes`); limn checks them against --target's
    sys.stdout.write("#" + ",".join(classes) + "\n")
    index = [header.index(n) for n in names]  # columns may come in any order
    batch = []
    for line in stdin:
        line = line.rstrip("\r\n")
        if line:
            row = next(csv.reader([line]))
            batch.append([float(row[i]) for i in index])
            continue
        if batch:  # an empty line ends a batch
            for p in model.predict_proba(batch):
                sys.stdout.write(",".join(repr(float(v)) for v in p) + "\n")
            batch = []
        sys.stdout.flush()


if __name__ == "__main__":
    main()
