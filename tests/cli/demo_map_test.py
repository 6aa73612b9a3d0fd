#!/usr/bin/env python3
"""The demo's synthetic grid layer looks like a real one: `gongjian demo` draws the grids of each
demo county so that no two overlap and, around the county seat, they leave no gap; each grid is
a simple counter-clockwise quadrilateral inside its county's extent, and the demo requests lie
in the grid they were routed to. Runs the real binary on a fresh SQLite store.

usage: demo_map_test.py PATH/TO/gongjian
"""
import json
import math
import os
import random
import sqlite3
import subprocess
import sys
import tempfile

BIN = sys.argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
failures = []

# The demo counties: seat (lat, lon) and the side of one village's cell in metres.
COUNTIES = {'611026': ((33.6862, 109.1138), 4500), '610103': ((34.2565, 108.9466), 470)}


def check(cond, what):
    print(('ok   ' if cond else 'FAIL ') + what)
    if not cond:
        failures.append(what)


def inside(lat, lon, ring):
    c = False
    j = len(ring) - 1
    for i in range(len(ring)):
        (ax, ay), (bx, by) = ring[i], ring[j]
        if (ay > lat) != (by > lat) and lon < (bx - ax) * (lat - ay) / (by - ay) + ax:
            c = not c
        j = i
    return c


def signed_area(ring):
    return sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1)) / 2


with tempfile.TemporaryDirectory() as work:
    db = os.path.join(work, 'demo.db')
    p = subprocess.run([BIN, 'demo', '--db', db, '--requests', '40', '--divisions',
                        os.path.join(ROOT, 'data', 'divisions')], capture_output=True, text=True, timeout=300)
    check(p.returncode == 0, 'the demo store is made')
    con = sqlite3.connect(db)
    grids = {code: json.loads(poly)['coordinates'][0]
             for code, poly in con.execute('SELECT code, polygon FROM grids')}
    tickets = con.execute('SELECT lat, lon, grid_code FROM tickets WHERE grid_code IS NOT NULL').fetchall()
    con.close()
    rng = random.Random(7)
    for county, ((lat0, lon0), cell_m) in COUNTIES.items():
        mine = {c: r for c, r in grids.items() if c.startswith(county)}
        check(len(mine) > 100, f'{county}: the demo draws its grids ({len(mine)})')
        check(all(len(r) == 5 and r[0] == r[-1] and signed_area(r) > 0 for r in mine.values()),
              f'{county}: every grid is a closed counter-clockwise quadrilateral')
        dlat = cell_m / 111320.0
        dlon = cell_m / (111320.0 * math.cos(math.radians(lat0)))
        # Around the seat (one cell each way: the seat's cell and its eight neighbours) every
        # point lies in exactly one grid; anywhere in the county, in at most one.
        near = []
        for _ in range(400):
            lat, lon = lat0 + rng.uniform(-1, 1) * dlat, lon0 + rng.uniform(-1, 1) * dlon
            near.append(sum(1 for r in mine.values() if inside(lat, lon, r)))
        check(near.count(1) == len(near), f'{county}: around the seat the grids leave no gap and do not overlap')
        lats = [p[1] for r in mine.values() for p in r]
        lons = [p[0] for r in mine.values() for p in r]
        far = []
        for _ in range(1500):
            lat, lon = rng.uniform(min(lats), max(lats)), rng.uniform(min(lons), max(lons))
            far.append(sum(1 for r in mine.values() if inside(lat, lon, r)))
        check(max(far) == 1 and far.count(1) > len(far) * 0.7,
              f'{county}: no two grids overlap anywhere, and they fill most of the county ({far.count(1)} of {len(far)})')
        span_km = (max(lats) - min(lats)) * 111.32
        check(5 * cell_m / 1000 < span_km < 16 * cell_m / 1000, f'{county}: the county is {span_km:.1f} km from south to north')
    placed = [inside(lat, lon, grids[g]) for lat, lon, g in tickets]
    check(len(placed) > 40 and all(placed), f'each demo request lies in the grid it was routed to ({len(placed)})')

print(f'{len(failures)} failed')
sys.exit(1 if failures else 0)
