#include "store/repos/outbox_repo.hpp"

namespace gj::store {
namespace {

constexpr const char* kCols =
    "id, created_at, kind, recipient_kind, recipient_id, address, channel, language, ticket_id, "
    "payload, state, attempts, next_attempt_at, last_error, sent_at";

OutboxRow to_row(const Row& r) {
  OutboxRow o;
  o.id = r.i64(0);
  o.created_at = r.i64(1);
  o.kind = r.str(2);
  o.recipient_kind = r.str(3);
  o.recipient_id = r.str(4);
  o.address = r.str(5);
  o.channel = r.str(6);
  o.language = r.str(7);
  if (!r.is_null(8)) o.ticket_id = r.i64(8);
  o.payload = r.str(9);
  o.state = r.str(10);
  o.attempts = static_cast<int>(r.i64(11));
  o.next_attempt_at = r.i64(12);
  o.last_error = r.str(13);
  if (!r.is_null(14)) o.sent_at = r.i64(14);
  return o;
}

Value opt(const std::optional<int64_t>& v) {
  return v ? Value(*v) : Value(nullptr);
}

constexpr const char* kDue =
    "(state IN ('pending', 'failed', 'sending') AND next_attempt_at <= $1)";

}  // namespace

namespace outbox {

Result<int64_t> enqueue(Session& s, const OutboxRow& o) {
  auto r = s.query_one(
      "INSERT INTO outbox (created_at, kind, recipient_kind, recipient_id, address, channel, "
      "language, ticket_id, payload, state, attempts, next_attempt_at, last_error) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', 0, $10, '') RETURNING id",
      {o.created_at, o.kind, o.recipient_kind, o.recipient_id, o.address, o.channel, o.language,
       opt(o.ticket_id), o.payload, o.next_attempt_at});
  if (!r.ok()) return r.error();
  return r->i64(0);
}

Result<std::vector<OutboxRow>> claim_due(Session& s, Backend backend, int64_t now,
                                         int64_t lease_until, int limit) {
  std::string sql = std::string("SELECT ") + kCols + " FROM outbox WHERE " + kDue +
                    " ORDER BY next_attempt_at, id LIMIT $2";
  if (backend == Backend::kPostgres) sql += " FOR UPDATE SKIP LOCKED";
  auto rows = s.query(sql, {now, int64_t{limit}});
  if (!rows.ok()) return rows.error();
  std::vector<OutboxRow> out;
  for (const auto& r : *rows) {
    auto o = to_row(r);
    auto n = s.exec(
        "UPDATE outbox SET state = 'sending', attempts = attempts + 1, next_attempt_at = $2 "
        "WHERE id = $1",
        {o.id, lease_until});
    if (!n.ok()) return n.error();
    o.state = "sending";
    o.attempts += 1;
    o.next_attempt_at = lease_until;
    out.push_back(std::move(o));
  }
  return out;
}

Result<bool> any_due(Session& s, int64_t now) {
  auto r = s.query_one(
      std::string("SELECT COUNT(*) FROM (SELECT id FROM outbox WHERE ") + kDue + " LIMIT 1) d",
      {now});
  if (!r.ok()) return r.error();
  return r->i64(0) > 0;
}

Result<bool> mark_sent(Session& s, int64_t id, int attempts, int64_t now) {
  auto n = s.exec(
      "UPDATE outbox SET state = 'sent', sent_at = $2, last_error = '' "
      "WHERE id = $1 AND state = 'sending' AND attempts = $3",
      {id, now, int64_t{attempts}});
  if (!n.ok()) return n.error();
  return *n == 1;
}

Result<bool> mark_failed(Session& s, int64_t id, int attempts, const std::string& error,
                         int64_t next_attempt_at, bool dead) {
  auto n = s.exec(
      "UPDATE outbox SET state = $2, last_error = $3, next_attempt_at = $4 "
      "WHERE id = $1 AND state = 'sending' AND attempts = $5",
      {id, std::string(dead ? "dead" : "failed"), error, next_attempt_at, int64_t{attempts}});
  if (!n.ok()) return n.error();
  return *n == 1;
}

Result<OutboxRow> get(Session& s, int64_t id) {
  auto r = s.query_one(std::string("SELECT ") + kCols + " FROM outbox WHERE id = $1", {id});
  if (!r.ok()) return r.error();
  return to_row(*r);
}

Result<std::vector<OutboxRow>> list(Session& s, int64_t ticket_id, int limit) {
  auto rows =
      ticket_id ? s.query(std::string("SELECT ") + kCols +
                              " FROM outbox WHERE ticket_id = $1 ORDER BY id DESC LIMIT $2",
                          {ticket_id, int64_t{limit}})
                : s.query(std::string("SELECT ") + kCols + " FROM outbox ORDER BY id DESC LIMIT $1",
                          {int64_t{limit}});
  if (!rows.ok()) return rows.error();
  std::vector<OutboxRow> out;
  for (const auto& r : *rows) out.push_back(to_row(r));
  return out;
}

}  // namespace outbox
}  // namespace gj::store
