#!/usr/bin/env python3
"""The baseline of bench/org/run.sh: the same division and grid rows as `gongjian import grids`
writes, inserted by Python's sqlite3 in one transaction with the product's pragmas and upserts
(no parsing, checking, progress or audit). Prints the seconds it took.

usage: bare_insert.py STORE.db FILE.geojson
"""
import json
import sqlite3
import sys
import time

store, path = sys.argv[1], sys.argv[2]
features = json.load(open(path, encoding='utf-8'))['features']
rows = [(f['properties']['code'], f['properties']['name'], json.dumps(f['geometry'], separators=(',', ':')))
        for f in features]
con = sqlite3.connect(store, isolation_level=None)
for p in ('journal_mode=WAL', 'synchronous=FULL', 'foreign_keys=ON', 'temp_store=MEMORY', 'cache_size=-65536'):
    con.execute('PRAGMA ' + p)
t0 = time.time()
con.execute('BEGIN IMMEDIATE')
for code, name, poly in rows:
    con.execute("INSERT INTO divisions(code, parent_code, name, level, kind, synthetic) VALUES(?, ?, ?, 6, 'grid', 0) "
                "ON CONFLICT(code) DO UPDATE SET name = excluded.name WHERE divisions.name <> excluded.name",
                (code, code[:12], name))
    con.execute('INSERT INTO grids(code, households, residents, polygon) VALUES(?, 300, 800, ?) '
                'ON CONFLICT(code) DO UPDATE SET polygon = excluded.polygon', (code, poly))
con.execute('COMMIT')
print('%.3f' % (time.time() - t0))
