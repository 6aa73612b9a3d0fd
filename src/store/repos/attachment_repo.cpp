#include "store/repos/attachment_repo.hpp"

namespace gj::store {
namespace {

constexpr const char* kColumns =
    "SELECT id, ticket_id, file_name, content_type, size, sha256, storage_key, source, "
    "uploader_id, uploader_name, created_at FROM attachments";
constexpr const char* kInsert =
    "INSERT INTO attachments(ticket_id, file_name, content_type, size, sha256, storage_key, "
    "source, uploader_id, uploader_name, created_at) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, "
    "$10) ON CONFLICT (ticket_id, sha256) DO NOTHING RETURNING id";
constexpr const char* kCount = "SELECT COUNT(*) FROM attachments WHERE ticket_id = $1";
constexpr const char* kKeyKnown = "SELECT storage_key FROM attachments WHERE storage_key = $1";
constexpr const char* kTokenInsert =
    "INSERT INTO attachment_tokens(token_hash, ticket_id, expires_at) VALUES($1, $2, $3)";
constexpr const char* kTokenTicket =
    "SELECT ticket_id FROM attachment_tokens WHERE token_hash = $1 AND expires_at > $2";
constexpr const char* kTokenPurge = "DELETE FROM attachment_tokens WHERE expires_at <= $1";

AttachmentRow to_row(const Row& r) {
  AttachmentRow a;
  a.id = r.i64(0);
  a.ticket_id = r.i64(1);
  a.file_name = r.str(2);
  a.content_type = r.str(3);
  a.size = r.i64(4);
  a.sha256 = r.str(5);
  a.storage_key = r.str(6);
  a.source = r.str(7);
  if (!r.is_null(8)) a.uploader_id = r.i64(8);
  a.uploader_name = r.str(9);
  a.created_at = r.i64(10);
  return a;
}

}  // namespace

namespace attachments {

Result<int64_t> insert(Session& s, const AttachmentRow& a) {
  Value uploader = a.uploader_id ? Value(*a.uploader_id) : Value(nullptr);
  auto rows = s.query(kInsert, {a.ticket_id, a.file_name, a.content_type, a.size, a.sha256,
                                a.storage_key, a.source, uploader, a.uploader_name, a.created_at});
  if (!rows.ok()) return rows.error();
  if (rows->empty())
    return make_error(ErrorCode::kAlreadyExists, "the ticket already holds these bytes");
  return rows->front().i64(0);
}

Result<AttachmentRow> get(Session& s, int64_t id) {
  auto r = s.query_one(std::string(kColumns) + " WHERE id = $1", {id});
  if (!r.ok()) return r.error();
  return to_row(*r);
}

Result<std::optional<AttachmentRow>> by_hash(Session& s, int64_t ticket_id,
                                             const std::string& sha256) {
  auto rows =
      s.query(std::string(kColumns) + " WHERE ticket_id = $1 AND sha256 = $2", {ticket_id, sha256});
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::optional<AttachmentRow>();
  return std::optional<AttachmentRow>(to_row(rows->front()));
}

Result<std::vector<AttachmentRow>> for_ticket(Session& s, int64_t ticket_id,
                                              const std::string& source) {
  auto rows = s.query(
      std::string(kColumns) + " WHERE ticket_id = $1 AND ($2 = '' OR source = $2) ORDER BY id",
      {ticket_id, source});
  if (!rows.ok()) return rows.error();
  std::vector<AttachmentRow> out;
  for (const auto& r : *rows) out.push_back(to_row(r));
  return out;
}

Result<int64_t> count_for_ticket(Session& s, int64_t ticket_id) {
  auto r = s.query_one(kCount, {ticket_id});
  if (!r.ok()) return r.error();
  return r->i64(0);
}

Result<std::vector<std::string>> known_keys(Session& s, const std::vector<std::string>& keys) {
  std::vector<std::string> out;
  for (const auto& k : keys) {
    auto rows = s.query(kKeyKnown, {k});
    if (!rows.ok()) return rows.error();
    if (!rows->empty()) out.push_back(k);
  }
  return out;
}

}  // namespace attachments

namespace attachment_tokens {

Status insert(Session& s, const std::string& token_hash, int64_t ticket_id, int64_t expires_at) {
  auto n = s.exec(kTokenInsert, {token_hash, ticket_id, expires_at});
  if (!n.ok()) return n.error();
  return {};
}

Result<int64_t> ticket_for(Session& s, const std::string& token_hash, int64_t now) {
  auto r = s.query_one(kTokenTicket, {token_hash, now});
  if (!r.ok()) return r.error();
  return r->i64(0);
}

Result<int64_t> purge_expired(Session& s, int64_t now) {
  return s.exec(kTokenPurge, {now});
}

}  // namespace attachment_tokens
}  // namespace gj::store
