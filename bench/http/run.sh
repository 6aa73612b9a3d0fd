#!/usr/bin/env bash
# HTTP layer throughput on loopback, bounded: wrk -t2 -c64 for DURATION, RUNS times each,
# medians reported, with a bare Beast server (the peer baseline) measured in the same run.
#   bench/http/run.sh                      # gj_http vs bare Beast, GET and JSON POST
#   RUNS=5 DURATION=10s bench/http/run.sh
#   bench/http/run.sh --url http://127.0.0.1:8080   # an already running server: POST only,
#       with GJ_BENCH_PATH / GJ_BENCH_BODY / GJ_BENCH_COOKIE / GJ_BENCH_CSRF (see post.lua)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
url=""
[[ ${1:-} == --url ]] && url=$2
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# one_run NAME URL SCRIPT → the RESULT line of one wrk run (echoed to stderr as well)
one_run() {
  local line
  line=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$3" "$2" | grep '^RESULT') ||
    { echo "  $1: wrk gave no result (is the server up at $2?)" >&2; exit 1; }
  echo "  $1: ${line#RESULT }" >&2
  [[ $line == *"non2xx=0 "* ]] || echo "  $1: non-2xx answers!" >&2
  echo "$line"
}
field() { sed -E "s/.*$1=([0-9.]+).*/\1/"; }

if [[ -n $url ]]; then
  rps=() p99=()
  for ((i = 1; i <= RUNS; i++)); do
    line=$(one_run "target run $i" "$url" bench/http/post.lua)
    rps+=("$(field rps <<<"$line")") p99+=("$(field p99_ms <<<"$line")")
  done
  echo "POST $url${GJ_BENCH_PATH:-/api/v1/bench/requests}: median $(printf '%s\n' "${rps[@]}" | median) req/s," \
       "p99 $(printf '%s\n' "${p99[@]}" | median) ms ($RUNS x $DURATION, -t$THREADS -c$CONNS)"
  exit 0
fi

# Build: the bench preset's binaries if present, else compile against the release build.
out=build/bench-http
mkdir -p "$out"
if [[ -x build-bench/bench/http/gj_bench_http_server && -x build-bench/bench/http/gj_bench_http_bare ]]; then
  server=build-bench/bench/http/gj_bench_http_server bare=build-bench/bench/http/gj_bench_http_bare
else
  echo "==> building the benchmark servers" >&2
  [[ -f build/build.ninja ]] || cmake --preset release >/dev/null
  cmake --build build -j2 --target gj_http >&2
  flags=(-std=c++20 -O2 -DNDEBUG -DBOOST_ASIO_NO_DEPRECATED -DBOOST_BEAST_USE_STD_STRING_VIEW -Isrc -pthread)
  [[ $out/gj_bench_http_server -nt bench/http/bench_server.cpp && $out/gj_bench_http_server -nt build/src/http/libgj_http.a ]] ||
    g++ "${flags[@]}" bench/http/bench_server.cpp build/src/http/libgj_http.a build/src/common/libgj_common.a -lcrypto -o "$out/gj_bench_http_server"
  [[ $out/gj_bench_http_bare -nt bench/http/bare_server.cpp ]] ||
    g++ "${flags[@]}" bench/http/bare_server.cpp -o "$out/gj_bench_http_bare"
  server=$out/gj_bench_http_server bare=$out/gj_bench_http_bare
fi

pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
"$bare" --listen 127.0.0.1:18088 --io 2 & pids+=($!)
"$server" --listen 127.0.0.1:18089 --io 2 --workers 64 2>/dev/null & pids+=($!)
"$server" --listen 127.0.0.1:18087 --io 2 --workers 64 --no-log 2>/dev/null & pids+=($!)
"$server" --listen 127.0.0.1:18086 --io 2 --workers 64 --no-log --inline 2>/dev/null & pids+=($!)
for port in 18086 18087 18088 18089; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "no server on port $port"; exit 1; }
done

echo "==> wrk -t$THREADS -c$CONNS -d$DURATION, $RUNS rounds, cases interleaved in each round; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
# Cases: label | url | script. Interleaving the cases within each round spreads the load of
# a shared machine evenly over them; the medians are taken per case.
cases=(
  "bare Beast GET /healthz (baseline)|http://127.0.0.1:18088/healthz|bench/http/get.lua"
  "gj_http GET /healthz (inline, access log)|http://127.0.0.1:18089/healthz|bench/http/get.lua"
  "bare Beast POST JSON (baseline)|http://127.0.0.1:18088|bench/http/post.lua"
  "gj_http POST JSON (worker pool, access log)|http://127.0.0.1:18089|bench/http/post.lua"
  "gj_http POST JSON (worker pool, no log)|http://127.0.0.1:18087|bench/http/post.lua"
  "gj_http POST JSON (inline, no log)|http://127.0.0.1:18086|bench/http/post.lua"
)
declare -A RPS P99
for ((i = 1; i <= RUNS; i++)); do
  for c in "${cases[@]}"; do
    IFS='|' read -r label u script <<<"$c"
    line=$(one_run "round $i, $label" "$u" "$script")
    RPS[$label]+="$(field rps <<<"$line") " P99[$label]+="$(field p99_ms <<<"$line") "
  done
done
med() { tr ' ' '\n' <<<"$1" | grep . | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }
printf '\n%-46s %10s %9s %8s\n' "case (median of $RUNS x $DURATION)" "req/s" "p99 ms" "vs bare"
base_get=$(med "${RPS[${cases[0]%%|*}]}") base_post=$(med "${RPS[${cases[2]%%|*}]}")
for c in "${cases[@]}"; do
  label=${c%%|*}
  r=$(med "${RPS[$label]}") p=$(med "${P99[$label]}")
  if [[ $label == *GET* ]]; then b=$base_get; else b=$base_post; fi
  printf '%-46s %10.0f %9s %8s\n' "$label" "$r" "$p" "$(ratio "$r" "$b")"
done
