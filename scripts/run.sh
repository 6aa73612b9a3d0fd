#!/usr/bin/env bash
# `make run`: create the demo dataset on first start, then serve. Second start: same data.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:-8080}; db=${2:-data/gongjian.db}
mkdir -p "$(dirname "$db")"
if [[ ! -f "$db" ]]; then
  echo "==> first start: creating the demo dataset in $db"
  build/gongjian demo --db "$db"   # prints the demo logins
else
  build/gongjian demo --print-logins
fi
echo "==> serving http://127.0.0.1:$port  (Ctrl-C to stop)"
exec build/gongjian serve --listen "127.0.0.1:$port" --db "$db" --web web/dist
