#!/usr/bin/env python3
"""pgRouting baseline: pgr_drivingDistance from one virtual source per facility type, joined to
every facility of the type by zero-cost (offset-cost for POIs snapped onto an edge) one-way
edges. equicost is not used: it is not a nearest-facility query (see docs/access.md).

usage: pgrouting.py POSTGRES_URL DUMP_DIR CUTOFF_M RUNS OURS.csv

Loads the graph `gongjian access nodes --dump-graph` wrote. Prints one JSON line: build_s
(COPY + tables + index), query_s (median over RUNS of all types), peak_mb (the server
backend's VmHWM), and the largest difference from OURS.csv.
"""
import json
import statistics
import sys
import time

import psycopg2


def main():
    url, d, cutoff, runs, ours = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    con = psycopg2.connect(url)
    con.autocommit = True
    cur = con.cursor()
    cur.execute("CREATE EXTENSION IF NOT EXISTS pgrouting CASCADE")
    cur.execute("SELECT pg_backend_pid()")
    pid = cur.fetchone()[0]
    t0 = time.perf_counter()
    cur.execute("DROP TABLE IF EXISTS raw_edges, edges, seeds, vedges")
    cur.execute("CREATE UNLOGGED TABLE raw_edges (u bigint, v bigint, len float8)")
    with open(f"{d}/edges.csv") as f:
        cur.copy_expert("COPY raw_edges FROM STDIN WITH (FORMAT csv, HEADER true)", f)
    cur.execute("""CREATE UNLOGGED TABLE edges AS
                   SELECT row_number() OVER () AS id, u AS source, v AS target,
                          len AS cost, len AS reverse_cost FROM raw_edges""")
    cur.execute("CREATE UNLOGGED TABLE seeds (type text, node bigint, off float8)")
    with open(f"{d}/seeds.csv") as f:
        cur.copy_expert("COPY seeds FROM STDIN WITH (FORMAT csv, HEADER true)", f)
    # Virtual source per type: vertex ids 1, 2, … (OSM node ids here are far larger).
    cur.execute("SELECT DISTINCT type FROM seeds ORDER BY type")
    types = [r[0] for r in cur.fetchall()]
    cur.execute("CREATE UNLOGGED TABLE vedges (id bigint, type text, source bigint, target bigint, "
                "cost float8, reverse_cost float8)")
    for i, t in enumerate(types, start=1):
        cur.execute("""INSERT INTO vedges
                       SELECT 1000000000000000 + row_number() OVER (), %s, %s, node, min(off), -1
                       FROM seeds WHERE type = %s GROUP BY node""", (t, i, t))
    cur.execute("CREATE INDEX ON vedges (type)")
    cur.execute("ANALYZE edges; ANALYZE vedges")
    build = time.perf_counter() - t0

    times, result = [], {}
    for _ in range(runs):
        t0 = time.perf_counter()
        for i, t in enumerate(types, start=1):
            sql = ("SELECT id, source, target, cost, reverse_cost FROM edges UNION ALL "
                   f"SELECT id, source, target, cost, reverse_cost FROM vedges WHERE type = '{t}'")
            cur.execute("SELECT node, agg_cost FROM pgr_drivingDistance(%s, %s, %s, directed => true)",
                        (sql, i, cutoff))
            result[t] = {n: c for n, c in cur.fetchall() if n != i}
        times.append(time.perf_counter() - t0)
    with open(f"/proc/{pid}/status") as f:
        peak = next(int(l.split()[1]) for l in f if l.startswith("VmHWM")) / 1024

    worst, seen = 0.0, 0
    with open(ours) as f:
        next(f)
        for line in f:
            n, t, dist = line.rstrip("\n").split(",")
            ref = result[t].get(int(n))
            worst = max(worst, abs(float(dist) - ref) if ref is not None else float("inf"))
            seen += 1
    missing = sum(len(r) for r in result.values()) - seen
    print(json.dumps({"tool": "pgrouting", "build_s": round(build, 4),
                      "query_s": round(statistics.median(times), 4), "runs": runs,
                      "peak_mb": round(peak, 1), "max_abs_diff_m": worst,
                      "pairs_only_in_reference": missing}))


if __name__ == "__main__":
    main()
