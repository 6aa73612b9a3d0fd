#!/usr/bin/env python3
"""A county's first day on the command line: `gongjian import divisions`, `import grids`
(a file with problems changes nothing and exits 1 naming each feature; a dry run writes nothing;
the import, then a re-import that changes nothing), `import units`, and `user import` with the
initial passwords in an owner-only file. Runs the real binary on a fresh SQLite store.

usage: onboarding_test.py PATH/TO/gongjian
"""
import json
import os
import sqlite3
import stat
import subprocess
import sys
import tempfile

BIN = sys.argv[1]
failures = []


def check(cond, what):
    print(('ok   ' if cond else 'FAIL ') + what)
    if not cond:
        failures.append(what)


def run(*args):
    p = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def square(lat, lon, d=0.004):
    ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]
    return {'type': 'Polygon', 'coordinates': [ring]}


def grid(code, name, geometry, **extra):
    return {'type': 'Feature', 'properties': {'code': code, 'name': name, **extra}, 'geometry': geometry}


with tempfile.TemporaryDirectory() as work:
    div = os.path.join(work, 'divisions')
    os.mkdir(div)
    files = {
        'provinces.csv': 'code,name,parent_code\n610000000000,陕西省,\n',
        'cities.csv': 'code,name,parent_code\n611000000000,商洛市,610000000000\n',
        'counties.csv': 'code,name,parent_code\n611026000000,柞水县,611000000000\n',
        'townships.csv': 'code,name,parent_code\n611026001000,乾佑街道,611026000000\n',
        'villages.csv': 'code,name,parent_code\n611026001001,城区社区居委会,611026001000\n',
    }
    for name, text in files.items():
        with open(os.path.join(div, name), 'w', encoding='utf-8') as f:
            f.write(text)
    db = os.path.join(work, 'g.db')
    rc, out, err = run('import', 'divisions', div, '--db', db)
    check(rc == 0, 'divisions imported')

    def grids_in_store():
        con = sqlite3.connect(db)
        try:
            return con.execute('SELECT COUNT(*) FROM grids').fetchone()[0]
        finally:
            con.close()

    bad = os.path.join(work, 'bad.geojson')
    with open(bad, 'w', encoding='utf-8') as f:
        json.dump({'type': 'FeatureCollection', 'features': [
            grid('611026001001001', '第一网格', square(33.70, 109.10)),
            grid('611026001099001', '无此社区', square(33.71, 109.10)),
            grid('611026001001003', '投影', square(4060000, 12130000, 300)),
        ]}, f, ensure_ascii=False)
    rc, out, err = run('import', 'grids', bad, '--db', db)
    check(rc == 1, 'a file with problems exits 1')
    check('feature 2: code: The first 12 digits' in err, 'the unknown village is named with its feature')
    check('feature 3: geometry: Coordinates are outside' in err, 'projected coordinates are named')
    check('nothing was imported' in err and grids_in_store() == 0, '…and nothing was written')

    good = os.path.join(work, 'good.geojson')
    with open(good, 'w', encoding='utf-8') as f:
        json.dump({'type': 'FeatureCollection', 'features': [
            grid('611026001001001', '第一网格', square(33.70, 109.10), households=300),
            grid('611026001001002', '第二网格', square(33.70, 109.108)),
        ]}, f, ensure_ascii=False)
    rc, out, err = run('import', 'grids', good, '--dry-run', '--db', db)
    check(rc == 0 and out.startswith('dry run (nothing written): 2 grids read: 2 new'), 'a dry run reports 2 new')
    check(grids_in_store() == 0, '…and writes nothing')
    rc, out, err = run('import', 'grids', good, '--db', db)
    check(rc == 0 and '2 grids read: 2 new, 0 changed, 0 unchanged' in out, 'the import adds 2 grids')
    check('write: 2 / 2' in err, 'progress is shown on stderr')
    rc, out, err = run('import', 'grids', good, '--db', db)
    check(rc == 0 and '0 new, 0 changed, 2 unchanged' in out, 'a re-import changes nothing')

    # A re-division 网格调整: the new layer of the community has only the first grid.
    layer = os.path.join(work, 'layer.geojson')
    with open(layer, 'w', encoding='utf-8') as f:
        json.dump({'type': 'FeatureCollection', 'features': [
            grid('611026001001001', '第一网格', square(33.70, 109.10), households=300),
        ]}, f, ensure_ascii=False)
    rc, out, err = run('import', 'grids', layer, '--db', db)
    check(rc == 0 and '1 grids of those villages not in the file (kept)' in out, 'without --retire-missing the other grid is kept')
    rc, out, err = run('import', 'grids', layer, '--retire-missing', '--dry-run', '--db', db)
    check(rc == 0 and '1 grids of those villages not in the file (would be retired)' in out, 'a dry run says which would be retired')

    def retired(code):
        con = sqlite3.connect(db)
        try:
            return con.execute('SELECT retired_at FROM grids WHERE code = ?', (code,)).fetchone()[0]
        finally:
            con.close()
    check(retired('611026001001002') is None, '…and retires nothing')
    rc, out, err = run('import', 'grids', layer, '--retire-missing', '--db', db)
    check(rc == 0 and '1 grids of those villages not in the file retired' in out, 'the import retires it')
    check(retired('611026001001002') is not None and retired('611026001001001') is None, '…only it')

    units = os.path.join(work, 'units.csv')
    with open(units, 'w', encoding='utf-8') as f:
        f.write('单位名称,单位类型,所属区划代码\n柞水县城市管理局,城市管理部门,611026000000\n')
    rc, out, err = run('import', 'units', units, '--db', db)
    check(rc == 0 and '1 new' in out and 'new unit kinds: 城市管理部门' in out, 'a unit is imported with its new kind')

    staff = os.path.join(work, 'staff.csv')
    with open(staff, 'w', encoding='utf-8') as f:
        f.write('username,display_name,role,scope_code,unit_division_code,unit_name\n'
                'zhang.grid,张伟,grid_worker,611026001001001,,\n'
                'li.cgj,李娜,department,,611026000000,柞水县城市管理局\n')
    pw = os.path.join(work, 'initial.csv')
    rc, out, err = run('user', 'import', staff, '--passwords', pw, '--db', db)
    check(rc == 0 and '2 accounts added' in out, 'two staff accounts are added')
    mode = stat.S_IMODE(os.stat(pw).st_mode)
    check(mode == 0o600, f'the passwords file is owner-only ({oct(mode)})')
    with open(pw, encoding='utf-8') as f:
        lines = f.read().splitlines()
    check(lines[0] == 'username,password' and len(lines) == 3, 'one password per account')
    check(all(len(l.split(',')[1]) == 12 for l in lines[1:]), 'passwords are 12 characters')
    check(lines[1].split(',')[1] not in out + err, 'no password is printed')
    con = sqlite3.connect(db)
    worker = con.execute("SELECT u.username FROM grids g JOIN users u ON u.id = g.worker_user_id "
                         "WHERE g.code = '611026001001001'").fetchone()
    con.close()
    check(worker == ('zhang.grid',), 'the grid worker is the grid\'s 网格员')
    rc, out, err = run('user', 'import', staff, '--passwords', pw + '2', '--db', db)
    check(rc == 1 and 'line 2: username: Already exists' in err, 'importing the same accounts again is refused')

    # A reform 机构改革: the bureau becomes a new one; the file names only the new one.
    reform = os.path.join(work, 'reform.csv')
    with open(reform, 'w', encoding='utf-8') as f:
        f.write('单位名称,单位类型,所属区划代码\n柞水县城市管理和综合执法局,城市管理部门,611026000000\n')
    def unit_retired(name):
        con = sqlite3.connect(db)
        row = con.execute('SELECT retired_at FROM units WHERE name = ?', (name,)).fetchone()
        con.close()
        return row[0]
    rc, out, err = run('import', 'units', reform, '--db', db)
    check(rc == 0 and '1 units of those divisions not in the file (kept)' in out, 'without --retire-missing the old bureau is kept')
    rc, out, err = run('import', 'units', reform, '--retire-missing', '--dry-run', '--db', db)
    check(rc == 0 and '(would be withdrawn)' in out and '柞水县城市管理局' in out and '1 active staff' in out,
          'a dry run names the bureau it would withdraw and its staff')
    check(unit_retired('柞水县城市管理局') is None, '…and writes nothing')
    rc, out, err = run('import', 'units', reform, '--retire-missing', '--db', db)
    check(rc == 0 and '1 units of those divisions not in the file withdrawn' in out, 'the reform withdraws it')
    check(unit_retired('柞水县城市管理局') is not None and unit_retired('柞水县城市管理和综合执法局') is None, '…only it')

    # An operator's reset (a forgotten password): the account must choose its own at sign-in.
    def must_change():
        con = sqlite3.connect(db)
        row = con.execute("SELECT must_change_password FROM users WHERE username = 'zhang.grid'").fetchone()
        con.close()
        return row[0]
    con = sqlite3.connect(db)
    con.execute("UPDATE users SET must_change_password = 0 WHERE username = 'zhang.grid'")
    con.commit()
    con.close()
    rc, out, err = run('user', 'reset', 'zhang.grid', '--password', 'Operator-Set-2026', '--db', db)
    check(rc == 0 and 'reset' in out and must_change() == 1,
          'a password reset by the operator must be replaced at the next sign-in')

    # A backup takes the photo files beside the store too, and a second one into the same
    # place copies only what is new.
    photos = os.path.join(os.path.dirname(db), 'attachments', '7')
    os.makedirs(photos, exist_ok=True)
    with open(os.path.join(photos, 'a1.jpg'), 'wb') as f:
        f.write(b'\xff\xd8\xff\xe0photo one')
    with open(os.path.join(photos, '.tmp-half'), 'wb') as f:
        f.write(b'half written')
    out1 = os.path.join(work, 'backup-1.db')
    shared = os.path.join(work, 'backup-photos')
    rc, out, err = run('backup', '--db', db, out1, '--attachments-out', shared)
    check(rc == 0 and 'integrity ok' in out and '1 copied, 0 already there' in out, 'a backup copies the store and the photo files')
    with open(os.path.join(shared, '7', 'a1.jpg'), 'rb') as f:
        check(f.read() == b'\xff\xd8\xff\xe0photo one', '…byte for byte')
    check(not os.path.exists(os.path.join(shared, '7', '.tmp-half')), '…but not a file still being written')
    with open(os.path.join(photos, 'b2.jpg'), 'wb') as f:
        f.write(b'\xff\xd8\xff\xe0photo two')
    rc, out, err = run('backup', '--db', db, os.path.join(work, 'backup-2.db'), '--attachments-out', shared)
    check(rc == 0 and '1 copied, 1 already there' in out, 'the next backup into the same place copies only the new photo')
    rc, out, err = run('backup', '--db', db, os.path.join(work, 'backup-3.db'))
    check(rc == 0 and os.path.exists(os.path.join(work, 'backup-3.db.attachments', '7', 'b2.jpg')),
          'by default the photos go beside the copy')

print(f'{len(failures)} failed')
sys.exit(1 if failures else 0)
