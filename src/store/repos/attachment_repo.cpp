#include "store/repos/attachment_repo.hpp"

#include "common/ids.hpp"

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
// Bytes as a text parameter: SQLite keeps them as given (length-delimited, CAST to a BLOB);
// PostgreSQL's text protocol cannot carry a NUL byte, so they travel as hex there: in bytea's
// input form ("\x0a1b…") and out through encode(…, 'hex'), whatever the server's bytea_output.
constexpr const char* kBlobPutSqlite =
    "INSERT INTO file_blobs(key, bytes, modified_at) VALUES($1, CAST($2 AS BLOB), $3) "
    "ON CONFLICT(key) DO UPDATE SET bytes = excluded.bytes, modified_at = excluded.modified_at";
constexpr const char* kBlobPutPostgres =
    "INSERT INTO file_blobs(key, bytes, modified_at) VALUES($1, $2::bytea, $3) "
    "ON CONFLICT(key) DO UPDATE SET bytes = excluded.bytes, modified_at = excluded.modified_at";
constexpr const char* kBlobGetSqlite = "SELECT bytes FROM file_blobs WHERE key = $1";
constexpr const char* kBlobGetPostgres =
    "SELECT encode(bytes, 'hex') FROM file_blobs WHERE key = $1";
constexpr const char* kBlobRemove = "DELETE FROM file_blobs WHERE key = $1";
constexpr const char* kBlobList = "SELECT key, modified_at FROM file_blobs ORDER BY key";

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

namespace file_blobs {

namespace {

std::string to_bytea_hex(const std::string& bytes) {
  return "\\x" + to_hex(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool from_hex(const std::string& text, std::string& out) {
  if (text.size() % 2) return false;
  out.resize(text.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = hex_digit(text[2 * i]), lo = hex_digit(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  return true;
}

}  // namespace

Status put(Session& s, const std::string& key, const std::string& bytes, int64_t at) {
  bool pg = s.backend() == Backend::kPostgres;
  auto n =
      s.exec(pg ? kBlobPutPostgres : kBlobPutSqlite, {key, pg ? to_bytea_hex(bytes) : bytes, at});
  if (!n.ok()) return n.error();
  return {};
}

Result<std::string> get(Session& s, const std::string& key) {
  bool pg = s.backend() == Backend::kPostgres;
  auto r = s.query_one(pg ? kBlobGetPostgres : kBlobGetSqlite, {key});
  if (!r.ok()) return r.error();
  if (!pg) return r->str(0);
  std::string out;
  if (!from_hex(r->str(0), out))
    return make_error(ErrorCode::kStorageUnavailable, "file_blobs: unreadable bytes for " + key);
  return out;
}

Status remove(Session& s, const std::string& key) {
  auto n = s.exec(kBlobRemove, {key});
  if (!n.ok()) return n.error();
  return {};
}

Result<std::vector<Entry>> list(Session& s) {
  auto rows = s.query(kBlobList);
  if (!rows.ok()) return rows.error();
  std::vector<Entry> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back({r.str(0), r.i64(1)});
  return out;
}

}  // namespace file_blobs
}  // namespace gj::store
