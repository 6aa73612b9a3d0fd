// API keys 接入密钥 for other systems calling the Open311 GeoReport v2 API: created from the
// command line (`gongjian apikey add`), checked on every POST /open311/v2/requests. Only the
// SHA-256 hash is stored, so a lost key is replaced, never recovered.
#pragma once

#include <string>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "store/db.hpp"
#include "store/repos/apikey_repo.hpp"

namespace gj::app::apikeys {

struct NewKey {
  int64_t id = 0;
  std::string key;  // shown once
};

// A new random key under a unique name (1–64 characters): kMissingField, kTooLong,
// kAlreadyExists.
Result<NewKey> add(store::Database& db, const Clock& clock, const std::string& name);

// The enabled key with this value; kForbidden when it is empty, unknown or disabled.
Result<store::ApiKeyRow> check(store::Database& db, const std::string& key);

}  // namespace gj::app::apikeys
