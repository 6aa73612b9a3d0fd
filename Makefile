# The README's two commands: `make run` and `make test`. Both install what they need.
# `make build` leaves the binary at build/gongjian (scripts outside the project rely on it).
PORT ?= 8080
DB   ?= data/gongjian.db
JOBS ?= $(shell nproc)

APT_PACKAGES = build-essential cmake ninja-build pkg-config clang-format \
  libboost-dev libsqlite3-dev sqlite3 libpq-dev postgresql-15 libargon2-dev libssl-dev \
  libjemalloc-dev \
  openssl ca-certificates \
  libicu-dev libosmium2-dev libprotozero-dev libexpat1-dev zlib1g-dev libbz2-dev \
  nlohmann-json3-dev libgtest-dev libgmock-dev libxlsxwriter-dev \
  chromium fonts-wqy-microhei python3 python3-networkx \
  libcairo2-dev libpango1.0-dev poppler-utils unzip

.PHONY: deps build web run test test-unit test-api test-e2e bench clean format

deps:
	@scripts/install-deps.sh $(APT_PACKAGES)

build: deps
	@cmake --preset release >/dev/null
	@cmake --build build -j$(JOBS)
	@$(MAKE) --no-print-directory web

web:
	@if [ -f web/package.json ]; then scripts/build-web.sh; fi

run: build
	@scripts/run.sh $(PORT) $(DB)

test: build
	@scripts/test.sh

bench:
	@scripts/install-deps.sh $(APT_PACKAGES) wrk python3-scipy python3-sklearn postgresql-15-pgrouting python3-psycopg2
	@cmake --preset bench >/dev/null && cmake --build build-bench -j$(JOBS)
	@bench/run-all.sh

format:
	@find src tests bench -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i

clean:
	rm -rf build build-debug build-bench web/dist
