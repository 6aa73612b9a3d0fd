// Photo attachments 附件 of citizen requests: the citizen's web form, grid workers' offline app
// and handlers add photos to a ticket; staff who can see the ticket read them, the citizen sees
// their own on the tracking page. Bytes go to a FileStore (attachments_files.hpp) and are
// synced BEFORE the metadata row commits, so every row names a complete file; a file left
// without a row (a failed commit, a crash in between) is an orphan that sweep_orphans removes.
// Contract: docs/api.md, "Attachments".
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/app.hpp"
#include "app/attachments_files.hpp"
#include "store/repos/attachment_repo.hpp"

namespace gj::app {

// The accepted image types, sniffed from the bytes ("" when none matches).
std::string sniff_image_type(std::string_view bytes);
inline constexpr const char* kAcceptedImageTypes = "image/jpeg, image/png, image/webp";

struct AttachmentUpload {
  std::string declared_type;  // the request's Content-Type (must be one of the accepted types)
  std::string file_name;      // decoded X-File-Name; "" → "photo.<ext>"
  std::string bytes;
};

struct UploadResult {
  store::AttachmentRow row;
  bool existed = false;  // the same bytes were already on the ticket (a retry): 200, not 201
};

struct AttachmentToken {
  std::string token;  // given to the citizen once; only its SHA-256 is stored
  int64_t expires_at = 0;
  std::string hash;  // that SHA-256 (hex), computed by new_token outside the write transaction
};

class AttachmentsService {
 public:
  static constexpr size_t kMaxBytes = 10 * 1024 * 1024;
  static constexpr int kMaxPerTicket = 9;
  static constexpr int64_t kTokenTtlMs = 24LL * 3600 * 1000;

  AttachmentsService(App& app, std::shared_ptr<FileStore> files);

  // The citizen's upload token for a ticket just taken in (valid kTokenTtlMs, that ticket only).
  // Static: intake issues it without a file store, in two steps so the row is written inside
  // the intake's own transaction (IntakeInput::in_transaction): new_token() before the write,
  // store_token() in it.
  static AttachmentToken new_token(App& app);
  static Status store_token(store::Session& s, const AttachmentToken& token, int64_t ticket_id);

  // Staff who can see the ticket (else kNotFound, and the attempt is audited).
  Result<UploadResult> upload(const auth::Principal& p, int64_t ticket_id,
                              const AttachmentUpload& in);
  // The citizen with the token intake returned: kForbidden when the token is unknown, expired
  // or for another ticket (the same answer whether or not the ticket exists).
  Result<UploadResult> upload_with_token(const std::string& token, int64_t ticket_id,
                                         const AttachmentUpload& in, const std::string& ip,
                                         const std::string& request_id);

  Result<std::vector<store::AttachmentRow>> list(const auth::Principal& p, int64_t ticket_id);
  // The bytes, for staff who can see the ticket; every read is audited (attachment.read).
  Result<std::pair<store::AttachmentRow, std::string>> content(const auth::Principal& p,
                                                               int64_t attachment_id);

  // The tracking page 查询: only what the citizen uploaded (staff photos stay internal).
  Result<std::vector<store::AttachmentRow>> list_for_tracking(const std::string& code);
  Result<std::pair<store::AttachmentRow, std::string>> content_for_tracking(const std::string& code,
                                                                            int64_t attachment_id);

  // Removes files older than `grace_ms` that no row names (and expired tokens); returns the
  // number of files removed. The grace period keeps an upload in flight (file written, row
  // not yet committed) safe from a sweep on another node.
  Result<int> sweep_orphans(int64_t grace_ms = 3600 * 1000);

  FileStore& files() { return *files_; }

 private:
  Result<UploadResult> store_upload(const auth::Principal& who, int64_t ticket_id,
                                    const AttachmentUpload& in, const std::string& division);

  App& app_;
  std::shared_ptr<FileStore> files_;
};

}  // namespace gj::app
