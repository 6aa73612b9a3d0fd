#!/usr/bin/env bash
# CTest fixture for test_store: `start FILE` writes "DIR URL" of a PostgreSQL for the tests into
# FILE (reusing GJ_TEST_POSTGRES_URL when scripts/test.sh already started one, DIR is then "-");
# `stop FILE` stops the server this fixture started, if any.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
file=$2
case $1 in
  start)
    if [[ -n ${GJ_TEST_POSTGRES_URL:-} ]]; then
      echo "- $GJ_TEST_POSTGRES_URL" >"$file"
    else
      "$root/scripts/pg-temp.sh" start >"$file"
    fi
    cat "$file"
    ;;
  stop)
    if [[ -f $file ]]; then
      dir=$(cut -d' ' -f1 "$file")
      if [[ $dir != - ]]; then "$root/scripts/pg-temp.sh" stop "$dir"; fi
      rm -f "$file"
    fi
    ;;
esac
