// Care visits 走访记录 (migration 0010_visits): typed functions over a store Session. The
// service checks scope and writes the audit entry in the same transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "store/db.hpp"
#include "store/repos/repos.hpp"

namespace gj::store {

struct VisitRow {
  int64_t id = 0;
  std::optional<std::string> client_key;  // the phone's Idempotency-Key
  std::string body_hash;
  std::string grid_code;
  int64_t worker_id = 0;
  std::string worker_name, household, kind, note;
  std::optional<double> lat, lon;
  int64_t visited_at = 0, created_at = 0;
};

struct VisitFilter {
  std::string scope_code;            // required: grid code or any division above it (prefix range)
  int64_t from = 0, to = INT64_MAX;  // visited_at, inclusive
  int page = 1, page_size = 50;
};

namespace visits {
// The new row's id; the UNIQUE client_key refuses a second row for the same key.
Result<int64_t> insert(Session& s, const VisitRow& v);
Result<VisitRow> get(Session& s, int64_t id);
// kNotFound when no visit has this key.
Result<VisitRow> by_client_key(Session& s, const std::string& key);
// Newest visit first.
Result<Page<VisitRow>> list(Session& s, const VisitFilter& f);
}  // namespace visits

}  // namespace gj::store
