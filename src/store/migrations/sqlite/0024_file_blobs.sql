-- Attachment bytes kept in the database (`serve --attachments-store database`, the default on
-- PostgreSQL): every app node reads what any node stored without a shared directory, and the
-- database's own backup holds them. Keyed like DiskFileStore's files ("{ticket}/{name}");
-- the metadata stays in attachments (0008), whose storage_key names the row here.
CREATE TABLE file_blobs (
  key         TEXT PRIMARY KEY,
  bytes       BLOB NOT NULL,
  modified_at BIGINT NOT NULL
);
