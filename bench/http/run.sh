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

# bench ROLE URL SCRIPT → prints "rps p99" medians over RUNS runs
bench() {
  local name=$1 base=$2 script=$3 rps=() p99=() line
  for ((i = 1; i <= RUNS; i++)); do
    line=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$script" "$base" | grep '^RESULT')
    echo "  $name run $i: ${line#RESULT }" >&2
    if [[ $line != *"non2xx=0 "* ]]; then echo "  $name: non-2xx answers, see above" >&2; fi
    rps+=("$(sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$line")")
    p99+=("$(sed -E 's/.*p99_ms=([0-9.]+).*/\1/' <<<"$line")")
  done
  echo "$(printf '%s\n' "${rps[@]}" | median) $(printf '%s\n' "${p99[@]}" | median)"
}

if [[ -n $url ]]; then
  read -r rps p99 < <(bench target "$url" bench/http/post.lua)
  echo "POST $url${GJ_BENCH_PATH:-/api/v1/bench/requests}: median $rps req/s, p99 $p99 ms ($RUNS x $DURATION, -t$THREADS -c$CONNS)"
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
for port in 18088 18089; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
done

echo "==> wrk -t$THREADS -c$CONNS -d$DURATION, $RUNS runs each, medians; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
read -r bg bg99 < <(bench "bare GET " http://127.0.0.1:18088/healthz bench/http/get.lua)
read -r gg gg99 < <(bench "gj_http GET " http://127.0.0.1:18089/healthz bench/http/get.lua)
read -r bp bp99 < <(bench "bare POST" http://127.0.0.1:18088 bench/http/post.lua)
read -r gp gp99 < <(bench "gj_http POST" http://127.0.0.1:18089 bench/http/post.lua)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }
printf '\n%-44s %10s %9s %8s\n' "case (median of $RUNS x $DURATION)" "req/s" "p99 ms" "ratio"
printf '%-44s %10.0f %9s %8s\n' "bare Beast GET /healthz (baseline)" "$bg" "$bg99" "1.00"
printf '%-44s %10.0f %9s %8s\n' "gj_http GET /healthz (inline, access log)" "$gg" "$gg99" "$(ratio "$gg" "$bg")"
printf '%-44s %10.0f %9s %8s\n' "bare Beast POST JSON (baseline)" "$bp" "$bp99" "1.00"
printf '%-44s %10.0f %9s %8s\n' "gj_http POST JSON (worker pool, access log)" "$gp" "$gp99" "$(ratio "$gp" "$bp")"
