// Care visits 走访记录 (issue 4, docs/api.md "Care visits"): a grid worker 网格员 (or a village
// cadre 村干部) records a visit to a household in a grid of their own scope — routine 日常走访,
// care 关爱, safety patrol 安全巡查 … The phone queues visits offline and sends each with the
// Idempotency-Key it made when queueing: the same key and body answer the stored visit (a
// replay), another body is kIdempotencyMismatch. Reads are scoped to the caller's area. Every
// write and every list is audited in the same transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/app.hpp"
#include "store/repos/visit_repo.hpp"

namespace gj::app {

struct VisitKindInfo {
  std::string_view code, name_zh, name_en;
};
// routine 日常走访, care 关爱走访, safety 安全巡查, policy 政策宣传, dispute 矛盾调解, other 其他.
const std::vector<VisitKindInfo>& visit_kinds();

struct VisitInput {
  std::string grid_code;  // empty: the caller's own grid (grid workers)
  std::string household, kind, note;
  std::optional<double> lat, lon;
  std::optional<int64_t> visited_at;  // epoch ms; empty: now
  std::string idempotency_key;        // optional; the client's id of this visit
};

struct VisitResult {
  store::VisitRow visit;
  bool replayed = false;
};

struct VisitQuery {
  std::string grid;  // empty: the caller's whole scope
  int64_t from = 0, to = INT64_MAX;
  int page = 1, page_size = 50;
};

class VisitsService {
 public:
  explicit VisitsService(App& app) : app_(app) {}

  Result<VisitResult> record(const auth::Principal& p, const VisitInput& in);
  Result<store::Page<store::VisitRow>> list(const auth::Principal& p, const VisitQuery& q);

 private:
  App& app_;
};

}  // namespace gj::app
