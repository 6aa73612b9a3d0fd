#!/usr/bin/env bash
# The real binary reads its deployment settings from a configuration file, the environment
# overrides the file, and an unreadable explicit file is a usage error (exit 2).
set -uo pipefail
gj=$1
d=$(mktemp -d /tmp/gj-config.XXXXXX)
trap 'kill $pid 2>/dev/null; rm -rf "$d"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
p1=$(port); p2=$(port)
printf '# test\nlisten = 127.0.0.1:%s\ndb = %s/c.db\nweb = /nonexistent\n' "$p1" "$d" > "$d/gongjian.conf"
"$gj" --config "$d/gongjian.conf" serve 2>"$d/log1" & pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$p1/readyz" >/dev/null && break; sleep 0.05; done
curl -sf "http://127.0.0.1:$p1/readyz" >/dev/null || fail "serve did not listen where the file said"
[[ -f $d/c.db ]] || fail "serve did not use the file's db"
kill -TERM $pid; wait $pid || fail "serve exited non-zero after SIGTERM"
GONGJIAN_LISTEN=127.0.0.1:$p2 "$gj" --config "$d/gongjian.conf" serve 2>"$d/log2" & pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$p2/readyz" >/dev/null && break; sleep 0.05; done
curl -sf "http://127.0.0.1:$p2/readyz" >/dev/null || fail "the environment did not override the file"
kill -TERM $pid; wait $pid
"$gj" --config "$d/missing.conf" serve 2>/dev/null; rc=$?
[[ $rc -eq 2 ]] || fail "a missing explicit config exited $rc, expected 2"
echo "ok"
