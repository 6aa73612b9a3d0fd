-- The satisfaction call-back 回访 ended without reaching the requester 未接通 (three unreached
-- calls, src/domain/requests/lifecycle.hpp): such a ticket leaves the command centre's call-back
-- queue 待回访 (`GET /requests?callback=due`) though it stays 回访中 until the requester rates.
-- 0: the call-back is still to be made (or was answered).
ALTER TABLE tickets ADD COLUMN callback_ended INTEGER NOT NULL DEFAULT 0;
