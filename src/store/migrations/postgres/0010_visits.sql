-- Care visits 走访记录 (issue 4): a grid worker's visit to a household in their grid — routine
-- 日常走访, care 关爱, safety patrol 安全巡查 … — recorded on a phone, often offline first and
-- synced later. `client_key` is the Idempotency-Key the phone generated when it queued the
-- visit: the same key with the same body answers the stored visit, never a second row.
-- Times are epoch milliseconds.
CREATE TABLE visits (
  id           BIGSERIAL PRIMARY KEY,
  client_key   TEXT UNIQUE,                 -- NULL when the client sent no key
  body_hash    TEXT NOT NULL,               -- SHA-256 of the canonical body, for key replays
  grid_code    TEXT NOT NULL REFERENCES divisions(code),
  worker_id    BIGINT  NOT NULL REFERENCES users(id),
  worker_name  TEXT NOT NULL,
  household    TEXT NOT NULL,               -- household / address as the worker wrote it
  kind         TEXT NOT NULL,               -- routine | care | safety | policy | dispute | other
  note         TEXT NOT NULL DEFAULT '',
  lat          DOUBLE PRECISION,
  lon          DOUBLE PRECISION,
  visited_at   BIGINT  NOT NULL,
  created_at   BIGINT  NOT NULL
);
CREATE INDEX visits_grid_time ON visits(grid_code, visited_at);
