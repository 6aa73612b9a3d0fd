-- Notification outbox 消息发件箱 (issue 3 item 9): rows are written in the same transaction as the
-- ticket transition that caused them, and a delivery worker sends them later (at least once).
-- state: pending → sending (claimed; next_attempt_at is the lease end) → sent, or failed (retry at
-- next_attempt_at) → … → dead after the last attempt. Times are epoch milliseconds.
CREATE TABLE outbox (
  id               INTEGER PRIMARY KEY,
  created_at       INTEGER NOT NULL,
  kind             TEXT NOT NULL,              -- ticket.dispatched, ticket.replied, …
  recipient_kind   TEXT NOT NULL,              -- unit | user | citizen
  recipient_id     TEXT NOT NULL,              -- unit id, user id or the ticket's tracking code
  address          TEXT NOT NULL DEFAULT '',   -- e-mail address when the channel is email
  channel          TEXT NOT NULL,              -- log | webhook | email
  language         TEXT NOT NULL,              -- zh-CN | en
  ticket_id        INTEGER,
  payload          TEXT NOT NULL,              -- JSON: the template fields
  state            TEXT NOT NULL DEFAULT 'pending',
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  last_error       TEXT NOT NULL DEFAULT '',
  sent_at          INTEGER
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_ticket ON outbox(ticket_id);
