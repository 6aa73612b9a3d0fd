#!/usr/bin/env bash
# Dashboard figures (issue 4), bounded (a few minutes on an idle machine):
#   bundle — the largest JS chunk of web/dist, gzip -9 (what the server sends), and the
#            dashboard's own chunk.
#   load   — first load of /dashboard in Chromium on loopback (time to KPI cards + map drawn,
#            median of RUNS fresh contexts) with the demo's 600 requests (baseline) and with
#            CASES (default 100,000) requests in the store; the ratio of the two medians.
#            Also GET /api/v1/dashboard, /dashboard/map and the change token the page polls
#            (/dashboard/token) alone (median of RUNS, curl).
# How the 100,000 are made: `gongjian demo` (600 requests walked through the real
# RequestsService), then SQL copies of those tickets with receipt times spread over the last
# ~6 months, inserted through the tickets table so the 0013 trigger counts them per area,
# day and category exactly as intake does. Metric counters are per unit and month (their rows
# do not grow with cases), so the copies leave them as the demo made them.
# usage: bench/dashboard/run.sh        env: CASES=100000 RUNS=5 BIN=build/gongjian BROWSER=1
# (BROWSER=0 times the API only; BIN= another build, e.g. an older commit's, for a comparison)
set -euo pipefail
cd "$(dirname "$0")/../.."
cases=${CASES:-100000}; runs=${RUNS:-5}
bin=${BIN:-build/gongjian}; browser=${BROWSER:-1}
[[ -x $bin ]] || { echo "$bin missing (make build)"; exit 1; }
[[ -f web/dist/index.html ]] || scripts/build-web.sh
[[ -d tests/e2e/node_modules/playwright-core ]] || (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
work=$(mktemp -d "$PWD/build/dashboard-bench.XXXXXX")
pid=
trap '[[ -n $pid ]] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- bundle
largest=$(find web/dist/assets -name '*.js' -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2)
dash=$(ls web/dist/assets/DashboardView-*.js | head -1)
gz() { gzip -9 -c "$1" | wc -c; }
echo "bundle: largest chunk $(basename "$largest") $(stat -c %s "$largest") B, gzip $(gz "$largest") B"
echo "bundle: dashboard chunk $(basename "$dash") $(stat -c %s "$dash") B, gzip $(gz "$dash") B"
total=0; for f in web/dist/assets/*.js; do total=$((total + $(gz "$f"))); done
echo "bundle: all JS chunks gzip $total B"

# ---- stores: the demo (baseline) and the demo + copies up to CASES
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
"$bin" demo --db "$work/base.db" --no-osm >/dev/null 2>&1
cp "$work/base.db" "$work/big.db"
t0=$(date +%s.%N)
sqlite3 "$work/big.db" >/dev/null <<SQL
PRAGMA journal_mode=WAL;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $cases - (SELECT COUNT(*) FROM tickets)),
src AS (SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, * FROM tickets),
cnt AS (SELECT COUNT(*) AS c FROM tickets),
now AS (SELECT MAX(created_at) AS t FROM tickets)
INSERT INTO tickets(code, county_code, channel, category, subject, body, lat, lon, address, grid_code,
  division_code, unit_id, unit_type, unit_name, level, status, sla_tier, response_due, resolution_due,
  merged_into, reopen_count, requester_name, requester_phone, is_public, manual_dispatch, route_zh,
  route_en, state, created_by, created_at, updated_at)
SELECT 'B' || n.i, s.county_code, s.channel, s.category, s.subject, s.body, s.lat, s.lon, s.address,
  s.grid_code, s.division_code, s.unit_id, s.unit_type, s.unit_name, s.level, s.status, s.sla_tier,
  s.response_due, s.resolution_due, '', s.reopen_count, s.requester_name, s.requester_phone,
  s.is_public, s.manual_dispatch, s.route_zh, s.route_en, s.state, s.created_by,
  now.t - (n.i * 15724800000 / $cases), now.t - (n.i * 15724800000 / $cases)
FROM n, cnt, now JOIN src s ON s.k = n.i % cnt.c;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
echo "store: $(sqlite3 "$work/big.db" 'SELECT COUNT(*) FROM tickets') tickets, $(sqlite3 "$work/big.db" 'SELECT COUNT(*) FROM dashboard_intake') intake rows (copies made in $(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc)") s)"

measure() {  # $1 = label, $2 = db
  local port; port=$(free_port)
  "$bin" serve --listen "127.0.0.1:$port" --db "$2" --web web/dist >"$work/serve-$1.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  local jar="$work/jar-$1" xs=()
  curl -s -c "$jar" -H 'Content-Type: application/json' \
    -d '{"username":"zhashui.command","password":"Gongjian-Demo-2026"}' "http://127.0.0.1:$port/api/v1/auth/login" >/dev/null
  for _ in $(seq "$runs"); do
    xs+=("$(curl -s -o /dev/null -b "$jar" -w '%{time_total}' "http://127.0.0.1:$port/api/v1/dashboard")")
  done
  local api; api=$(median "${xs[@]}")
  local xm=()
  for _ in $(seq "$runs"); do
    xm+=("$(curl -s -o /dev/null -b "$jar" -w '%{time_total}' "http://127.0.0.1:$port/api/v1/dashboard/map")")
  done
  local xt=()
  for _ in $(seq "$runs"); do
    xt+=("$(curl -s -o /dev/null -b "$jar" -w '%{time_total}' "http://127.0.0.1:$port/api/v1/dashboard/token")")
  done
  echo "$1: GET /api/v1/dashboard median $(printf '%.1f' "$(echo "$api * 1000" | bc)") ms, /dashboard/map median $(printf '%.1f' "$(echo "$(median "${xm[@]}") * 1000" | bc)") ms, /dashboard/token median $(printf '%.1f' "$(echo "$(median "${xt[@]}") * 1000" | bc)") ms (curl, $runs runs)"
  if [[ $browser == 0 ]]; then kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; return; fi
  local out; out=$(node bench/dashboard/load.mjs "http://127.0.0.1:$port" "$runs")
  echo "$1: first load to KPI cards + map: $out"
  eval "median_$1=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["median_ms"])')"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}
measure base "$work/base.db"
measure big "$work/big.db"
[[ $browser == 0 ]] || echo "ratio: first load with $cases cases / with the demo's $(sqlite3 "$work/base.db" 'SELECT COUNT(*) FROM tickets') = $(echo "scale=2; $median_big / $median_base" | bc)"
