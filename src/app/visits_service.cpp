#include "app/visits_service.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "common/text.hpp"
#include "domain/auth/passwords.hpp"
#include "domain/org/division.hpp"

namespace gj::app {

using nlohmann::json;
using store::Session;

namespace {

constexpr size_t kMaxHousehold = 100;
constexpr size_t kMaxNote = 2000;
constexpr size_t kMaxKey = 128;
// A phone's clock may run a little ahead; a visit much later than now is a typo.
constexpr int64_t kFutureSlackMs = 10 * 60 * 1000;
// Visits queued offline may arrive days later, but not years.
constexpr int64_t kMaxAgeMs = 366LL * 24 * 3600 * 1000;

Status check_text(const std::string& v, const char* field, size_t max, bool required) {
  if (!is_valid_utf8(v)) return make_error(ErrorCode::kInvalidUtf8, "", field);
  if (required && trim(v).empty()) return make_error(ErrorCode::kMissingField, "", field);
  if (utf8_length(v) > max)
    return make_error(ErrorCode::kTooLong, "at most " + std::to_string(max) + " characters", field);
  return {};
}

bool may_record(auth::Role r) {
  return r == auth::Role::kGridWorker || r == auth::Role::kVillage;
}

bool may_read(auth::Role r) {
  return r == auth::Role::kAdmin || r == auth::Role::kCommand || r == auth::Role::kTownship ||
         r == auth::Role::kVillage || r == auth::Role::kGridWorker;
}

store::AuditEntry audit(const auth::Principal& p, int64_t now, std::string action,
                        std::string target_id, std::string detail, std::string scope) {
  store::AuditEntry e;
  e.at = now;
  if (p.user_id) e.actor_id = p.user_id;
  e.actor_name = p.username.empty() ? "system" : p.username;
  e.action = std::move(action);
  e.target_type = "visit";
  e.target_id = std::move(target_id);
  e.detail = std::move(detail);
  e.ip = p.ip;
  e.request_id = p.request_id;
  e.scope_code = std::move(scope);
  return e;
}

}  // namespace

const std::vector<VisitKindInfo>& visit_kinds() {
  static const std::vector<VisitKindInfo> k{
      {"routine", "日常走访", "Routine visit"},     {"care", "关爱走访", "Care visit"},
      {"safety", "安全巡查", "Safety check"},       {"policy", "政策宣传", "Policy outreach"},
      {"dispute", "矛盾调解", "Dispute mediation"}, {"other", "其他", "Other"},
  };
  return k;
}

Result<VisitResult> VisitsService::record(const auth::Principal& p, const VisitInput& in) {
  if (!may_record(p.role)) return make_error(ErrorCode::kForbidden, "grid workers record visits");
  GJ_TRY(check_text(in.household, "household", kMaxHousehold, true));
  GJ_TRY(check_text(in.note, "note", kMaxNote, false));
  GJ_TRY(check_text(in.idempotency_key, "Idempotency-Key", kMaxKey, false));
  bool known_kind = false;
  for (const auto& k : visit_kinds()) known_kind |= k.code == in.kind;
  if (in.kind.empty()) return make_error(ErrorCode::kMissingField, "", "kind");
  if (!known_kind) return make_error(ErrorCode::kInvalidInput, "unknown kind", "kind");
  if (in.lat.has_value() != in.lon.has_value())
    return make_error(ErrorCode::kInvalidInput, "lat and lon go together", "location");
  if (in.lat && (!std::isfinite(*in.lat) || !std::isfinite(*in.lon) || std::abs(*in.lat) > 90 ||
                 std::abs(*in.lon) > 180))
    return make_error(ErrorCode::kInvalidInput, "lat -90..90, lon -180..180", "location");
  const int64_t now = app_.clock().now_ms();
  const int64_t visited_at = in.visited_at.value_or(now);
  if (visited_at > now + kFutureSlackMs)
    return make_error(ErrorCode::kInvalidInput, "in the future", "visited_at");
  if (visited_at < now - kMaxAgeMs)
    return make_error(ErrorCode::kInvalidInput, "more than a year ago", "visited_at");

  // The caller's body, not the defaults: a replay must hash the same whenever it arrives.
  json canonical = {{"grid", in.grid_code},
                    {"household", in.household},
                    {"kind", in.kind},
                    {"note", in.note},
                    {"lat", in.lat ? json(*in.lat) : json(nullptr)},
                    {"lon", in.lon ? json(*in.lon) : json(nullptr)},
                    {"visited_at", in.visited_at ? json(*in.visited_at) : json(nullptr)},
                    {"by", p.user_id}};
  const std::string body_hash = auth::sha256_hex(canonical.dump());

  VisitResult out;
  auto replay = [&](Session& s) -> Result<bool> {
    if (in.idempotency_key.empty()) return false;
    auto prior = store::visits::by_client_key(s, in.idempotency_key);
    if (!prior.ok()) {
      if (prior.error().code == ErrorCode::kNotFound) return false;
      return prior.error();
    }
    if (prior->body_hash != body_hash)
      return make_error(ErrorCode::kIdempotencyMismatch, "", "Idempotency-Key");
    out.visit = *prior;
    out.replayed = true;
    return true;
  };

  Status st = app_.db().write([&](Session& s) -> Status {
    auto done = replay(s);
    if (!done.ok()) return done.error();
    if (*done) return {};
    std::string scope = scope_of(s, p);
    std::string grid = in.grid_code.empty() ? scope : in.grid_code;
    auto level = org::level_of_code(grid);
    if (!level.ok() || *level != org::Level::kGrid)
      return make_error(ErrorCode::kInvalidCode, "a visit belongs to a grid", "grid_code");
    if (!org::in_scope(grid, scope))
      return make_error(ErrorCode::kInvalidCode, "outside your scope", "grid_code");
    if (!store::divisions::get(s, grid).ok())
      return make_error(ErrorCode::kInvalidCode, "unknown grid", "grid_code");
    store::VisitRow v;
    if (!in.idempotency_key.empty()) v.client_key = in.idempotency_key;
    v.body_hash = body_hash;
    v.grid_code = grid;
    v.worker_id = p.user_id;
    v.worker_name = p.display_name.empty() ? p.username : p.display_name;
    v.household = trim(in.household);
    v.kind = in.kind;
    v.note = in.note;
    v.lat = in.lat;
    v.lon = in.lon;
    v.visited_at = visited_at;
    v.created_at = now;
    auto id = store::visits::insert(s, v);
    if (!id.ok()) return id.error();
    v.id = *id;
    GJ_TRY(store::audit::append(
        s, audit(p, now, "visit.create", std::to_string(v.id), v.kind + " " + grid, grid)));
    out.visit = std::move(v);
    return {};
  });
  if (!st.ok() && !in.idempotency_key.empty() &&
      st.error().code != ErrorCode::kIdempotencyMismatch) {
    // Another node stored the same key between our check and our insert (the UNIQUE key
    // refused ours): answer as that one.
    auto again = app_.db().read_value<bool>([&](Session& s) { return replay(s); });
    if (again.ok() && *again) return out;
    if (!again.ok() && again.error().code == ErrorCode::kIdempotencyMismatch) return again.error();
  }
  if (!st.ok()) return st.error();
  return out;
}

Result<store::Page<store::VisitRow>> VisitsService::list(const auth::Principal& p,
                                                         const VisitQuery& q) {
  if (!may_read(p.role)) return make_error(ErrorCode::kForbidden, "visits are read by the chain");
  if (q.from > q.to) return make_error(ErrorCode::kInvalidInput, "from after to", "from");
  const int64_t now = app_.clock().now_ms();
  store::Page<store::VisitRow> out;
  Status st = app_.db().write([&](Session& s) -> Status {
    std::string scope = scope_of(s, p);
    std::string area = q.grid.empty() ? scope : q.grid;
    if (!q.grid.empty()) {
      if (!org::level_of_code(area).ok())
        return make_error(ErrorCode::kInvalidCode, "not a division or grid code", "grid");
      // Outside the caller's scope looks like a grid that does not exist (no existence leak).
      if (!org::in_scope(area, scope)) return make_error(ErrorCode::kNotFound, "outside scope");
    }
    store::VisitFilter f;
    f.scope_code = area;
    f.from = q.from;
    f.to = q.to;
    f.page = q.page;
    f.page_size = q.page_size;
    auto page = store::visits::list(s, f);
    if (!page.ok()) return page.error();
    out = std::move(*page);
    // Households are personal data: who listed which area is on the record.
    return store::audit::append(
        s, audit(p, now, "visit.list", area,
                 "from " + format_iso8601(q.from) +
                     (q.to == INT64_MAX ? std::string() : " to " + format_iso8601(q.to)) + ", " +
                     std::to_string(out.items.size()) + " rows",
                 area));
  });
  if (!st.ok()) return st.error();
  return out;
}

}  // namespace gj::app
