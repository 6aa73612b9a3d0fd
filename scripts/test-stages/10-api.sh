#!/usr/bin/env bash
# API cases (tests/api/cases) against the real binary, once on SQLite and once on PostgreSQL
# ($GJ_TEST_POSTGRES_URL, started by scripts/test.sh), each on a fresh demo dataset. Also checks
# that the server drains and exits 0 on SIGTERM.
set -uo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d /tmp/gj-api.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
status=0
run_on() {  # $1 = name, rest = store flags
  local name=$1; shift
  echo "--- API cases on $name"
  # --requests 0: the cases were written against a demo without tickets (rankings, queues).
  if ! build/gongjian demo --requests 0 "$@" >"$tmp/demo-$name.log" 2>&1; then
    echo "demo dataset failed on $name:"; tail -5 "$tmp/demo-$name.log"; return 1
  fi
  # Open311 POST cases read their API key from the environment ({{env:GJ_OPEN311_API_KEY}}).
  local key; key=$(build/gongjian apikey add --name cases "$@" 2>"$tmp/apikey-$name.log" | tail -n1)
  if [[ -z $key ]]; then echo "apikey add failed on $name:"; cat "$tmp/apikey-$name.log"; return 1; fi
  export GJ_OPEN311_API_KEY=$key
  local port; port=$(free_port)
  build/gongjian serve --listen "127.0.0.1:$port" "$@" --web /nonexistent >"$tmp/serve-$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  build/gj_api_runner --base "http://127.0.0.1:$port" tests/api/cases
  local rc=$?
  kill -TERM $pid; wait $pid; local exit_code=$?
  if [[ $exit_code -ne 0 ]]; then echo "server on $name exited $exit_code after SIGTERM"; rc=1; fi
  return $rc
}
run_on sqlite --db "$tmp/api.db" || status=1
if [[ -n ${GJ_TEST_POSTGRES_URL:-} ]]; then
  schema="api_$$"
  psql -q "$GJ_TEST_POSTGRES_URL" -c "CREATE SCHEMA $schema" >/dev/null
  run_on postgres --postgres "$GJ_TEST_POSTGRES_URL?options=-csearch_path%3D$schema" || status=1
else
  echo "GJ_TEST_POSTGRES_URL not set: API cases on PostgreSQL not run"; status=1
fi
exit $status
