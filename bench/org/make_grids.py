#!/usr/bin/env python3
"""Writes a synthetic grid boundary file 网格边界 for `gongjian import grids`: PER grids (500 m
squares in a row) under each of the first VILLAGES villages/communities of data/divisions, placed
on a lattice so no two overlap. Benchmark data only: the shapes are not real grids.

usage: make_grids.py OUT.geojson [VILLAGES] [PER] [SHIFT]
SHIFT moves every square east by that many metres (a "redrawn" file for the re-import run).
"""
import csv
import json
import math
import os
import sys

out = sys.argv[1]
villages_wanted = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
per = int(sys.argv[3]) if len(sys.argv) > 3 else 5
shift_m = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
root = os.path.join(os.path.dirname(__file__), '..', '..', 'data', 'divisions', 'villages.csv')
villages = []
with open(root, encoding='utf-8') as f:
    for row in csv.DictReader(f):
        villages.append((row['code'], row['name']))
        if len(villages) >= villages_wanted:
            break
lat0, lon0 = 32.0, 106.0
half = 250.0
dlat = 2 * half / 111320.0
features = []
for vi, (code, name) in enumerate(villages):
    row, col = divmod(vi, 200)
    for g in range(per):
        lat = lat0 + row * dlat * 1.2
        dlon = 2 * half / (111320.0 * math.cos(math.radians(lat)))
        lon = lon0 + (col * per + g) * dlon * 1.2 + shift_m / (111320.0 * math.cos(math.radians(lat)))
        ring = [[lon, lat], [lon + dlon, lat], [lon + dlon, lat + dlat], [lon, lat + dlat], [lon, lat]]
        features.append({
            'type': 'Feature',
            'properties': {'code': f'{code}{g + 1:03d}', 'name': f'{name}第{g + 1}网格',
                           'households': 300, 'residents': 800},
            'geometry': {'type': 'Polygon', 'coordinates': [[[round(x, 7), round(y, 7)] for x, y in ring]]},
        })
with open(out, 'w', encoding='utf-8') as f:
    json.dump({'type': 'FeatureCollection', 'features': features}, f, ensure_ascii=False)
print(f'{len(features)} grids under {len(villages)} villages -> {out}', file=sys.stderr)
