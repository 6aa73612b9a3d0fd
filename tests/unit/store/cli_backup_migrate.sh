#!/usr/bin/env bash
# `gongjian migrate` and `gongjian backup` through the real binary: a live store (a writer keeps
# inserting during the backup) is copied, the copy passes integrity_check and holds the rows;
# migrate is repeatable; bad usage exits 2 and failures exit 1.
# usage: cli_backup_migrate.sh GONGJIAN DURABILITY_WRITER
set -uo pipefail
gj=$1; writer=$2
d=$(mktemp -d /tmp/gj-cli-store.XXXXXX)
wpid=
cleanup() { [[ -n $wpid ]] && kill -9 "$wpid" 2>/dev/null; wait 2>/dev/null; rm -rf "$d"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

out=$("$gj" migrate --db "$d/a.db") || fail "migrate exited $?"
[[ $out == *"schema version"* ]] || fail "migrate printed: $out"
out2=$("$gj" migrate --db "$d/a.db") || fail "second migrate exited $?"
[[ $out2 == *"0 applied"* ]] || fail "second migrate was not a no-op: $out2"

"$writer" "$d/a.db" 1 4 >"$d/acked" 2>/dev/null &
wpid=$!
for _ in $(seq 100); do [[ -s $d/acked ]] && break; sleep 0.05; done
[[ -s $d/acked ]] || fail "the writer acknowledged nothing"
out=$("$gj" backup --db "$d/a.db" "$d/copy.db" 2>"$d/err") || fail "backup exited $?: $(cat "$d/err")"
[[ $out == *"integrity ok"* ]] || fail "backup printed: $out"
grep -q "100%" "$d/err" || fail "no progress on stderr: $(cat "$d/err")"
[[ ! -e $d/copy.db.partial ]] || fail "partial file left behind"
rows=$(sqlite3 "$d/copy.db" "SELECT count(*) FROM acked") || fail "copy unreadable"
((rows > 0)) || fail "copy holds no rows"
[[ $(sqlite3 "$d/copy.db" "PRAGMA integrity_check") == ok ]] || fail "copy not intact"

"$gj" backup --db "$d/a.db" >/dev/null 2>&1; [[ $? == 2 ]] || fail "missing OUT_FILE should exit 2"
"$gj" backup --db "$d/none.db" "$d/x.db" >/dev/null 2>&1; [[ $? == 1 ]] || fail "missing store should exit 1"
"$gj" migrate >/dev/null 2>&1; [[ $? == 2 ]] || fail "migrate without a target should exit 2"
"$gj" backup --help | grep -q "usage: gongjian backup" || fail "backup --help"
"$gj" migrate --help | grep -q "usage: gongjian migrate" || fail "migrate --help"
echo "ok: migrate repeatable, live backup of $rows rows intact"
