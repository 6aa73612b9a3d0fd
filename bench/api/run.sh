#!/usr/bin/env bash
# Authenticated JSON writes over HTTP with synchronous=FULL (SQLite), under wrk on loopback.
# Bounded: each run is DURATION seconds. Prints requests/s and p99 per run and the medians.
# usage: bench/api/run.sh [RUNS=3] [DURATION=10] [CONNECTIONS=64]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}; dur=${2:-10}; conns=${3:-64}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk"; exit 1; }
tmp=$(mktemp -d /tmp/gj-bench-api.XXXXXX)
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
build/gongjian demo --db "$tmp/b.db" >/dev/null 2>&1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
build/gongjian serve --listen "127.0.0.1:$port" --db "$tmp/b.db" --web /nonexistent 2>/dev/null &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
login=$(curl -s -c "$tmp/jar" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"Gongjian-Admin-2026"}' "http://127.0.0.1:$port/api/v1/auth/login")
export CSRF=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["csrf_token"])' "$login")
export COOKIE="gj_session=$(awk '$6=="gj_session"{print $7}' "$tmp/jar")"
export USER_IDS=$(curl -s -b "$tmp/jar" "http://127.0.0.1:$port/api/v1/users?page_size=200" |
  python3 -c 'import json,sys; print(" ".join(str(u["id"]) for u in json.load(sys.stdin)["items"] if u["username"]!="admin"))')
rps=(); p99=()
for r in $(seq "$runs"); do
  out=$(wrk -t2 -c"$conns" -d"${dur}s" --latency -s bench/api/patch_user.lua "http://127.0.0.1:$port")
  non2xx=$(echo "$out" | awk '/Non-2xx/{print $NF}')
  [[ -z $non2xx ]] || { echo "$out"; echo "FAIL: $non2xx non-2xx answers"; exit 1; }
  rps+=($(echo "$out" | awk '/Requests\/sec/{print $2}'))
  p99+=($(echo "$out" | awk '$1=="99%"{print $2}'))
  echo "run $r: ${rps[-1]} req/s, p99 ${p99[-1]}"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
echo "median over $runs runs (${dur}s, $conns connections): $(median "${rps[@]}") req/s; p99 values: ${p99[*]}"
