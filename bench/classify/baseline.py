#!/usr/bin/python3
"""Peer baseline for the classifier bench: sklearn TF-IDF (character 1-3-grams) + LinearSVC.

Writes StratifiedKFold(5, shuffle=True, random_state=SEED) fold assignments to a CSV that
`gongjian classify eval --folds-file` reads, so both sides see exactly the same folds, and
prints the baseline's pooled out-of-fold macro-F1 and accuracy as `key value` lines.
"""
import argparse
import csv
import sys
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True)
    ap.add_argument("--folds-out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--folds", type=int, default=5)
    a = ap.parse_args()

    with open(a.csv, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    ids = [r["留言编号"] for r in rows]
    text = [r["留言主题"] + " " + r["留言详情"] for r in rows]
    y = np.array([r["一级分类"] for r in rows])

    skf = StratifiedKFold(a.folds, shuffle=True, random_state=a.seed)
    fold = np.zeros(len(rows), dtype=int)
    pred = np.empty(len(rows), dtype=object)
    t0 = time.time()
    for k, (tr, te) in enumerate(skf.split(text, y)):
        fold[te] = k
        vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
        xtr = vec.fit_transform([text[i] for i in tr])
        clf = LinearSVC().fit(xtr, y[tr])
        pred[te] = clf.predict(vec.transform([text[i] for i in te]))
    secs = time.time() - t0

    with open(a.folds_out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["留言编号", "fold"])
        for i, k in zip(ids, fold):
            w.writerow([i, k])
    print("macro_f1 %.4f" % f1_score(y, pred, average="macro"))
    print("accuracy %.4f" % accuracy_score(y, pred))
    print("seconds %.2f" % secs)


if __name__ == "__main__":
    sys.exit(main())
