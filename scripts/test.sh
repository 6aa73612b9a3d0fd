#!/usr/bin/env bash
# `make test`: every test. C++ unit tests (SQLite and a real PostgreSQL 15 started here),
# API cases against the real binary on both stores, browser tests in headless Chromium.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
fail=0
pg=$(scripts/pg-temp.sh start) || { echo "could not start PostgreSQL"; exit 1; }
pg_dir=${pg%% *}; export GJ_TEST_POSTGRES_URL=${pg#* }
trap 'scripts/pg-temp.sh stop "$pg_dir"' EXIT
echo "==> PostgreSQL for tests at $GJ_TEST_POSTGRES_URL"

echo "==> unit tests (ctest)"
(cd build && ctest --output-on-failure -j2 --timeout 300) || fail=1

for stage in scripts/test-stages/*.sh; do
  [[ -x $stage ]] || continue
  echo "==> $(basename "$stage" .sh)"
  "$stage" || fail=1
done
exit $fail
