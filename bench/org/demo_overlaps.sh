#!/usr/bin/env bash
# How the demo's synthetic grid layer looks to the product's own import check: for each demo
# county, the overlapping grid pairs and the area the layer covers. Makes a demo store with
# DEMO_BIN (default: BIN), serves it with BIN (default build/gongjian) on a free port, exports
# each county's layer (GET /org/grids.geojson) and dry-runs it back (POST /org/grids/import).
# Compare layouts with DEMO_BIN=<a build of an older commit>.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${BIN:-$root/build/gongjian}
demo_bin=${DEMO_BIN:-$bin}
tmp=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
"$demo_bin" demo --db "$tmp/demo.db" --requests 0 --divisions "$root/data/divisions" >/dev/null 2>&1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$bin" serve --listen "127.0.0.1:$port" --db "$tmp/demo.db" >"$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1])" "http://127.0.0.1:$port/readyz" 2>/dev/null && break
  sleep 0.1
done
python3 "$root/bench/org/demo_overlaps.py" "http://127.0.0.1:$port"
