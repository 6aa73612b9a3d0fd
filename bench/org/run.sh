#!/usr/bin/env bash
# Grid boundary import 网格边界导入 (`gongjian import grids`) against a bare insert of the same rows.
# Each round, on fresh SQLite stores holding the Shaanxi divisions:
#   bare   bench/org/bare_insert.py: the rows alone, one transaction (the baseline)
#   import the whole import: parse and check the GeoJSON, check villages, write, audit
#   again   the same file again: every grid unchanged, nothing written
#   moved   every square shifted 10 m: every grid changed
#   dry     --dry-run of the moved file on the imported store
# Prints each round and the medians; ratios are import/bare in the same round.
# usage: [BIN=build/gongjian] [ROUNDS=3] [VILLAGES=20000] [PER=5] bench/org/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-build/gongjian}
ROUNDS=${ROUNDS:-3}
VILLAGES=${VILLAGES:-20000}
PER=${PER:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/org/make_grids.py "$work/grids.geojson" "$VILLAGES" "$PER"
python3 bench/org/make_grids.py "$work/moved.geojson" "$VILLAGES" "$PER" 10
secs() { # seconds of a command, its output discarded; fails when the command fails
  python3 -c 'import subprocess, sys, time
t = time.time()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
print("%.3f" % (time.time() - t))' "$@"
}
: >"$work/rounds"
for r in $(seq "$ROUNDS"); do
  rm -f "$work"/a.db* "$work"/b.db*
  "$BIN" import divisions data/divisions --db "$work/a.db" >/dev/null 2>&1
  "$BIN" import divisions data/divisions --db "$work/b.db" >/dev/null 2>&1
  bare=$(python3 bench/org/bare_insert.py "$work/b.db" "$work/grids.geojson")
  imp=$(secs "$BIN" import grids "$work/grids.geojson" --db "$work/a.db")
  again=$(secs "$BIN" import grids "$work/grids.geojson" --db "$work/a.db")
  dry=$(secs "$BIN" import grids "$work/moved.geojson" --dry-run --db "$work/a.db")
  moved=$(secs "$BIN" import grids "$work/moved.geojson" --db "$work/a.db")
  echo "$bare $imp $again $moved $dry" >>"$work/rounds"
  echo "round $r: bare $bare s, import $imp s, again $again s, moved $moved s, dry run $dry s"
done
python3 - "$work/rounds" "$((VILLAGES * PER))" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
n = int(sys.argv[2])
med = [statistics.median(c) for c in zip(*rows)]
ratio = statistics.median(r[1] / r[0] for r in rows)
print(f'{n} grids, median of {len(rows)}: bare {med[0]:.2f} s, import {med[1]:.2f} s '
      f'({n / med[1]:,.0f} grids/s; {ratio:.2f}x the bare insert), again {med[2]:.2f} s, '
      f'moved {med[3]:.2f} s, dry run {med[4]:.2f} s')
PY
