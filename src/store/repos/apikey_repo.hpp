// API keys 接入密钥 for other systems (Open311 GeoReport v2 POST /requests): only the SHA-256
// hash of a key is stored (migration 0004_api_keys), with a name and whether it is disabled.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "store/db.hpp"

namespace gj::store {

struct ApiKeyRow {
  int64_t id = 0;
  std::string name, key_hash;
  int64_t created_at = 0;
  bool disabled = false;
};

namespace api_keys {
// kAlreadyExists when the name is taken.
Result<int64_t> insert(Session& s, const std::string& name, const std::string& key_hash,
                       int64_t created_at);
// kNotFound when no key has this hash.
Result<ApiKeyRow> by_hash(Session& s, const std::string& key_hash);
Result<std::vector<ApiKeyRow>> list(Session& s);
}  // namespace api_keys

namespace jurisdictions {
// Codes of the counties 县 (division level 3) in the store: an Open311 jurisdiction each.
Result<std::vector<std::string>> county_codes(Session& s);
// Codes of the counties that have grids 网格: the ones this deployment serves on the ground.
Result<std::vector<std::string>> counties_with_grids(Session& s);
}  // namespace jurisdictions

}  // namespace gj::store
