-- When an administrator or the operator issued a user's current password (an import's initial
-- one, a reset): such a password must be replaced at the first sign-in (0019) and stops signing
-- in after 7 days (auth::LoginPolicy::issued_password_ms). NULL: the user chose their own.
-- Accounts still waiting on one get a fresh window from their last change.
ALTER TABLE users ADD COLUMN password_issued_at BIGINT;
UPDATE users SET password_issued_at = updated_at WHERE must_change_password <> 0;
