#!/usr/bin/env python3
# Overlapping grid pairs of each demo county as the product's own import check counts them:
# export the county's grid layer (GET /org/grids.geojson) and dry-run it back (overlaps).
import json, sys, urllib.request, http.cookiejar
base = sys.argv[1]
for user, county in [('beilin.admin', '610103000000'), ('admin', '611026000000')]:
    jar = http.cookiejar.CookieJar()
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    pw = 'Gongjian-Admin-2026'
    r = op.open(urllib.request.Request(base + '/api/v1/auth/login', json.dumps({'username': user, 'password': pw}).encode(), {'Content-Type': 'application/json'}))
    me = json.load(op.open(base + '/api/v1/auth/me'))
    layer = op.open(base + '/api/v1/org/grids.geojson?scope=' + county).read()
    req = urllib.request.Request(base + '/api/v1/org/grids/import?dry_run=1', layer, {'Content-Type': 'application/geo+json', 'X-CSRF-Token': me['csrf_token']})
    rep = json.load(op.open(req))
    print(county, 'grids', rep['read'], 'overlap warnings', rep['overlaps'], 'area_km2 %.1f' % rep['area_km2'])
