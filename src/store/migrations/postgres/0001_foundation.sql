-- Foundation: the hierarchy, units, users, sessions, the audit log.
-- Division codes are NBS 12-digit strings; grids extend their village with 3 digits.
CREATE TABLE divisions (
  code        TEXT PRIMARY KEY COLLATE "C",
  parent_code TEXT COLLATE "C" REFERENCES divisions(code),
  name        TEXT NOT NULL,
  level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 6),
  kind        TEXT NOT NULL,
  synthetic   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX divisions_parent ON divisions(parent_code, code);
CREATE INDEX divisions_name ON divisions(name);

CREATE TABLE grids (
  code           TEXT PRIMARY KEY COLLATE "C" REFERENCES divisions(code),
  worker_user_id BIGINT,
  households     INTEGER NOT NULL DEFAULT 0,
  residents      INTEGER NOT NULL DEFAULT 0,
  polygon        TEXT
);

CREATE TABLE units (
  id            BIGSERIAL PRIMARY KEY,
  name          TEXT NOT NULL,
  kind          TEXT NOT NULL,
  division_code TEXT COLLATE "C" NOT NULL REFERENCES divisions(code),
  UNIQUE (division_code, name)
);

CREATE TABLE users (
  id              BIGSERIAL PRIMARY KEY,
  username        TEXT NOT NULL UNIQUE,
  display_name    TEXT NOT NULL,
  role            TEXT NOT NULL,
  scope_code      TEXT COLLATE "C" REFERENCES divisions(code),
  unit_id         BIGINT REFERENCES units(id),
  password_hash   TEXT NOT NULL,
  phone           TEXT,
  id_number       TEXT,
  disabled        INTEGER NOT NULL DEFAULT 0,
  failed_logins   INTEGER NOT NULL DEFAULT 0,
  first_failed_at BIGINT,
  locked_until    BIGINT,
  last_login_at   BIGINT,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL
);
CREATE INDEX users_scope ON users(scope_code);

CREATE TABLE sessions (
  token_hash   TEXT PRIMARY KEY,
  user_id      BIGINT NOT NULL REFERENCES users(id),
  csrf_token   TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL,
  ip           TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE audit_log (
  id          BIGSERIAL PRIMARY KEY,
  at          BIGINT NOT NULL,
  actor_id    BIGINT,
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
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
