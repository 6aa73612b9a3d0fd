#!/usr/bin/env python3
"""Independent reference for `gongjian access nodes`: networkx on the graph the engine dumped.

usage: nx_reference.py DUMP_DIR CUTOFF_M OUT.csv

Reads DUMP_DIR/{nodes,edges,seeds}.csv (written by --dump-graph / access::dump_graph). Edge
lengths are recomputed here from the node coordinates with OSMnx's great-circle formula
(R = 6,371,009 m) and checked against the engine's, so the reference does not trust the
engine's geometry. Seeds at offset 0 go to networkx.multi_source_dijkstra_path_length; seeds
with offsets (POIs snapped onto an edge) hang off a virtual source by edges of that length.
Writes osm_node_id,facility_type,distance_m like the engine.
"""
import csv
import math
import sys

import networkx as nx

R = 6371009.0


def great_circle(lat1, lon1, lat2, lon2):
    y1, y2 = math.radians(lat1), math.radians(lat2)
    dy = y2 - y1
    x1, x2 = math.radians(lon1), math.radians(lon2)
    dx = x2 - x1
    h = math.sin(dy / 2) ** 2 + math.cos(y1) * math.cos(y2) * math.sin(dx / 2) ** 2
    h = min(1.0, h)
    return 2 * math.asin(math.sqrt(h)) * R


def main():
    d, cutoff, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    coords = {}
    order = []
    with open(f"{d}/nodes.csv") as f:
        for row in csv.DictReader(f):
            n = int(row["osm_node_id"])
            coords[n] = (float(row["lat"]), float(row["lon"]))
            order.append(n)
    g = nx.Graph()
    g.add_nodes_from(order)
    worst = 0.0
    with open(f"{d}/edges.csv") as f:
        for row in csv.DictReader(f):
            u, v = int(row["u"]), int(row["v"])
            length = great_circle(*coords[u], *coords[v])
            worst = max(worst, abs(length - float(row["length_m"])))
            if g.has_edge(u, v):
                length = min(length, g[u][v]["length"])
            g.add_edge(u, v, length=length)
    if worst > 0.01:
        sys.exit(f"edge lengths differ from the great-circle formula by up to {worst:.4f} m")
    seeds = {}
    with open(f"{d}/seeds.csv") as f:
        for row in csv.DictReader(f):
            s = seeds.setdefault(row["facility_type"], {})
            n, off = int(row["osm_node_id"]), float(row["offset_m"])
            s[n] = min(off, s.get(n, math.inf))
    types = list(seeds)
    result = {}
    for t in types:
        s = seeds[t]
        if all(off == 0 for off in s.values()):
            dist = nx.multi_source_dijkstra_path_length(g, set(s), cutoff=cutoff, weight="length")
        else:
            virtual = ("virtual-source", t)
            g.add_node(virtual)
            for n, off in s.items():
                g.add_edge(virtual, n, length=off)
            dist = nx.single_source_dijkstra_path_length(g, virtual, cutoff=cutoff, weight="length")
            g.remove_node(virtual)
            dist.pop(virtual, None)
        result[t] = dist
    with open(out, "w") as f:
        f.write("osm_node_id,facility_type,distance_m\n")
        for n in order:
            for t in types:
                if n in result[t]:
                    f.write(f"{n},{t},{result[t][n]:.3f}\n")


if __name__ == "__main__":
    main()
