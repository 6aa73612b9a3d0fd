#!/usr/bin/env bash
# Classifier bench: our `gongjian classify eval` against sklearn TF-IDF (character 1-3-grams) +
# LinearSVC on exactly the same StratifiedKFold folds of the labelled citizen messages.
# Prints a table and rewrites the "Classifier" section of bench/README.md.
#   bench/classify/run.sh [--seeds "0 1 2 3 4"] [--no-readme]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
data=${GJ_SHARED_DIR:-$root/../shared}/data/citizen-messages/attachment2_labelled_train.csv
bin=${GJ_BIN:-$root/build/gongjian}
if [[ ! -f $data ]]; then
  echo "classify bench: $data not found (set GJ_SHARED_DIR)" >&2
  exit 1
fi
if [[ ! -x $bin ]]; then
  echo "classify bench: building $bin" >&2
  cmake --preset release >/dev/null && cmake --build build -j2 --target gongjian >&2
fi
# Debian's python3 carries python3-sklearn; a pyenv or venv python on PATH may not.
py=/usr/bin/python3
[[ -x $py ]] || py=python3
exec "$py" "$root/bench/classify/bench.py" --csv "$data" --bin "$bin" \
  --readme "$root/bench/README.md" "$@"
