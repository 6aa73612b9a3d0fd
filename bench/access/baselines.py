#!/usr/bin/env python3
"""Peer baselines for the access benchmark, on the graph `gongjian access nodes --dump-graph`
wrote (so every tool searches exactly the same graph and seeds).

usage: baselines.py scipy|networkx DUMP_DIR CUTOFF_M RUNS OURS.csv

scipy:    scipy.sparse.csgraph.dijkstra(indices=sources, min_only=True, limit=cutoff), one call
          per facility type. A seed with an offset (a POI snapped onto an edge) becomes a pseudo
          node with one directed edge of that length into the graph; offset-0 seeds are sources
          themselves.
networkx: networkx.multi_source_dijkstra_path_length(cutoff=...), same pseudo nodes.

Prints one JSON line: build_s (graph construction), query_s (median over RUNS of all types),
peak_mb (ru_maxrss of this process), and the largest difference from OURS.csv.
"""
import csv
import json
import resource
import statistics
import sys
import time

import numpy as np


def load(d):
    ids = []
    with open(f"{d}/nodes.csv") as f:
        next(f)
        for line in f:
            ids.append(int(line.split(",", 1)[0]))
    index = {n: i for i, n in enumerate(ids)}
    e = np.loadtxt(f"{d}/edges.csv", delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    u = np.array([index[int(x)] for x in e[:, 0]], dtype=np.int64)
    v = np.array([index[int(x)] for x in e[:, 1]], dtype=np.int64)
    w = e[:, 2]
    seeds = {}
    with open(f"{d}/seeds.csv") as f:
        for row in csv.DictReader(f):
            seeds.setdefault(row["facility_type"], []).append(
                (index[int(row["osm_node_id"])], float(row["offset_m"])))
    return ids, u, v, w, seeds


def pseudo(n, seeds):
    """Extra directed edges pseudo -> node for offset seeds; sources per type."""
    pu, pv, pw, sources = [], [], [], {}
    nxt = n
    for t, ss in seeds.items():
        src = []
        for node, off in ss:
            if off == 0:
                src.append(node)
            else:
                pu.append(nxt); pv.append(node); pw.append(off); src.append(nxt); nxt += 1
        sources[t] = sorted(set(src))
    return np.array(pu, dtype=np.int64), np.array(pv, dtype=np.int64), np.array(pw), sources, nxt


def run_scipy(ids, u, v, w, seeds, cutoff, runs):
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra
    t0 = time.perf_counter()
    pu, pv, pw, sources, total = pseudo(len(ids), seeds)
    rows = np.concatenate([u, v, pu]); cols = np.concatenate([v, u, pv])
    data = np.concatenate([w, w, pw])
    g = csr_matrix((data, (rows, cols)), shape=(total, total))
    build = time.perf_counter() - t0
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = {t: dijkstra(g, directed=True, indices=s, min_only=True, limit=cutoff)
               for t, s in sources.items()}
        times.append(time.perf_counter() - t0)
        result = out
    n = len(ids)
    return build, times, {t: d[:n] for t, d in result.items()}


def run_networkx(ids, u, v, w, seeds, cutoff, runs):
    import networkx as nx
    t0 = time.perf_counter()
    pu, pv, pw, sources, total = pseudo(len(ids), seeds)
    g = nx.DiGraph()
    g.add_nodes_from(range(total))
    g.add_weighted_edges_from(zip(u.tolist(), v.tolist(), w.tolist()), weight="length")
    g.add_weighted_edges_from(zip(v.tolist(), u.tolist(), w.tolist()), weight="length")
    g.add_weighted_edges_from(zip(pu.tolist(), pv.tolist(), pw.tolist()), weight="length")
    build = time.perf_counter() - t0
    times, result = [], None
    n = len(ids)
    for _ in range(runs):
        t0 = time.perf_counter()
        out = {t: nx.multi_source_dijkstra_path_length(g, s, cutoff=cutoff, weight="length")
               for t, s in sources.items()}
        times.append(time.perf_counter() - t0)
        result = out
    dense = {}
    for t, dist in result.items():
        a = np.full(n, np.inf)
        for node, d in dist.items():
            if node < n:
                a[node] = d
        dense[t] = a
    return build, times, dense


def compare(ids, dense, ours_csv, cutoff):
    index = {n: i for i, n in enumerate(ids)}
    worst, seen = 0.0, {t: 0 for t in dense}
    with open(ours_csv) as f:
        next(f)
        for line in f:
            n, t, d = line.rstrip("\n").split(",")
            ref = dense[t][index[int(n)]]
            worst = max(worst, abs(float(d) - ref) if np.isfinite(ref) else float("inf"))
            seen[t] += 1
    missing = sum(int(np.isfinite(dense[t]).sum()) - seen[t] for t in dense)
    return worst, missing


def main():
    tool, d, cutoff, runs, ours = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    ids, u, v, w, seeds = load(d)
    fn = run_scipy if tool == "scipy" else run_networkx
    build, times, dense = fn(ids, u, v, w, seeds, cutoff, runs)
    worst, missing = compare(ids, dense, ours, cutoff)
    print(json.dumps({"tool": tool, "nodes": len(ids), "build_s": round(build, 4),
                      "query_s": round(statistics.median(times), 4), "runs": runs,
                      "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                      "max_abs_diff_m": worst, "pairs_only_in_reference": missing}))


if __name__ == "__main__":
    main()
