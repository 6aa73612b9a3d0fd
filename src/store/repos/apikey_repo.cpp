#include "store/repos/apikey_repo.hpp"

namespace gj::store {
namespace {

constexpr const char* kApiKeyInsert =
    "INSERT INTO api_keys(name, key_hash, created_at, disabled) VALUES($1, $2, $3, 0) "
    "RETURNING id";
constexpr const char* kApiKeyByName = "SELECT id FROM api_keys WHERE name = $1";
constexpr const char* kApiKeyColumns =
    "SELECT id, name, key_hash, created_at, disabled FROM api_keys";
constexpr const char* kCountyCodes = "SELECT code FROM divisions WHERE level = 3 ORDER BY code";
// A grid's code starts with its county's six digits (division.hpp).
constexpr const char* kCountiesWithGrids =
    "SELECT DISTINCT substr(code, 1, 6) || '000000' FROM grids WHERE retired_at IS NULL ORDER "
    "BY 1";

ApiKeyRow to_row(const Row& r) {
  ApiKeyRow k;
  k.id = r.i64(0);
  k.name = r.str(1);
  k.key_hash = r.str(2);
  k.created_at = r.i64(3);
  k.disabled = r.i64(4) != 0;
  return k;
}

}  // namespace

namespace api_keys {

Result<int64_t> insert(Session& s, const std::string& name, const std::string& key_hash,
                       int64_t created_at) {
  auto taken = s.query(kApiKeyByName, {name});
  if (!taken.ok()) return taken.error();
  if (!taken->empty())
    return make_error(ErrorCode::kAlreadyExists, "an API key has this name", "name");
  auto r = s.query_one(kApiKeyInsert, {name, key_hash, created_at});
  if (!r.ok()) return r.error();
  return r->i64(0);
}

Result<ApiKeyRow> by_hash(Session& s, const std::string& key_hash) {
  auto r = s.query_one(std::string(kApiKeyColumns) + " WHERE key_hash = $1", {key_hash});
  if (!r.ok()) return r.error();
  return to_row(*r);
}

Result<std::vector<ApiKeyRow>> list(Session& s) {
  auto rows = s.query(std::string(kApiKeyColumns) + " ORDER BY id");
  if (!rows.ok()) return rows.error();
  std::vector<ApiKeyRow> out;
  for (const auto& r : *rows) out.push_back(to_row(r));
  return out;
}

}  // namespace api_keys

namespace jurisdictions {
namespace {
Result<std::vector<std::string>> codes(Session& s, const char* sql) {
  auto rows = s.query(sql);
  if (!rows.ok()) return rows.error();
  std::vector<std::string> out;
  for (const auto& r : *rows) out.push_back(r.str(0));
  return out;
}
}  // namespace

Result<std::vector<std::string>> county_codes(Session& s) {
  return codes(s, kCountyCodes);
}

Result<std::vector<std::string>> counties_with_grids(Session& s) {
  return codes(s, kCountiesWithGrids);
}

}  // namespace jurisdictions
}  // namespace gj::store
