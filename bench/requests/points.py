#!/usr/bin/env python3
"""5,000 random points inside the demo store's 柞水县 grid polygons (rejection sampling in each
grid's box, seed 7), one "lat lon" line each, for bench/requests/intake.lua.
usage: points.py DEMO_DB OUT"""
import json
import random
import sqlite3
import sys

random.seed(7)
rings = [json.loads(p)["coordinates"][0] for (p,) in
         sqlite3.connect(sys.argv[1]).execute("SELECT polygon FROM grids WHERE polygon IS NOT NULL AND code LIKE '611026%'")]


def inside(ring, x, y):
    c = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            c = not c
    return c


out = []
while len(out) < 5000:
    r = random.choice(rings)
    xs = [p[0] for p in r]
    ys = [p[1] for p in r]
    x, y = random.uniform(min(xs), max(xs)), random.uniform(min(ys), max(ys))
    if inside(r, x, y):
        out.append(f"{y:.6f} {x:.6f}")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
print(f"{len(rings)} grids, {len(out)} points", file=sys.stderr)
