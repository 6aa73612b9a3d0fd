#!/usr/bin/env bash
# Browser tests: the real binary on a temporary SQLite database with the demo dataset, serving
# web/dist, driven by playwright-core in Debian's headless Chromium (tests/e2e, node --test).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

bin=${GJ_BIN:-$root/build/gongjian}
[[ -x $bin ]] || { echo "e2e: $bin missing (run make build)"; exit 1; }
[[ -x /usr/bin/chromium ]] || { echo "e2e: /usr/bin/chromium missing (apt-get install chromium)"; exit 1; }
[[ -f web/dist/index.html ]] || scripts/build-web.sh

e2e=$root/tests/e2e
if [[ ! -d $e2e/node_modules/playwright-core || $e2e/package-lock.json -nt $e2e/node_modules/.stamp ]]; then
  echo "==> npm ci (tests/e2e)"
  (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.stamp)
fi

tmp=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# A free port from the kernel (bind to 0), so parallel runs do not collide.
port=${GJ_E2E_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')}

echo "==> demo dataset into $tmp/e2e.db"
"$bin" demo --db "$tmp/e2e.db" >"$tmp/demo.log" 2>&1 || { cat "$tmp/demo.log"; echo "e2e: demo failed"; exit 1; }

echo "==> gongjian serve on 127.0.0.1:$port"
"$bin" serve --listen "127.0.0.1:$port" --db "$tmp/e2e.db" --web "$root/web/dist" >"$tmp/server.log" 2>&1 &
server_pid=$!
ready=0
for _ in $(seq 100); do
  if node -e 'fetch(process.argv[1]).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
    "http://127.0.0.1:$port/readyz" 2>/dev/null; then ready=1; break; fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ $ready != 1 ]]; then
  echo "e2e: server did not become ready"; tail -n 50 "$tmp/server.log"; exit 1
fi

status=0
(cd "$e2e" && GJ_BASE_URL="http://127.0.0.1:$port" node --test --test-concurrency=1 --test-reporter=spec shell.test.mjs access.test.mjs citizen.test.mjs workbench.test.mjs dashboard.test.mjs) || status=$?
if [[ $status != 0 ]]; then
  echo "---- server log (last 40 lines) ----"; tail -n 40 "$tmp/server.log"
fi
exit $status
