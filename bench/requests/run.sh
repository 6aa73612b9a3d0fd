#!/usr/bin/env bash
# Requests benchmarks (issue 3), bounded (about 5 minutes with the defaults on an idle machine):
#   intake  — durable citizen intake over HTTP (wrk; p50/p99) as a ratio of two bare rates at the
#             same concurrency, on the same disk: (a) the storage group-commit rate of one-row
#             transactions (bench_store) and (b) "intake-shaped" transactions, the statements real
#             intakes write replayed through the same writer without HTTP (bench_intake);
#             and (d) the same server's HTTP floor: GET /healthz, answered on the I/O thread with
#             no store access, at the same concurrency: no HTTP request can be cheaper, so
#             (d)/(a) bounds what any (c)/(a) can reach on this machine.
#   router  — routing decision percentiles with 100,000 grids vs a linear point-in-polygon scan.
#   metrics — the county metrics read over the incremental counters vs a plain GROUP BY.
# usage: bench/requests/run.sh [intake] [router] [metrics]      (default: all three)
# env:   CONNS="32 64" RUNS=3 SECONDS_PER_RUN=10 STORE_ROUNDS=3 STORE_SECONDS=5
#        SERVE_BIN=path (intake: another gongjian binary serves (c), e.g. a build of an older
#        commit, for a before/after comparison in one run)
#        TICKETS=1000000 (metrics; 10000000: ~1.5 min to generate, ~0.5 GB, ~20 s per GROUP BY round)
set -euo pipefail
cd "$(dirname "$0")/../.."
parts=("$@"); [[ ${#parts[@]} -gt 0 ]] || parts=(intake router metrics)
conns=${CONNS:-32 64}; runs=${RUNS:-3}; dur=${SECONDS_PER_RUN:-10}
store_rounds=${STORE_ROUNDS:-3}; store_seconds=${STORE_SECONDS:-5}; tickets=${TICKETS:-1000000}

cmake --preset bench >/dev/null
cmake --build build-bench -j2 --target gongjian bench_store bench_intake bench_router bench_metrics >/dev/null
# On the real disk (never tmpfs): the intake and the bare rate both pay for fsync.
work=$(mktemp -d "$PWD/build-bench/requests-bench.XXXXXX")
pid=
trap '[[ -n $pid ]] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

want() { [[ " ${parts[*]} " == *" $1 "* ]]; }

if want intake; then
  command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk"; exit 1; }
  # One pristine demo store and 5,000 random points inside its 柞水县 grid polygons (rejection
  # sampling in each grid's box); every measurement below starts from a copy of it.
  build-bench/gongjian demo --db "$work/demo.db" >/dev/null 2>&1
  python3 bench/requests/points.py "$work/demo.db" "$work/points.txt"
  pct() { python3 -c "print(f'{$1/$2*100:.0f} %')"; }
  echo "| connections | (a) bare group commit, 1-row tx (rows/s) | (b) intake-shaped tx, no HTTP (tx/s) | statements per intake | submit() in process (req/s) | (c) intake over HTTP, median of $runs (req/s) | (c)/(a) | (c)/(b) | p50 / p99 per run | server CPU ms/request, median | (d) GET /healthz, median of $runs (req/s) | (d)/(a) |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  for c in $conns; do
    # (a) The grouped column of bench_store's row (it also runs its one-row-per-commit baseline).
    row=$(build-bench/bench/store/bench_store --target "$work/bare.db" --threads "$c" \
      --seconds "$store_seconds" --rounds "$store_rounds")
    bare=$(echo "$row" | awk -F'|' '{gsub(/ /,"",$5); print $5}')
    echo "  (a) bare storage, $c writers: $row" >&2
    # (b) The recorded statements of real intakes replayed through the same writer, and the use
    # case called in process (bench/requests/intake_bench.cpp); medians of its rounds.
    shaped_row=$(build-bench/bench/requests/bench_intake --db "$work/demo.db" \
      --points "$work/points.txt" --threads "$c" --seconds "$store_seconds" \
      --rounds "$store_rounds" 2>"$work/bench_intake.log")
    shaped=$(echo "$shaped_row" | awk -F'|' '{gsub(/ /,"",$1); print $1}')
    stmts=$(echo "$shaped_row" | awk -F'|' '{gsub(/ /,"",$2); print $2}')
    submit=$(echo "$shaped_row" | awk -F'|' '{gsub(/ /,"",$4); print $4}')
    grep 'intake round' "$work/bench_intake.log" | sed 's/^/  (b) /' >&2
    # (c) Full intake over HTTP (wrk), on a fresh copy of the demo store.
    rm -f "$work"/intake.db*
    cp "$work/demo.db" "$work/intake.db"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "${SERVE_BIN:-build-bench/gongjian}" serve --listen "127.0.0.1:$port" --db "$work/intake.db" --web /nonexistent \
      2>"$work/serve.log" &
    pid=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
    # (d) The HTTP floor on the same server and connections, before it holds any request.
    floor=()
    for r in $(seq "$runs"); do
      floor+=($(wrk -t2 -c"$c" -d"${dur}s" "http://127.0.0.1:$port/healthz" | awk '/Requests\/sec/{print $2}'))
      echo "  (d) GET /healthz $c connections, run $r: ${floor[-1]} req/s" >&2
    done
    rps=(); lat=(); cpu=()
    # Server CPU per request: utime + stime of the serve process (clock ticks) over the run.
    ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
    hz=$(getconf CLK_TCK)
    for r in $(seq "$runs"); do
      t0=$(ticks)
      out=$(POINTS_FILE="$work/points.txt" RUN_NONCE="$c-$r-$$" \
        wrk -t2 -c"$c" -d"${dur}s" --latency -s bench/requests/intake.lua "http://127.0.0.1:$port")
      non2xx=$(echo "$out" | awk '/Non-2xx/{print $NF}')
      [[ -z $non2xx ]] || { echo "$out"; echo "FAIL: $non2xx non-2xx answers"; exit 1; }
      ! echo "$out" | grep -q 'Socket errors' || echo "$out" | grep 'Socket errors' >&2
      rps+=($(echo "$out" | awk '/Requests\/sec/{print $2}'))
      t1=$(ticks); n=$(echo "$out" | awk '/requests in/{print $1}')
      cpu+=($(python3 -c "print(f'{($t1-$t0)/$hz/$n*1000:.2f}')"))
      p50=$(echo "$out" | awk '$1=="50%"{print $2}')
      p99=$(echo "$out" | awk '$1=="99%"{print $2}')
      lat+=("$p50/$p99")
      echo "  (c) intake $c connections, run $r: ${rps[-1]} req/s, p50 $p50, p99 $p99, server CPU ${cpu[-1]} ms/request" >&2
    done
    kill $pid; wait $pid 2>/dev/null || true; pid=
    tickets_made=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*), SUM(grid_code<>\"\") FROM tickets").fetchone())' "$work/intake.db")
    m=$(median "${rps[@]}")
    echo "| $c | $bare | $shaped | $stmts | $submit | $m | $(pct "$m" "$bare") | $(pct "$m" "$shaped") | ${lat[*]} | $(median "${cpu[@]}") | $(median "${floor[@]}") | $(pct "$(median "${floor[@]}")" "$bare") |"
    echo "  (tickets in the store after the HTTP runs, located in a grid: $tickets_made)" >&2
  done
  echo
fi

if want router; then
  build-bench/bench/requests/bench_router --grids 100000 --points 100000 --baseline-points 200 --rounds 3
  echo
fi

if want metrics; then
  # Kept between runs (generation is the slow part); delete build-bench/metrics-*.db to redo.
  build-bench/bench/requests/bench_metrics --db "build-bench/metrics-$tickets.db" --tickets "$tickets" --rounds 5
  echo
fi
