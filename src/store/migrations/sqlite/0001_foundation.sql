-- Foundation: the hierarchy, units, users, sessions, the audit log.
-- Division codes are NBS 12-digit strings; grids extend their village with 3 digits.
CREATE TABLE divisions (
  code        TEXT PRIMARY KEY,
  parent_code TEXT REFERENCES divisions(code),
  name        TEXT NOT NULL,
  level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 6),
  kind        TEXT NOT NULL,
  synthetic   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX divisions_parent ON divisions(parent_code, code);
CREATE INDEX divisions_name ON divisions(name);

-- 网格 details beyond the division row.
CREATE TABLE grids (
  code           TEXT PRIMARY KEY REFERENCES divisions(code),
  worker_user_id INTEGER,
  households     INTEGER NOT NULL DEFAULT 0,
  residents      INTEGER NOT NULL DEFAULT 0,
  polygon        TEXT            -- GeoJSON Polygon, WGS84
);

-- Departments and other units (部门/单位) that handle work; bound to the division they serve.
CREATE TABLE units (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL,
  kind          TEXT NOT NULL,
  division_code TEXT NOT NULL REFERENCES divisions(code),
  UNIQUE (division_code, name)
);

CREATE TABLE users (
  id              INTEGER PRIMARY KEY,
  username        TEXT NOT NULL UNIQUE,
  display_name    TEXT NOT NULL,
  role            TEXT NOT NULL,
  scope_code      TEXT REFERENCES divisions(code),
  unit_id         INTEGER REFERENCES units(id),
  password_hash   TEXT NOT NULL,
  phone           TEXT,
  id_number       TEXT,
  disabled        INTEGER NOT NULL DEFAULT 0,
  failed_logins   INTEGER NOT NULL DEFAULT 0,
  first_failed_at INTEGER,
  locked_until    INTEGER,
  last_login_at   INTEGER,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE INDEX users_scope ON users(scope_code);

-- Server-side sessions; only the SHA-256 of the cookie token is stored.
CREATE TABLE sessions (
  token_hash   TEXT PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id),
  csrf_token   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  ip           TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Append-only: every write and every read of personal data.
CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  at          INTEGER NOT NULL,
  actor_id    INTEGER,
  actor_name  TEXT NOT NULL,
  action      TEXT NOT NULL,
  target_type TEXT NOT NULL DEFAULT '',
  target_id   TEXT NOT NULL DEFAULT '',
  detail      TEXT NOT NULL DEFAULT '',
  ip          TEXT NOT NULL DEFAULT '',
  request_id  TEXT NOT NULL DEFAULT '',
  scope_code  TEXT NOT NULL DEFAULT ''   -- the division the entry belongs to, for scoped reading
);
CREATE INDEX audit_at ON audit_log(at);
CREATE INDEX audit_actor ON audit_log(actor_id, at);
CREATE INDEX audit_scope ON audit_log(scope_code, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Key/value facts about this deployment (demo flag, dataset version).
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
