#!/usr/bin/env bash
# Storage benchmark: durable inserts/s, one row per commit vs group commit, SQLite and
# PostgreSQL 15, same run, medians of ROUNDS rounds. Prints a markdown table for bench/README.md.
# usage: bench/store/run.sh [ROUNDS] [SECONDS] [THREADS]   (run from anywhere; builds bench_store)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-5}; seconds=${2:-2}; threads=${3:-32}
cmake --preset bench >/dev/null
cmake --build build-bench -j2 --target bench_store >/dev/null
bin=build-bench/bench/store/bench_store
# On the real disk (never tmpfs): the point is what an fsync costs.
work=$(mktemp -d "$PWD/build-bench/store-bench.XXXXXX")
pg=$(scripts/pg-temp.sh start)
pg_dir=${pg%% *}; pg_url=${pg#* }
trap 'scripts/pg-temp.sh stop "$pg_dir"; rm -rf "$work"' EXIT

echo "| backend | concurrent writers | one row per commit (rows/s) | group commit (rows/s) | rows per commit | ratio |"
echo "|---|---|---|---|---|---|"
"$bin" --target "$work/bench.db" --threads "$threads" --seconds "$seconds" --rounds "$rounds"
"$bin" --target "$pg_url" --threads "$threads" --seconds "$seconds" --rounds "$rounds"
echo
echo "($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -r); medians of $rounds rounds of ${seconds}s each, baseline and grouped alternating)"
