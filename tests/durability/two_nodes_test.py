#!/usr/bin/env python3
"""Exactly-once deadline escalation with two REAL app nodes on one PostgreSQL (接诉即办).

Needs $GJ_TEST_POSTGRES_URL (scripts/pg-temp.sh start); without it the test prints why and exits
77, which CTest reports as skipped. Steps, all against the real binary:

1. a fresh schema in that database; `gongjian migrate` and `gongjian demo --no-osm` into it;
2. two `gongjian serve --postgres URL --scan-seconds 1` processes on two ports;
3. N tickets through HTTP (the demo 指挥中心 login, hotline channel), half on each node, each
   placed inside a demo grid so the responsibility matrix dispatches it to the grid at once;
4. timers are made due by a DIRECT SQL UPDATE through psql (there is no admin path that moves a
   deadline, on purpose): first every resolution timer's warn_at goes into the past (one
   warning each), then every response timer's due_at (one escalation grid → village each),
   staggered over 3 s so that both nodes' scans take a share; node A is killed with SIGKILL
   0.5–2.5 s into each phase (while timers are still coming due) and restarted 0.5 s later;
5. asserts: every ticket has exactly one deadline_warning and exactly one escalate event, every
   one of those timers is fired/cancelled as expected, and the escalated holder is the village;
6. a responsibility-matrix edit through node B's API routes node A's next intake differently
   (configuration reload across nodes without a restart; sessions live in the store, so node
   A's session survives its restarts).

usage: two_nodes_test.py GONGJIAN_BINARY
"""
import http.cookiejar, json, os, random, signal, socket, subprocess, sys, tempfile, time
import urllib.parse, urllib.request

N = 40
T0 = time.time()
gj = os.path.abspath(sys.argv[1])
base_url = os.environ.get("GJ_TEST_POSTGRES_URL", "")
if not base_url:
    print("SKIP: GJ_TEST_POSTGRES_URL is not set (start one with scripts/pg-temp.sh start)")
    sys.exit(77)

schema = f"two_nodes_{os.getpid()}_{random.randrange(1 << 30)}"
tmp = tempfile.mkdtemp(prefix="gj-two-nodes-")


def psql(sql, url=None):
    out = subprocess.run(["psql", url or base_url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


psql(f"CREATE SCHEMA {schema}")
url = base_url + ("&" if "?" in base_url else "?") + "options=-csearch_path%3D" + schema


def fail(msg):
    print("FAIL:", msg)
    for p in procs.values():
        if p and p.poll() is None:
            p.kill()
    sys.exit(1)


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


procs = {}
logs = {}


def start(name, port):
    logs[name] = open(os.path.join(tmp, f"{name}.log"), "ab")
    p = subprocess.Popen([gj, "serve", "--listen", f"127.0.0.1:{port}", "--postgres", url,
                          "--web", "/nonexistent", "--scan-seconds", "1", "--notify-seconds", "0"],
                         stdout=logs[name], stderr=logs[name])
    procs[name] = p
    for _ in range(300):
        if p.poll() is not None:
            fail(f"node {name} exited with {p.returncode} (log {tmp}/{name}.log)")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1)
            return p
        except Exception:
            time.sleep(0.05)
    fail(f"node {name} did not become ready")


def login(port):
    jar = http.cookiejar.CookieJar()
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/auth/login",
                                 data=json.dumps({"username": "zhashui.command",
                                                  "password": "Gongjian-Demo-2026"}).encode(),
                                 headers={"Content-Type": "application/json"})
    body = json.load(op.open(req, timeout=10))
    return op, body["csrf_token"]


def run(*args):
    r = subprocess.run([gj, *args], capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"gongjian {' '.join(args[:1])} exited {r.returncode}: {r.stderr[-2000:]}")


run("migrate", "--postgres", url)
run("demo", "--postgres", url, "--no-osm")

# A point inside each of a few demo grids of 柞水县 (the centre of the polygon's bounding box,
# kept only when it lies inside: the grids are synthetic squares).
grids = []
for line in psql("SELECT code, polygon FROM grids WHERE code LIKE '611026%' AND polygon <> '' "
                 "ORDER BY code LIMIT 8", url).splitlines():
    code, poly = line.split("|", 1)
    ring = json.loads(poly)["coordinates"][0]
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    grids.append((code, (min(ys) + max(ys)) / 2, (min(xs) + max(xs)) / 2))
if not grids:
    fail("the demo has no grids in 柞水县")

ports = {"a": free_port(), "b": free_port()}
start("a", ports["a"])
start("b", ports["b"])
sessions = {n: login(p) for n, p in ports.items()}

ids = []
for i in range(N):
    node = "a" if i % 2 == 0 else "b"
    op, csrf = sessions[node]
    code, lat, lon = grids[i % len(grids)]
    body = {"channel": "hotline", "county_code": "611026000000", "category": "0106",
            "subject": f"第{i}号 垃圾未清运", "text": f"测试工单 {i}：小区垃圾堆放多日无人清运",
            "lat": lat, "lon": lon, "name": "测试", "phone": "13800000000"}
    req = urllib.request.Request(f"http://127.0.0.1:{ports[node]}/api/v1/requests",
                                 data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json",
                                          "X-CSRF-Token": csrf})
    res = json.load(op.open(req, timeout=10))
    t = res["request"]
    if t["holder"]["type"] != "grid":
        fail(f"ticket {i} went to {t['holder']} instead of a grid")
    ids.append(int(t["id"]))
id_list = ",".join(map(str, ids))
print(f"created {N} tickets on two nodes ({time.time() - T0:.1f}s)")


def counts(action):
    rows = psql(f"SELECT ticket_id, COUNT(*) FROM ticket_events WHERE action = '{action}' AND "
                f"ticket_id IN ({id_list}) GROUP BY ticket_id", url)
    out = {}
    for line in rows.splitlines():
        t, c = line.split("|")
        out[int(t)] = int(c)
    return out


def wait_all(action, limit=20):
    end = time.time() + limit
    while time.time() < end:
        if len(counts(action)) == N:
            return
        time.sleep(0.3)
    fail(f"only {len(counts(action))} of {N} tickets got a {action} event in {limit}s")


def kill_and_restart_a(delay):
    time.sleep(delay)
    procs["a"].send_signal(signal.SIGKILL)
    procs["a"].wait()
    time.sleep(0.5)
    start("a", ports["a"])


def now_ms():
    return int(time.time() * 1000)


# Phase 1: warnings. Only warn_at moves (direct SQL; see the docstring).
# Staggered over SPREAD_MS, so both nodes' 1-second scans each take a share and the kill lands
# while timers are still coming due.
SPREAD_MS = 3000


def stagger(*columns):
    t0 = now_ms()
    expr = (f"{t0} + (SELECT COUNT(*) FROM tickets x WHERE x.id < timers.ticket_id "
            f"AND x.id IN ({id_list})) * {SPREAD_MS // N}")
    return ", ".join(f"{c} = {expr}" for c in columns)


psql(f"UPDATE timers SET {stagger('warn_at')} WHERE kind = 'resolution' AND "
     f"state = 'pending' AND ticket_id IN ({id_list})", url)
kill_and_restart_a(random.uniform(0.5, 2.5))
wait_all("deadline_warning")

# Phase 2: escalations. The grid's response limit is breached for every ticket.
# warn_at = due_at: the response timer goes straight to its breach (no warning of its own).
psql(f"UPDATE timers SET {stagger('warn_at', 'due_at')} "
     f"WHERE kind = 'response' AND level = 6 AND state IN ('pending', 'warned') AND "
     f"ticket_id IN ({id_list})", url)
kill_and_restart_a(random.uniform(0.5, 2.5))
wait_all("escalate")
time.sleep(2.5)  # two more scan periods on both nodes: nothing may fire twice

warn, esc = counts("deadline_warning"), counts("escalate")
twice = {t: (warn.get(t), esc.get(t)) for t in ids if warn.get(t) != 1 or esc.get(t) != 1}
if twice:
    fail(f"tickets whose timers did not fire exactly once (warning, escalate): {twice}")
fired = psql(f"SELECT COUNT(*) FROM timers WHERE kind = 'response' AND level = 6 AND "
             f"state = 'fired' AND ticket_id IN ({id_list})", url)
if int(fired) != N:
    fail(f"{fired} grid response timers fired, expected {N}")
holders = psql(f"SELECT unit_type, COUNT(*) FROM tickets WHERE id IN ({id_list}) "
               f"GROUP BY unit_type", url)
if holders != f"village_committee|{N}":
    fail(f"after escalation the holders are {holders!r}, expected village_committee|{N}")

# Configuration edits reach the other node without a restart: 环境卫生 (0106) goes to the
# township platform after an edit on node B, for the next intake on node A.
def call(node, method, path, body=None):
    op, csrf = sessions[node]
    req = urllib.request.Request(f"http://127.0.0.1:{ports[node]}/api/v1{path}", method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", "X-CSRF-Token": csrf})
    return json.load(op.open(req, timeout=10))


call("b", "PUT", "/config/matrix/0106", {"unit_type": "township_platform", "level": 4})
time.sleep(1.3)  # node A checks the config version at most once a second
code, lat, lon = grids[0]
t = call("a", "POST", "/requests", {"channel": "hotline", "county_code": "611026000000",
                                    "category": "0106", "subject": "配置变更后的新工单",
                                    "text": "配置变更后受理", "lat": lat, "lon": lon,
                                    "name": "测试", "phone": "13800000000"})["request"]
if t["holder"]["type"] != "township_platform":
    fail(f"after the matrix edit on node B, node A routed to {t['holder']}, not the platform")
print("a matrix edit on node B routed node A's next intake to the township platform")

# Who did the work (the scan log lines of each node, all its lives): informative only, as the
# split depends on scheduling.
share = {}
for name in ("a", "b"):
    logs[name].flush()
    w = e = 0
    for line in open(os.path.join(tmp, f"{name}.log"), encoding="utf-8", errors="replace"):
        if '"deadline_scan"' in line:
            rec = json.loads(line)
            w += int(rec.get("warnings", 0)); e += int(rec.get("escalations", 0))
    share[name] = (w, e)
print(f"warnings/escalations applied by node A: {share['a']}, node B: {share['b']}")

for p in procs.values():
    p.send_signal(signal.SIGTERM)
for p in procs.values():
    try:
        p.wait(timeout=15)
    except subprocess.TimeoutExpired:
        p.kill()
psql(f"DROP SCHEMA {schema} CASCADE")
print(f"PASS: {N} tickets, 2 nodes, node A killed twice with SIGKILL: every warning and every "
      f"escalation exactly once ({time.time() - T0:.1f}s)")
