#!/usr/bin/env bash
# Interleaved A/B of the citizen intake over HTTP for two gongjian binaries, also across a
# migration (each binary serves a demo store it made itself): A, B, A, B … ROUNDS times; each
# turn is a fresh copy of that binary's store, RUNS wrk runs of SECONDS at CONNS connections
# with bench/requests/intake.lua, printing req/s, p99 and the server's CPU per request per run.
# Timings on a shared machine swing between back-to-back runs: compare the interleaved turns.
# STORE=PATH serves copies of that store to both instead (same schema version; for a large store).
# usage: bench/requests/ab.sh BIN_A BIN_B      env: ROUNDS=2 RUNS=3 SECONDS_PER_RUN=8 CONNS=32 STORE=
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ $# -eq 2 ]] || { echo "usage: $0 BIN_A BIN_B"; exit 2; }
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk"; exit 1; }
rounds=${ROUNDS:-2}; runs=${RUNS:-3}; secs=${SECONDS_PER_RUN:-8}; conns=${CONNS:-32}
mkdir -p build-bench
work=$(mktemp -d "$PWD/build-bench/ab.XXXXXX")  # the real disk, never tmpfs
pid=
trap '[[ -n $pid ]] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
bins=("$(realpath "$1")" "$(realpath "$2")")
for i in 0 1; do
  if [[ -n ${STORE:-} ]]; then
    cp "$STORE" "$work/demo$i.db"
  else
    "${bins[$i]}" demo --db "$work/demo$i.db" >/dev/null 2>&1
  fi
done
python3 bench/requests/points.py "$work/demo0.db" "$work/points.txt"
hz=$(getconf CLK_TCK)
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); A=${bins[0]} B=${bins[1]}"
for round in $(seq "$rounds"); do
  for i in 0 1; do
    name=$([[ $i -eq 0 ]] && echo A || echo B)
    rm -f "$work"/q.db*
    cp "$work/demo$i.db" "$work/q.db"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "${bins[$i]}" serve --listen "127.0.0.1:$port" --db "$work/q.db" --web /nonexistent 2>"$work/serve.log" &
    pid=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
    for r in $(seq "$runs"); do
      t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
      out=$(POINTS_FILE="$work/points.txt" RUN_NONCE="ab-$round-$i-$r-$$" \
        wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/requests/intake.lua "http://127.0.0.1:$port")
      ! echo "$out" | grep -q 'Non-2xx' || { echo "$out"; echo "FAIL: non-2xx answers"; exit 1; }
      t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
      n=$(echo "$out" | awk '/requests in/{print $1}')
      echo "round $round $name run $r: $(echo "$out" | awk '/Requests\/sec/{print $2}') req/s," \
        "p99 $(echo "$out" | awk '$1=="99%"{print $2}')," \
        "server CPU $(python3 -c "print(f'{($t1-$t0)/$hz/$n*1000:.2f}')") ms/request"
    done
    kill $pid; wait $pid 2>/dev/null || true; pid=
  done
done
