-- Photo attachments 附件 of citizen requests (docs/api.md, "Attachments"). The bytes live in the
-- file store (attachments_dir); a row names its file by `storage_key`. A file is written and
-- synced before its row commits, so a row never points at nothing; a file without a row is an
-- orphan the sweep removes. The same bytes on the same ticket are one attachment (retries).
CREATE TABLE attachments (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  ticket_id     INTEGER NOT NULL REFERENCES tickets(id),
  file_name     TEXT NOT NULL,
  content_type  TEXT NOT NULL,                 -- sniffed from the bytes, not the header
  size          INTEGER NOT NULL,
  sha256        TEXT NOT NULL,
  storage_key   TEXT NOT NULL UNIQUE,
  source        TEXT NOT NULL,                 -- citizen | staff
  uploader_id   INTEGER,                       -- staff user; NULL for the citizen
  uploader_name TEXT NOT NULL DEFAULT '',
  created_at    INTEGER NOT NULL,
  UNIQUE (ticket_id, sha256)
);

-- The citizen's upload token 附件凭证, issued by the public intake: only its SHA-256 is kept.
CREATE TABLE attachment_tokens (
  token_hash  TEXT PRIMARY KEY,
  ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
  expires_at  INTEGER NOT NULL
);
CREATE INDEX attachment_tokens_expiry ON attachment_tokens(expires_at);

-- 吹哨报到: a summoned department now gets an assignment row (kind 'whistle'), so its queue
-- lists the joint case; backfill the cases whistled before this migration.
INSERT INTO assignments(ticket_id, kind, from_unit_id, to_unit_id, to_unit_name, to_division,
                        at, reason)
SELECT t.id, 'whistle', COALESCE(json_extract(t.state, '$.whistle.township.id'), ''),
       json_extract(d.value, '$.id'), COALESCE(json_extract(d.value, '$.name'), ''),
       COALESCE(json_extract(d.value, '$.division'), ''),
       COALESCE(json_extract(t.state, '$.whistle.at'), t.updated_at), ''
FROM tickets t, json_each(t.state, '$.whistle.departments') d
WHERE json_extract(t.state, '$.whistle') IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.ticket_id = t.id
                  AND a.to_unit_id = json_extract(d.value, '$.id'));
