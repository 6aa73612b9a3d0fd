#!/usr/bin/python3
"""Drives the classifier bench (see run.sh): for each fold seed, sklearn writes the folds and
scores its baseline, then `gongjian classify eval --folds-file` scores ours on the same folds.
Seed 0 is the headline figure; the other seeds show how much the ranking depends on the split.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_kv(text):
    out = {}
    for line in text.splitlines():
        m = re.match(r"^(macro_f1|accuracy|seconds|mean_confidence|log_loss) ([0-9.]+)$", line)
        if m:
            out[m.group(1)] = float(m.group(2))
    return out


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        raise SystemExit("classify bench: command failed: " + " ".join(cmd))
    return r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--readme", required=True)
    ap.add_argument("--seeds", default="0 1 2 3 4")
    ap.add_argument("--no-readme", action="store_true")
    a = ap.parse_args()
    seeds = [int(s) for s in a.seeds.split()]

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            folds = os.path.join(tmp, "folds%d.csv" % seed)
            base = parse_kv(run([sys.executable, os.path.join(HERE, "baseline.py"), "--csv", a.csv,
                                 "--folds-out", folds, "--seed", str(seed)]))
            ours_out = run([a.bin, "classify", "eval", "--csv", a.csv, "--folds-file", folds])
            ours = parse_kv(ours_out)
            if seed == seeds[0]:
                headline_report = ours_out
            rows.append((seed, base, ours))
            print("seed %d: baseline macro-F1 %.4f acc %.4f | ours macro-F1 %.4f acc %.4f"
                  % (seed, base["macro_f1"], base["accuracy"], ours["macro_f1"], ours["accuracy"]),
                  file=sys.stderr)

    def med(side, key):
        return statistics.median(r[1 if side == "base" else 2][key] for r in rows)

    s0, b0, o0 = rows[0]
    lines = []
    lines.append("Data: `attachment2_labelled_train.csv` (346 messages, 7 first-level categories), "
                 "5-fold `StratifiedKFold(shuffle=True, random_state=%d)` from sklearn; both "
                 "sides train and predict on exactly the same folds; scores are over the pooled "
                 "out-of-fold predictions." % s0)
    lines.append("")
    lines.append("| method | macro-F1 | accuracy | 5-fold CV wall time, one run on the shared 2-core machine (s) |")
    lines.append("|---|---|---|---|")
    lines.append("| sklearn 1.2 TfidfVectorizer(char, 1–3) + LinearSVC (baseline) | %.4f | %.4f | %.2f |"
                 % (b0["macro_f1"], b0["accuracy"], b0["seconds"]))
    lines.append("| gongjian classify (char 1–2-grams, sublinear TF-IDF, balanced linear SVM; time includes fitting the confidence temperature on 3 inner folds) | %.4f | %.4f | %.2f |"
                 % (o0["macro_f1"], o0["accuracy"], o0["seconds"]))
    lines.append("| ratio ours / baseline | %.3f | %.3f | |"
                 % (o0["macro_f1"] / b0["macro_f1"], o0["accuracy"] / b0["accuracy"]))
    lines.append("")
    if len(rows) > 1:
        lines.append("Same comparison over fold seeds %s (median; per seed macro-F1 baseline → ours: %s):"
                     % (", ".join(str(r[0]) for r in rows),
                        "; ".join("%d: %.3f → %.3f" % (r[0], r[1]["macro_f1"], r[2]["macro_f1"])
                                  for r in rows)))
        lines.append("")
        lines.append("| method | median macro-F1 | median accuracy |")
        lines.append("|---|---|---|")
        lines.append("| baseline | %.4f | %.4f |" % (med("base", "macro_f1"), med("base", "accuracy")))
        lines.append("| gongjian classify | %.4f | %.4f |" % (med("ours", "macro_f1"), med("ours", "accuracy")))
        lines.append("")
    lines.append("Confidence calibration (seed %d): mean top-suggestion confidence %.3f against "
                 "accuracy %.3f; log-loss %.3f." % (s0, o0["mean_confidence"], o0["accuracy"],
                                                   o0["log_loss"]))
    lines.append("")
    lines.append("Per-category scores of ours, seed %d:" % s0)
    lines.append("")
    lines.append("```")
    table = headline_report.split("\n\n")[1] if "\n\n" in headline_report else headline_report
    lines.append(table.strip())
    lines.append("```")
    lines.append("")
    lines.append("Reproduce: `bench/classify/run.sh` (needs `python3-sklearn`; reads "
                 "`../shared/data/citizen-messages`, which is test data and never shipped).")
    body = "\n".join(lines)
    print(body)

    if a.no_readme:
        return
    begin, end = "<!-- classify:begin -->", "<!-- classify:end -->"
    section = "%s\n## Classifier\n\n%s\n%s" % (begin, body, end)
    text = open(a.readme, encoding="utf-8").read() if os.path.exists(a.readme) else "# Benchmarks\n"
    if begin in text and end in text:
        text = text[:text.index(begin)] + section + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    with open(a.readme, "w", encoding="utf-8") as f:
        f.write(text)
    print("classify bench: wrote the Classifier section of %s" % a.readme, file=sys.stderr)


if __name__ == "__main__":
    main()
