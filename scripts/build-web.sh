#!/usr/bin/env bash
# Builds the Vue app into web/dist when its sources changed since the last build.
set -euo pipefail
cd "$(dirname "$0")/../web"
if [[ ! -d node_modules || package-lock.json -nt node_modules/.stamp ]]; then
  echo "==> npm ci (web)"
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.stamp
fi
if [[ ! -f dist/index.html ]] || [[ -n $(find src public index.html package.json package-lock.json tsconfig.json vite.config.ts -newer dist/index.html 2>/dev/null | head -1) ]]; then
  echo "==> building web UI"
  npm run build --silent
  # Precompressed copies: the server sends file.gz to browsers that accept gzip (a phone on a weak
  # network loads a third of the bytes).
  find dist \( -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' -o -name '*.json' \) \
    -size +1k -exec gzip -9 -k -f {} \;
fi
