-- Per-user e-mail 个人邮箱 for staff notifications (docs/notifications.md): personal data like
-- phone (masked in lists, full only through /users/{id}/pii, audited). When a unit is notified,
-- one indexed query finds the active users of the position holding the ticket who have an
-- address: department users by unit_id, chain users (command centre, township, village, grid)
-- by their scope division and role. Partial indexes: users without an address cost nothing.
ALTER TABLE users ADD COLUMN email TEXT;
CREATE INDEX users_email_unit ON users(unit_id) WHERE email IS NOT NULL AND disabled = 0;
CREATE INDEX users_email_scope ON users(scope_code, role) WHERE email IS NOT NULL AND disabled = 0;
