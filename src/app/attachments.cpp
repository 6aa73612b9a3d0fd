#include "app/attachments.hpp"

#include <chrono>
#include <set>

#include "app/requests_service.hpp"
#include "common/ids.hpp"
#include "common/text.hpp"
#include "domain/auth/passwords.hpp"
#include "store/repos/requests_repo.hpp"

namespace gj::app {

using store::Session;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// "image/jpeg; charset=x" → "image/jpeg".
std::string media_type(std::string_view header) {
  size_t semi = header.find(';');
  return lower(trim(header.substr(0, semi)));
}

const char* extension(const std::string& type) {
  if (type == "image/jpeg") return ".jpg";
  if (type == "image/png") return ".png";
  return ".webp";
}

// The file name as shown: no directories, no control characters, at most 120 characters.
Result<std::string> clean_name(const std::string& raw, const std::string& type) {
  if (!is_valid_utf8(raw)) return make_error(ErrorCode::kInvalidUtf8, "", "X-File-Name");
  std::string_view base = raw;
  size_t cut = base.find_last_of("/\\");
  if (cut != std::string_view::npos) base.remove_prefix(cut + 1);
  std::string out;
  for (unsigned char c : base)
    if (c >= 0x20 && c != 0x7f) out.push_back(static_cast<char>(c));
  out = trim(out);
  if (utf8_length(out) > 120) return make_error(ErrorCode::kTooLong, "", "X-File-Name");
  if (out.empty() || out == "." || out == "..") out = std::string("photo") + extension(type);
  return out;
}

Status validate(const AttachmentUpload& in, std::string& sniffed) {
  std::string declared = media_type(in.declared_type);
  if (declared != "image/jpeg" && declared != "image/png" && declared != "image/webp")
    return make_error(ErrorCode::kUnsupportedMedia, std::string("accepted: ") + kAcceptedImageTypes,
                      "Content-Type");
  if (in.bytes.empty()) return make_error(ErrorCode::kMissingField, "no file bytes", "body");
  if (in.bytes.size() > AttachmentsService::kMaxBytes)
    return make_error(ErrorCode::kPayloadTooLarge, "at most 10 MB per file", "body");
  sniffed = sniff_image_type(in.bytes);
  if (sniffed.empty())
    return make_error(
        ErrorCode::kUnsupportedMedia,
        std::string("the bytes are not an image of an accepted type (") + kAcceptedImageTypes + ")",
        "body");
  return {};
}

template <typename Entry>
void attribute(Entry& e, const std::string& division) {
  if constexpr (requires { e.scope_code; }) e.scope_code = division;
}

store::AuditEntry audit_entry(const auth::Principal& p, int64_t now, std::string action,
                              int64_t ticket_id, std::string detail, const std::string& division) {
  store::AuditEntry e;
  attribute(e, division.empty() ? p.scope_code : division);
  e.at = now;
  if (p.user_id) e.actor_id = p.user_id;
  e.actor_name = !p.username.empty()              ? p.username
                 : p.role == auth::Role::kCitizen ? "citizen"
                                                  : "system";
  e.action = std::move(action);
  e.target_type = "request";
  e.target_id = std::to_string(ticket_id);
  e.detail = std::move(detail);
  e.ip = p.ip;
  e.request_id = p.request_id;
  return e;
}

std::string new_key(int64_t ticket_id, const std::string& type) {
  unsigned char rnd[16];
  random_bytes(rnd, sizeof rnd);
  return std::to_string(ticket_id) + "/" + to_hex(rnd, sizeof rnd) + extension(type);
}

int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string sniff_image_type(std::string_view b) {
  auto at = [&](size_t i) { return static_cast<unsigned char>(b[i]); };
  if (b.size() >= 3 && at(0) == 0xFF && at(1) == 0xD8 && at(2) == 0xFF) return "image/jpeg";
  static constexpr unsigned char kPng[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  if (b.size() >= 8) {
    bool png = true;
    for (size_t i = 0; i < 8; ++i) png = png && at(i) == kPng[i];
    if (png) return "image/png";
  }
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return "image/webp";
  return {};
}

AttachmentsService::AttachmentsService(App& app, std::shared_ptr<FileStore> files)
    : app_(app), files_(std::move(files)) {}

AttachmentToken AttachmentsService::new_token(App& app) {
  AttachmentToken t;
  t.token = app.ids().token();
  t.expires_at = app.clock().now_ms() + kTokenTtlMs;
  t.hash = auth::sha256_hex(t.token);
  return t;
}

Status AttachmentsService::store_token(Session& s, const AttachmentToken& t, int64_t ticket_id) {
  return store::attachment_tokens::insert(s, t.hash.empty() ? auth::sha256_hex(t.token) : t.hash,
                                          ticket_id, t.expires_at);
}

Result<UploadResult> AttachmentsService::upload(const auth::Principal& p, int64_t ticket_id,
                                                const AttachmentUpload& in) {
  if (p.user_id == 0 || p.role == auth::Role::kCitizen) return make_error(ErrorCode::kForbidden);
  // Scope first (404 and an audited denial for a ticket the caller cannot see).
  auto seen = app_.requests().get(p, ticket_id);
  if (!seen.ok()) return seen.error();
  return store_upload(p, ticket_id, in, seen->view.row.division_code);
}

Result<UploadResult> AttachmentsService::upload_with_token(const std::string& token,
                                                           int64_t ticket_id,
                                                           const AttachmentUpload& in,
                                                           const std::string& ip,
                                                           const std::string& request_id) {
  if (token.empty() || token.size() > 256)
    return make_error(ErrorCode::kForbidden, "attachment token invalid", "X-Attachment-Token");
  std::string hash = auth::sha256_hex(token);
  int64_t now = app_.clock().now_ms();
  auto division = app_.db().read_value<std::string>([&](Session& s) -> Result<std::string> {
    auto t = store::attachment_tokens::ticket_for(s, hash, now);
    if (!t.ok() || *t != ticket_id)
      return make_error(ErrorCode::kForbidden,
                        "attachment token invalid, expired or for another request",
                        "X-Attachment-Token");
    auto row = store::tickets::get(s, ticket_id);
    if (!row.ok()) return row.error();
    return row->division_code;
  });
  if (!division.ok()) return division.error();
  auth::Principal citizen;
  citizen.role = auth::Role::kCitizen;
  citizen.ip = ip;
  citizen.request_id = request_id;
  return store_upload(citizen, ticket_id, in, *division);
}

Result<UploadResult> AttachmentsService::store_upload(const auth::Principal& who, int64_t ticket_id,
                                                      const AttachmentUpload& in,
                                                      const std::string& division) {
  std::string type;
  GJ_TRY(validate(in, type));
  auto name = clean_name(in.file_name, type);
  if (!name.ok()) return name.error();
  std::string sha = auth::sha256_hex(in.bytes);
  // A retry of an upload that succeeded: the same record, nothing written.
  auto prior = app_.db().read_value<std::optional<store::AttachmentRow>>(
      [&](Session& s) { return store::attachments::by_hash(s, ticket_id, sha); });
  if (!prior.ok()) return prior.error();
  if (*prior) return UploadResult{**prior, true};

  // The file first, durable; then the row. A failure after the put leaves an orphan file,
  // removed here at once (and by the sweep if this process dies first).
  std::string key = new_key(ticket_id, type);
  GJ_TRY(files_->put(key, in.bytes));
  const bool citizen = who.role == auth::Role::kCitizen;
  int64_t now = app_.clock().now_ms();
  UploadResult out;
  Status st = app_.db().write([&](Session& s) -> Status {
    // Lock the ticket so concurrent uploads count (and dedupe) one after another.
    auto t = store::tickets::get_for_update(s, app_.db().backend(), ticket_id);
    if (!t.ok()) return make_error(ErrorCode::kNotFound);
    auto again = store::attachments::by_hash(s, ticket_id, sha);
    if (!again.ok()) return again.error();
    if (*again) {
      out = UploadResult{**again, true};
      return {};
    }
    auto n = store::attachments::count_for_ticket(s, ticket_id);
    if (!n.ok()) return n.error();
    if (*n >= kMaxPerTicket)
      return make_error(ErrorCode::kConflict, "at most 9 attachments per request", "attachments");
    store::AttachmentRow row;
    row.ticket_id = ticket_id;
    row.file_name = *name;
    row.content_type = type;
    row.size = static_cast<int64_t>(in.bytes.size());
    row.sha256 = sha;
    row.storage_key = key;
    row.source = citizen ? "citizen" : "staff";
    if (!citizen) row.uploader_id = who.user_id;
    row.uploader_name = citizen ? "" : (who.display_name.empty() ? who.username : who.display_name);
    row.created_at = now;
    auto id = store::attachments::insert(s, row);
    if (!id.ok()) return id.error();
    row.id = *id;
    GJ_TRY(store::audit::append(
        s, audit_entry(who, now, "attachment.upload", ticket_id,
                       "attachment " + std::to_string(row.id) + " " + type + " " +
                           std::to_string(row.size) + " bytes sha256 " + sha.substr(0, 16),
                       division)));
    out = UploadResult{row, false};
    return {};
  });
  if (!st.ok() || out.existed) (void)files_->remove(key);
  if (!st.ok()) return st.error();
  return out;
}

Result<std::vector<store::AttachmentRow>> AttachmentsService::list(const auth::Principal& p,
                                                                   int64_t ticket_id) {
  auto seen = app_.requests().get(p, ticket_id);
  if (!seen.ok()) return seen.error();
  return app_.db().read_value<std::vector<store::AttachmentRow>>(
      [&](Session& s) { return store::attachments::for_ticket(s, ticket_id); });
}

Result<std::pair<store::AttachmentRow, std::string>> AttachmentsService::content(
    const auth::Principal& p, int64_t attachment_id) {
  auto row =
      app_.db().read_value<store::AttachmentRow>([&](Session& s) -> Result<store::AttachmentRow> {
        auto r = store::attachments::get(s, attachment_id);
        if (!r.ok()) return make_error(ErrorCode::kNotFound);
        return r;
      });
  if (!row.ok()) return row.error();
  auto seen = app_.requests().get(p, row->ticket_id);
  if (!seen.ok()) return make_error(ErrorCode::kNotFound);
  auto bytes = files_->get(row->storage_key);
  if (!bytes.ok())
    return make_error(ErrorCode::kStorageUnavailable,
                      "attachment file missing or unreadable: " + bytes.error().detail);
  int64_t now = app_.clock().now_ms();
  GJ_TRY(app_.db().write([&](Session& s) {
    return store::audit::append(
        s, audit_entry(p, now, "attachment.read", row->ticket_id,
                       "attachment " + std::to_string(row->id), seen->view.row.division_code));
  }));
  return std::pair<store::AttachmentRow, std::string>(std::move(*row), std::move(*bytes));
}

Result<std::vector<store::AttachmentRow>> AttachmentsService::list_for_tracking(
    const std::string& code) {
  if (code.empty() || code.size() > 32 || !is_valid_utf8(code))
    return make_error(ErrorCode::kNotFound);
  return app_.db().read_value<std::vector<store::AttachmentRow>>(
      [&](Session& s) -> Result<std::vector<store::AttachmentRow>> {
        auto t = store::tickets::by_code(s, code);
        if (!t.ok()) return make_error(ErrorCode::kNotFound);
        return store::attachments::for_ticket(s, t->id, "citizen");
      });
}

Result<std::pair<store::AttachmentRow, std::string>> AttachmentsService::content_for_tracking(
    const std::string& code, int64_t attachment_id) {
  if (code.empty() || code.size() > 32 || !is_valid_utf8(code))
    return make_error(ErrorCode::kNotFound);
  auto row =
      app_.db().read_value<store::AttachmentRow>([&](Session& s) -> Result<store::AttachmentRow> {
        auto t = store::tickets::by_code(s, code);
        if (!t.ok()) return make_error(ErrorCode::kNotFound);
        auto r = store::attachments::get(s, attachment_id);
        if (!r.ok() || r->ticket_id != t->id || r->source != "citizen")
          return make_error(ErrorCode::kNotFound);
        return r;
      });
  if (!row.ok()) return row.error();
  auto bytes = files_->get(row->storage_key);
  if (!bytes.ok())
    return make_error(ErrorCode::kStorageUnavailable,
                      "attachment file missing or unreadable: " + bytes.error().detail);
  return std::pair<store::AttachmentRow, std::string>(std::move(*row), std::move(*bytes));
}

Result<int> AttachmentsService::sweep_orphans(int64_t grace_ms) {
  auto all = files_->list();
  if (!all.ok()) return all.error();
  int64_t cutoff = system_now_ms() - grace_ms;
  std::vector<std::string> old;
  for (const auto& f : *all)
    if (f.modified_ms <= cutoff) old.push_back(f.key);
  if (old.empty()) return 0;
  auto known = app_.db().read_value<std::vector<std::string>>(
      [&](Session& s) { return store::attachments::known_keys(s, old); });
  if (!known.ok()) return known.error();
  std::set<std::string> keep(known->begin(), known->end());
  int removed = 0;
  for (const auto& k : old)
    if (!keep.count(k) && files_->remove(k).ok()) ++removed;
  int64_t now = app_.clock().now_ms();
  (void)app_.db().write([&](Session& s) -> Status {
    auto n = store::attachment_tokens::purge_expired(s, now);
    if (!n.ok()) return n.error();
    return {};
  });
  return removed;
}

}  // namespace gj::app
