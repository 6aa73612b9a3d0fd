// The notification outbox 消息发件箱 over store::Session (migration 0005): enqueue inside the
// caller's write transaction, and the delivery worker's claim / mark operations.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"

namespace gj::store {

struct OutboxRow {
  int64_t id = 0, created_at = 0;
  std::string kind, recipient_kind, recipient_id, address, channel, language;
  std::optional<int64_t> ticket_id;
  std::string payload = "{}";
  std::string state = "pending";  // pending | sending | sent | failed | dead
  int attempts = 0;
  int64_t next_attempt_at = 0;
  std::string last_error;
  std::optional<int64_t> sent_at;
};

namespace outbox {
Result<int64_t> enqueue(Session& s, const OutboxRow& row);
// Rows due at `now` (pending, failed whose retry time came, or sending whose lease expired: a
// worker died between claim and mark), moved to `sending` with attempts + 1 and the lease end in
// next_attempt_at. PostgreSQL: FOR UPDATE SKIP LOCKED, so several nodes never claim one row.
Result<std::vector<OutboxRow>> claim_due(Session& s, Backend backend, int64_t now,
                                         int64_t lease_until, int limit);
// Whether claim_due would find anything (a plain read, so an idle worker never takes the writer).
Result<bool> any_due(Session& s, int64_t now);
// Only from `sending` with the same attempt count (a stale worker cannot overwrite a newer one).
Result<bool> mark_sent(Session& s, int64_t id, int attempts, int64_t now);
Result<bool> mark_failed(Session& s, int64_t id, int attempts, const std::string& error,
                         int64_t next_attempt_at, bool dead);
Result<OutboxRow> get(Session& s, int64_t id);
// Newest first; ticket_id 0 = all.
Result<std::vector<OutboxRow>> list(Session& s, int64_t ticket_id, int limit);
}  // namespace outbox

}  // namespace gj::store
