#!/usr/bin/env bash
# Several app nodes on one PostgreSQL (issue 3, "PostgreSQL with several app nodes"): citizen
# intake over HTTP with one node against two nodes on the same database, at the same total load
# (wrk -c32 on one node vs -c16 on each of two, intake.lua as in run.sh). Reports, per round and
# as medians: requests per second (two nodes as a ratio of one), and the share of the database
# sessions' samples (pg_stat_activity every 50 ms) spent waiting on a row lock — the writers of
# two nodes queueing on the same counter rows (hot rows 热点行, migration 0021).
# usage: bench/requests/pg_nodes.sh        env: ROUNDS=3 SECONDS_PER_RUN=10 SERVE_BIN=path
#        ONE_NODE_ONLY=1 (only the one-node runs)
# SERVE_BIN: another gongjian binary (e.g. a build of an older commit); it makes its own store.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-3}; dur=${SECONDS_PER_RUN:-10}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk"; exit 1; }
if [[ -z ${SERVE_BIN:-} ]]; then
  cmake --preset bench >/dev/null
  cmake --build build-bench -j2 --target gongjian >/dev/null
fi
bin=${SERVE_BIN:-build-bench/gongjian}
read -r pgdir url < <(scripts/pg-temp.sh start)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; scripts/pg-temp.sh stop "$pgdir"; rm -rf "$work"; }
trap cleanup EXIT
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $bin"

# A fresh demo store and 2,000 points: the centres of the demo's 柞水县 grids.
fresh() {
  psql "$url" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null 2>&1
  "$bin" demo --postgres "$url" --requests 0 >/dev/null 2>&1
}
fresh
psql "$url" -Atc "SELECT polygon FROM grids WHERE code LIKE '611026%'" | python3 -c '
import json, random, sys
polys = [json.loads(l)["coordinates"][0] for l in sys.stdin if l.strip()]
random.seed(1)
for _ in range(2000):
    ring = random.choice(polys)
    xs = [p[0] for p in ring]; ys = [p[1] for p in ring]
    print(f"{(min(ys)+max(ys))/2:.6f} {(min(xs)+max(xs))/2:.6f}")' > "$work/points.txt"

# One run: $1 nodes sharing 32 connections; prints "req/s lock-wait-share".
run() {
  local n=$1 ports=() wp=() i
  fresh
  pids=()
  for ((i = 0; i < n; i++)); do
    ports+=("$(free_port)")
    "$bin" serve --listen "127.0.0.1:${ports[i]}" --postgres "$url" --web /nonexistent \
      --notify-seconds 0 >"$work/node$i.log" 2>&1 &
    pids+=($!)
  done
  for p in "${ports[@]}"; do
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$p/readyz" >/dev/null && break; sleep 0.1; done
  done
  ( end=$((SECONDS + dur)); while ((SECONDS < end)); do
      psql "$url" -Atc "SELECT COALESCE(wait_event_type, '-') FROM pg_stat_activity WHERE
        datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'"
      sleep 0.05; done ) >"$work/samples.txt" &
  local sampler=$!
  for ((i = 0; i < n; i++)); do
    POINTS_FILE="$work/points.txt" RUN_NONCE="$n-$i-$RANDOM" wrk -t1 -c$((32 / n)) -d"${dur}s" \
      -s bench/requests/intake.lua "http://127.0.0.1:${ports[i]}" >"$work/wrk$i.txt" &
    wp+=($!)
  done
  wait "${wp[@]}"; wait $sampler || true
  for p in "${pids[@]}"; do kill -TERM "$p"; wait "$p" || true; done
  pids=()
  local rps waits total
  rps=$(cat "$work"/wrk*.txt | awk '/Requests\/sec/ {s += $2} END {printf "%.0f", s}')
  rm -f "$work"/wrk*.txt
  total=$(wc -l <"$work/samples.txt")
  waits=$(grep -c '^Lock$' "$work/samples.txt" || true)
  echo "$rps $(python3 -c "print(round(100 * $waits / max($total, 1)))")"
}

if [[ ${ONE_NODE_ONLY:-0} == 1 ]]; then  # the single-node rate alone (for A/B of two binaries)
  for ((r = 1; r <= rounds; r++)); do read -r a aw < <(run 1); echo "round $r: one node $a req/s"; done
  exit 0
fi
one=(); two=(); w1=(); w2=()
for ((r = 1; r <= rounds; r++)); do
  read -r a aw < <(run 1)
  read -r b bw < <(run 2)
  one+=("$a"); two+=("$b"); w1+=("$aw"); w2+=("$bw")
  echo "round $r: one node $a req/s (lock waits $aw % of samples), two nodes $b req/s ($bw %)"
done
m1=$(median "${one[@]}"); m2=$(median "${two[@]}")
echo "median: one node $m1 req/s, two nodes $m2 req/s = $(python3 -c "print(f'{$m2/$m1:.2f}')")x;" \
  "row-lock waits: one node $(median "${w1[@]}") %, two nodes $(median "${w2[@]}") % of samples"
