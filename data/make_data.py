#!/usr/bin/python3
"""Regenerate the bundled datasets from Debian's packages (run once; outputs are committed).

Needs Debian's python3-sklearn (breast cancer, iris, wine, digits, diabetes) and the weka
package's examples (credit-g.arff): `apt-get download weka && dpkg-deb -x weka_*.deb DIR`,
then pass DIR/usr/share/doc/weka/examples/credit-g.arff as the first argument.
Values are written exactly as in the source files (no re-formatting of numbers).
"""
import csv, gzip, os, shutil, sys
from sklearn import datasets

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(datasets.__file__), "data")


def write(name, header, rows):
    with open(os.path.join(HERE, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def sklearn_csv(fname, feature_names, target_name, label=lambda t, names: names[int(t)]):
    with open(os.path.join(SRC, fname)) as f:
        r = csv.reader(f)
        first = next(r)
        names = first[2:]
        rows = [row[:-1] + [label(row[-1], names)] for row in r]
    return [list(feature_names) + [target_name]], rows


def main():
    bc = datasets.load_breast_cancer()
    h, rows = sklearn_csv("breast_cancer.csv", bc.feature_names, "diagnosis")
    write("breast_cancer.csv", h[0], rows)
    ir = datasets.load_iris()
    names = [n.replace(" (cm)", "").replace(" ", "_") for n in ir.feature_names]
    h, rows = sklearn_csv("iris.csv", names, "species")
    write("iris.csv", h[0], rows)
    wi = datasets.load_wine()
    h, rows = sklearn_csv("wine_data.csv", wi.feature_names, "cultivar")
    write("wine.csv", h[0], rows)
    with gzip.open(os.path.join(SRC, "digits.csv.gz"), "rt") as f:
        rows = [row for row in csv.reader(f)]
    header = ["pixel_%d_%d" % (i // 8, i % 8) for i in range(64)] + ["digit"]
    write("digits.csv", header, rows)
    with gzip.open(os.path.join(SRC, "diabetes_data_raw.csv.gz"), "rt") as f:
        xs = [line.split() for line in f if line.strip()]
    with gzip.open(os.path.join(SRC, "diabetes_target.csv.gz"), "rt") as f:
        ys = [line.strip() for line in f if line.strip()]
    header = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6", "progression"]
    ys = ["%g" % float(y) for y in ys]
    write("diabetes.csv", header, [x + [y] for x, y in zip(xs, ys)])
    if len(sys.argv) > 1:
        shutil.copyfile(sys.argv[1], os.path.join(HERE, "credit-g.arff"))


if __name__ == "__main__":
    main()
