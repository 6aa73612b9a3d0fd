// Photo attachments 附件 of tickets and the citizen's upload tokens (migration 0008). Metadata
// only: the bytes live in the file store (app/attachments_files.hpp), named by storage_key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "store/db.hpp"

namespace gj::store {

struct AttachmentRow {
  int64_t id = 0;
  int64_t ticket_id = 0;
  std::string file_name, content_type;
  int64_t size = 0;
  std::string sha256, storage_key;
  std::string source;  // citizen | staff
  std::optional<int64_t> uploader_id;
  std::string uploader_name;
  int64_t created_at = 0;
};

namespace attachments {
// Returns the new id; kAlreadyExists when the ticket already holds these bytes.
Result<int64_t> insert(Session& s, const AttachmentRow& a);
Result<AttachmentRow> get(Session& s, int64_t id);
// nullopt when the ticket holds no attachment with this hash.
Result<std::optional<AttachmentRow>> by_hash(Session& s, int64_t ticket_id,
                                             const std::string& sha256);
// Oldest first; `source` "" = any.
Result<std::vector<AttachmentRow>> for_ticket(Session& s, int64_t ticket_id,
                                              const std::string& source = {});
Result<int64_t> count_for_ticket(Session& s, int64_t ticket_id);
// Which of these storage keys have a row (the orphan sweep).
Result<std::vector<std::string>> known_keys(Session& s, const std::vector<std::string>& keys);
}  // namespace attachments

namespace attachment_tokens {
Status insert(Session& s, const std::string& token_hash, int64_t ticket_id, int64_t expires_at);
// The ticket a live token (expires_at > now) is for; kNotFound otherwise.
Result<int64_t> ticket_for(Session& s, const std::string& token_hash, int64_t now);
// Drops expired tokens; returns how many.
Result<int64_t> purge_expired(Session& s, int64_t now);
}  // namespace attachment_tokens

// Attachment bytes kept in the database (migration 0024; app::DatabaseFileStore).
namespace file_blobs {
Status put(Session& s, const std::string& key, const std::string& bytes, int64_t at);
// kNotFound when there is no such key.
Result<std::string> get(Session& s, const std::string& key);
Status remove(Session& s, const std::string& key);
struct Entry {
  std::string key;
  int64_t modified_at = 0;
};
Result<std::vector<Entry>> list(Session& s);
}  // namespace file_blobs

}  // namespace gj::store
