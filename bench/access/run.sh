#!/usr/bin/env bash
# Access benchmark (issue 5, 15分钟服务圈): `gongjian access nodes` against scipy, networkx and
# pgRouting on the Chengdu demo extract tiled 8, 32 and 128 times (~76 k, 306 k, 1.22 M walking
# nodes), plus greedy siting; writes the table into bench/README.md (access section).
#
# Every tool searches the same graph: ours dumps it (--dump-graph) and the baselines load the
# dump, and each baseline's distances are checked against ours (max_abs_diff_m).
# Environment: SIZES (default "8 32 128"), RUNS (default 5: the baselines' runs), OURS_RUNS
# (default 21: our search takes milliseconds, so more repeats cost nothing and steady the median
# on a machine whose cores are shared), GJ_BIN, GJ_BENCH_WORK.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
BIN=${GJ_BIN:-}
if [[ -z $BIN ]]; then
  for b in build-bench/gongjian build/gongjian; do [[ -x $b ]] && { BIN=$root/$b; break; }; done
fi
[[ -x ${BIN:-} ]] || { echo "build gongjian first (make build or cmake --preset bench)"; exit 1; }
PY=/usr/bin/python3
for m in scipy networkx psycopg2; do
  $PY -c "import $m" 2>/dev/null || { echo "missing python3-$m (make bench installs it)"; exit 1; }
done
work=${GJ_BENCH_WORK:-/tmp/gj-bench-access}
SIZES=${SIZES:-"8 32 128"}
RUNS=${RUNS:-5}
OURS_RUNS=${OURS_RUNS:-21}
SITING_RUNS=${SITING_RUNS:-5}
CUTOFF=1125
here=$root/bench/access
mkdir -p "$work"
out=$work/results.jsonl
: >"$out"
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "{\"load_start\":\"$(load)\"}" >>"$out"

pg=$(scripts/pg-temp.sh start)
pg_dir=${pg%% *}
pg_url=${pg#* }
trap 'scripts/pg-temp.sh stop "$pg_dir"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
field() { grep -o "\"$1\":[0-9.]*" | head -1 | cut -d: -f2; }

for n in $SIZES; do
  osm=$work/chengdu_x$n.osm
  [[ -f $osm ]] || $PY "$here/make_tiles.py" data/osm/chengdu_center_2018.osm "$n" "$osm"
  ours=$work/ours_x$n.csv
  dump=$work/graph_x$n
  echo "==> x$n: gongjian access nodes (3 processes, search repeated $OURS_RUNS times in each)" >&2
  : >"$work/ours.txt"
  for r in 1 2 3; do
    extra=()
    [[ $r == 1 ]] && extra=(--dump-graph "$dump")
    /usr/bin/time -f "%M" -o "$work/time.txt" "$BIN" access nodes --osm "$osm" --cutoff-m $CUTOFF \
      --out "$ours" --timings --repeat "$OURS_RUNS" "${extra[@]}" 2>"$work/err.txt" >/dev/null
    t=$(grep '"timings"' "$work/err.txt")
    echo "$(echo "$t" | field read_s) $(echo "$t" | field build_s) $(echo "$t" | field search_s) $(cat "$work/time.txt") $(echo "$t" | field nodes)" >>"$work/ours.txt"
  done
  nodes=$(awk '{print $5}' "$work/ours.txt" | head -1)
  build=$(awk '{print $1 + $2}' "$work/ours.txt" | median)
  query=$(awk '{print $3}' "$work/ours.txt" | median)
  peak=$(awk '{print $4 / 1024}' "$work/ours.txt" | sort -g | tail -1)
  echo "{\"size\":$n,\"nodes\":$nodes,\"tool\":\"gongjian\",\"build_s\":$build,\"query_s\":$query,\"peak_mb\":$peak}" >>"$out"
  # Fixed thread counts beside the default (search_threads(): one thread below
  # kParallelMinWork node×type pairs), to show where a second thread pays.
  for th in 1 2; do
    "$BIN" access nodes --osm "$osm" --cutoff-m $CUTOFF --out "$work/ours$th.csv" --timings \
      --repeat "$OURS_RUNS" --threads $th 2>"$work/err.txt" >/dev/null
    q=$(grep '"timings"' "$work/err.txt" | field search_s)
    echo "{\"size\":$n,\"nodes\":$nodes,\"tool\":\"gongjian-$th-thread\",\"build_s\":$build,\"query_s\":$q,\"peak_mb\":$peak}" >>"$out"
  done

  echo "==> x$n: scipy" >&2
  $PY "$here/baselines.py" scipy "$dump" $CUTOFF "$RUNS" "$ours" | sed "s/^{/{\"size\":$n,/" >>"$out"
  # networkx takes seconds per type and gigabytes at 1.22 M nodes: the two smaller sizes only.
  if [[ $n -le 8 ]]; then
    echo "==> x$n: networkx" >&2
    $PY "$here/baselines.py" networkx "$dump" $CUTOFF 3 "$ours" | sed "s/^{/{\"size\":$n,/" >>"$out"
  elif [[ $n -le 32 ]]; then
    echo "==> x$n: networkx (1 run)" >&2
    $PY "$here/baselines.py" networkx "$dump" $CUTOFF 1 "$ours" | sed "s/^{/{\"size\":$n,/" >>"$out"
  fi
  echo "==> x$n: pgRouting" >&2
  pruns=3
  [[ $n -ge 128 ]] && pruns=1
  $PY "$here/pgrouting.py" "$pg_url" "$dump" $CUTOFF $pruns "$ours" | sed "s/^{/{\"size\":$n,/" >>"$out"
  rm -rf "$dump"
done

# Greedy siting of 10 schools on the 306 k-node tiling: homes are the residential buildings of
# the extract (x32), and, as a stress case, every network node as one home.
if [[ " $SIZES " == *" 32 "* ]]; then
  for homes in buildings nodes; do
    echo "==> siting, homes = $homes" >&2
    : >"$work/siting.txt"
    for r in $(seq 1 "$SITING_RUNS"); do
      args=()
      [[ $homes == nodes ]] && args=(--homes nodes)
      "$BIN" access sites --osm "$work/chengdu_x32.osm" --type school --k 10 \
        --out "$work/sites.csv" --timings "${args[@]}" 2>"$work/err.txt" >/dev/null
      t=$(grep '"timings"' "$work/err.txt")
      echo "$(echo "$t" | field siting_s) $(echo "$t" | field homes) $(echo "$t" | field nodes)" >>"$work/siting.txt"
    done
    s=$(awk '{print $1}' "$work/siting.txt" | median)
    h=$(awk '{print $2}' "$work/siting.txt" | head -1)
    nn=$(awk '{print $3}' "$work/siting.txt" | head -1)
    added=$(tail -1 "$work/sites.csv" | cut -d, -f8)
    all=$(awk '{print $1}' "$work/siting.txt" | paste -sd, -)
    echo "{\"siting\":\"$homes\",\"nodes\":$nn,\"homes\":$h,\"k\":10,\"siting_s\":$s,\"runs_s\":\"$all\",\"covered_after\":$added}" >>"$out"
  done
fi

echo "{\"load_end\":\"$(load)\"}" >>"$out"
$PY "$here/report.py" "$out" bench/README.md
echo "==> results in $out; table written to bench/README.md" >&2
