#include "app/apikeys.hpp"

#include "common/ids.hpp"
#include "common/text.hpp"
#include "domain/auth/passwords.hpp"

namespace gj::app::apikeys {

Result<NewKey> add(store::Database& db, const Clock& clock, const std::string& name) {
  if (trim(name).empty()) return make_error(ErrorCode::kMissingField, "", "name");
  if (!is_valid_utf8(name)) return make_error(ErrorCode::kInvalidUtf8, "", "name");
  if (utf8_length(name) > 64) return make_error(ErrorCode::kTooLong, "", "name");
  unsigned char bytes[20];
  random_bytes(bytes, sizeof bytes);
  NewKey out;
  out.key = "gj311_" + to_hex(bytes, sizeof bytes);
  const std::string hash = auth::sha256_hex(out.key);
  auto id = db.write_value<int64_t>([&](store::Session& s) {
    return store::api_keys::insert(s, std::string(trim(name)), hash, clock.now_ms());
  });
  if (!id.ok()) return id.error();
  out.id = *id;
  return out;
}

Result<store::ApiKeyRow> check(store::Database& db, const std::string& key) {
  if (key.empty() || key.size() > 128)
    return make_error(ErrorCode::kForbidden, "missing or invalid api_key", "api_key");
  const std::string hash = auth::sha256_hex(key);
  auto row = db.read_value<store::ApiKeyRow>(
      [&](store::Session& s) { return store::api_keys::by_hash(s, hash); });
  if (!row.ok()) {
    if (row.error().code == ErrorCode::kNotFound)
      return make_error(ErrorCode::kForbidden, "missing or invalid api_key", "api_key");
    return row.error();
  }
  if (row->disabled) return make_error(ErrorCode::kForbidden, "api_key disabled", "api_key");
  return row;
}

}  // namespace gj::app::apikeys
