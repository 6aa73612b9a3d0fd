-- API keys for other systems 接入密钥 (Open311 GeoReport v2 POST /requests, docs/open311.md).
-- Only the SHA-256 hash of a key is stored; the key itself is printed once by
-- `gongjian apikey add`.
CREATE TABLE api_keys (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  key_hash   TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  disabled   INTEGER NOT NULL DEFAULT 0
);
