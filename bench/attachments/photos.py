#!/usr/bin/env python3
"""Photo attachments 附件 over HTTP against a running `gongjian serve`: THREADS staff clients
(zhashui.command, signed in) each file requests and upload 9 photos of SIZE bytes to each
(distinct bytes, so nothing is deduplicated), then read every photo back. Prints one line:
  uploads/s upload_p50_ms upload_p99_ms reads/s read_p50_ms read_p99_ms
usage: photos.py BASE_URL [UPLOADS] [THREADS] [SIZE]"""
import http.client, json, os, sys, threading, time, urllib.parse

base = urllib.parse.urlparse(sys.argv[1])
uploads = int(sys.argv[2]) if len(sys.argv) > 2 else 360
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 8
size = int(sys.argv[4]) if len(sys.argv) > 4 else 200_000
JPEG = b"\xff\xd8\xff\xe0" + b"JFIF"


def client():
    c = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
    c.request("POST", "/api/v1/auth/login", json.dumps({"username": "zhashui.command", "password": "Gongjian-Demo-2026"}),
              {"Content-Type": "application/json"})
    r = c.getresponse()
    body = json.loads(r.read())
    assert r.status == 200, body
    cookie = r.getheader("Set-Cookie").split(";")[0]
    return c, {"Cookie": cookie, "X-CSRF-Token": body["csrf_token"]}


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] if xs else 0.0


up_ms, read_ms, ids, lock = [], [], [], threading.Lock()


def worker(k, n):
    c, h = client()
    ticket = None
    for i in range(n):
        if i % 9 == 0:
            c.request("POST", "/api/v1/requests", json.dumps({
                "channel": "hotline", "category": "0106", "subject": f"照片测试 {k}-{i}",
                "text": "路边垃圾堆放，附现场照片。", "phone": "13812345678",
                "lat": 33.692834, "lon": 109.104509}), {**h, "Content-Type": "application/json",
                                                        "Idempotency-Key": f"photos-{os.getpid()}-{k}-{i}"})
            r = c.getresponse()
            b = json.loads(r.read())
            assert r.status == 201, b
            ticket = b["request"]["id"]
        data = JPEG + os.urandom(size - len(JPEG))
        t0 = time.perf_counter()
        c.request("POST", f"/api/v1/requests/{ticket}/attachments", data,
                  {**h, "Content-Type": "image/jpeg", "X-File-Name": "photo.jpg"})
        r = c.getresponse()
        b = json.loads(r.read())
        dt = (time.perf_counter() - t0) * 1000
        assert r.status == 201, b
        with lock:
            up_ms.append(dt)
            ids.append((b["id"], len(data)))
    return c, h


def reader(k, mine):
    c, h = client()
    for aid, n in mine:
        t0 = time.perf_counter()
        c.request("GET", f"/api/v1/attachments/{aid}/content", headers=h)
        r = c.getresponse()
        data = r.read()
        dt = (time.perf_counter() - t0) * 1000
        assert r.status == 200 and len(data) == n, (r.status, len(data), n)
        with lock:
            read_ms.append(dt)


per = uploads // threads
t0 = time.perf_counter()
ts = [threading.Thread(target=worker, args=(k, per)) for k in range(threads)]
[t.start() for t in ts]
[t.join() for t in ts]
up_s = time.perf_counter() - t0
assert len(up_ms) == per * threads, "an upload failed"
t0 = time.perf_counter()
ts = [threading.Thread(target=reader, args=(k, ids[k::threads])) for k in range(threads)]
[t.start() for t in ts]
[t.join() for t in ts]
read_s = time.perf_counter() - t0
assert len(read_ms) == len(ids), "a read failed"
print(f"{len(up_ms) / up_s:.1f} {pct(up_ms, .5):.1f} {pct(up_ms, .99):.1f} "
      f"{len(read_ms) / read_s:.1f} {pct(read_ms, .5):.1f} {pct(read_ms, .99):.1f}")
