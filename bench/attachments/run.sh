#!/usr/bin/env bash
# Photo attachments 附件 on PostgreSQL: the bytes in the database (`--attachments-store
# database`, the default there since migration 0024) against files in a directory (the only
# way before, which several nodes could share only over NFS). The same server binary and store,
# the two stores in interleaved turns; each turn uploads UPLOADS photos of SIZE bytes from
# THREADS signed-in clients, then reads each back (bench/attachments/photos.py). Prints each
# turn and the medians; the ratio is database / files.
# usage: bench/attachments/run.sh     env: ROUNDS=3 UPLOADS=360 THREADS=8 SIZE=200000
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-3}; uploads=${UPLOADS:-360}; threads=${THREADS:-8}; size=${SIZE:-200000}
cmake --preset bench >/dev/null
cmake --build build-bench -j2 --target gongjian >/dev/null
bin=build-bench/gongjian
read -r pgdir url < <(scripts/pg-temp.sh start)
work=$(mktemp -d)
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; scripts/pg-temp.sh stop "$pgdir"; rm -rf "$work"; }
trap cleanup EXIT
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $uploads photos of $size bytes, $threads clients"
"$bin" demo --postgres "$url" --requests 0 >/dev/null 2>&1

turn() {  # $1 = database | files
  local flags=(--attachments-store database)
  [[ $1 == files ]] && flags=(--attachments-dir "$work/files")
  "$bin" serve --listen "127.0.0.1:$port" --postgres "$url" --web /nonexistent --notify-seconds 0 \
    "${flags[@]}" >"$work/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  python3 bench/attachments/photos.py "http://127.0.0.1:$port" "$uploads" "$threads" "$size"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}

declare -A up p50 p99 rd rp50
echo "store     uploads/s  upload p50/p99 ms  reads/s  read p50/p99 ms"
for ((r = 1; r <= rounds; r++)); do
  for s in files database; do
    read -r a b c d e f < <(turn "$s")
    printf '%-9s %9s  %8s / %-7s %8s  %6s / %s\n' "$s" "$a" "$b" "$c" "$d" "$e" "$f"
    up[$s]+="$a "; p50[$s]+="$b "; p99[$s]+="$c "; rd[$s]+="$d "; rp50[$s]+="$e "
  done
done
for s in files database; do
  # shellcheck disable=SC2086
  printf 'median %-9s uploads/s %s, upload p50 %s ms, p99 %s ms, reads/s %s, read p50 %s ms\n' "$s" \
    "$(median ${up[$s]})" "$(median ${p50[$s]})" "$(median ${p99[$s]})" "$(median ${rd[$s]})" "$(median ${rp50[$s]})"
done
# shellcheck disable=SC2086
python3 -c "print(f'database / files: uploads/s {float(\"$(median ${up[database]})\")/float(\"$(median ${up[files]})\"):.2f}x, reads/s {float(\"$(median ${rd[database]})\")/float(\"$(median ${rd[files]})\"):.2f}x')"
