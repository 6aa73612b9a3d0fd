-- Photo attachments 附件 of citizen requests (docs/api.md, "Attachments"). The bytes live in the
-- file store (attachments_dir, shared by every node); a row names its file by `storage_key`. A
-- file is written and synced before its row commits, so a row never points at nothing; a file
-- without a row is an orphan the sweep removes. The same bytes on the same ticket are one
-- attachment (retries).
CREATE TABLE attachments (
  id            BIGSERIAL PRIMARY KEY,
  ticket_id     BIGINT NOT NULL REFERENCES tickets(id),
  file_name     TEXT NOT NULL,
  content_type  TEXT NOT NULL,                 -- sniffed from the bytes, not the header
  size          BIGINT NOT NULL,
  sha256        TEXT NOT NULL,
  storage_key   TEXT NOT NULL UNIQUE,
  source        TEXT NOT NULL,                 -- citizen | staff
  uploader_id   BIGINT,                        -- staff user; NULL for the citizen
  uploader_name TEXT NOT NULL DEFAULT '',
  created_at    BIGINT NOT NULL,
  UNIQUE (ticket_id, sha256)
);

-- The citizen's upload token 附件凭证, issued by the public intake: only its SHA-256 is kept.
CREATE TABLE attachment_tokens (
  token_hash  TEXT PRIMARY KEY,
  ticket_id   BIGINT NOT NULL REFERENCES tickets(id),
  expires_at  BIGINT NOT NULL
);
CREATE INDEX attachment_tokens_expiry ON attachment_tokens(expires_at);

-- 吹哨报到: a summoned department now gets an assignment row (kind 'whistle'), so its queue
-- lists the joint case; backfill the cases whistled before this migration.
INSERT INTO assignments(ticket_id, kind, from_unit_id, to_unit_id, to_unit_name, to_division,
                        at, reason)
SELECT t.id, 'whistle', COALESCE(t.state::jsonb #>> '{whistle,township,id}', ''),
       d.value ->> 'id', COALESCE(d.value ->> 'name', ''), COALESCE(d.value ->> 'division', ''),
       COALESCE((t.state::jsonb #>> '{whistle,at}')::bigint, t.updated_at), ''
FROM tickets t, jsonb_array_elements(t.state::jsonb -> 'whistle' -> 'departments') d
WHERE t.state::jsonb ? 'whistle'
  AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.ticket_id = t.id
                  AND a.to_unit_id = d.value ->> 'id');
