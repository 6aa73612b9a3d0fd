#!/usr/bin/env bash
# `make bench`: every benchmark, each bounded, figures appended to its section of bench/README.md
# where the script writes one. Timings on shared machines are noisy: read the ratios.
set -uo pipefail
cd "$(dirname "$0")/.."
for b in store api http classify access attachments; do
  if [[ -x bench/$b/run.sh ]]; then
    echo "=== bench/$b"
    bench/$b/run.sh || echo "bench/$b failed"
  fi
done
