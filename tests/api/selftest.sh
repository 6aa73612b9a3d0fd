#!/usr/bin/env bash
# CTest: start gj_http_echo_server on a free port, run the self-test cases (all must pass) and
# the must-fail cases (all must fail), then stop the server with SIGTERM (it must exit 0).
#   tests/api/selftest.sh build/gj_http_echo_server build/gj_api_runner
set -uo pipefail
server=$1 runner=$2
dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
"$server" --listen 127.0.0.1:0 --port-file "$tmp/port" >/dev/null 2>"$tmp/server.log" &
pid=$!
for _ in $(seq 200); do [[ -s $tmp/port ]] && break; sleep 0.05; done
[[ -s $tmp/port ]] || { echo "echo server did not start"; cat "$tmp/server.log"; exit 1; }
base="http://127.0.0.1:$(cat "$tmp/port")"
fail=0

"$runner" --base "$base" "$dir/selftest" || { echo "self-test cases failed"; fail=1; }

out=$("$runner" --base "$base" "$dir/selftest_failing"); rc=$?
echo "$out"
want=$(ls "$dir"/selftest_failing/*.case | wc -l)
if [[ $rc -eq 0 || $(tail -n1 <<<"$out") != "0 passed, $want failed" ]]; then
  echo "the runner did not report every must-fail case as failed"; fail=1
fi

kill -TERM "$pid"; wait "$pid"; src=$?
if [[ $src -ne 0 ]] || ! grep -q '"event":"http.stopped"' "$tmp/server.log"; then
  echo "echo server did not shut down cleanly (exit $src)"; tail -n 20 "$tmp/server.log"; fail=1
fi
exit $fail
