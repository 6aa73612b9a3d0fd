#include "app/requests_service.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "app/app.hpp"
#include "app/notify_service.hpp"
#include "common/log.hpp"
#include "common/text.hpp"
#include "domain/auth/passwords.hpp"
#include "domain/auth/personal_data.hpp"
#include "domain/org/division.hpp"
#include "store/repos/apikey_repo.hpp"

namespace gj::app {

namespace rq = gj::requests;
using nlohmann::json;
using store::Session;

namespace {

constexpr size_t kMaxSubject = 100, kMaxText = 4000, kMaxAddress = 200, kMaxName = 64;
constexpr int64_t kDayMs = 24LL * 3600 * 1000;

int64_t ms(TimePoint t) {
  return t.time_since_epoch().count();
}
TimePoint tp(int64_t v) {
  return TimePoint(std::chrono::milliseconds(v));
}
std::optional<int64_t> opt_ms(const std::optional<TimePoint>& t) {
  return t ? std::optional<int64_t>(ms(*t)) : std::nullopt;
}

// ---------------------------------------------------------------- the lifecycle Ticket as JSON

json unit_json(const rq::UnitRef& u) {
  return {{"id", u.id},
          {"type", u.type},
          {"division", u.division_code},
          {"level", static_cast<int>(u.level)},
          {"name", u.name}};
}
rq::UnitRef unit_from(const json& j) {
  rq::UnitRef u;
  u.id = j.value("id", "");
  u.type = j.value("type", "");
  u.division_code = j.value("division", "");
  u.level = static_cast<rq::Level>(j.value("level", 3));
  u.name = j.value("name", "");
  return u;
}
json opt_tp(const std::optional<TimePoint>& t) {
  return t ? json(ms(*t)) : json(nullptr);
}
std::optional<TimePoint> tp_from(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return tp(it->get<int64_t>());
}

std::string ticket_state(const rq::Ticket& t) {
  json chain = json::array();
  for (const auto& u : t.chain) chain.push_back(unit_json(u));
  json j = {{"status", rq::status_code(t.status)},
            {"category", t.category},
            {"tier", t.tier},
            {"chain", chain},
            {"requester_ids", t.requester_ids},
            {"received_at", ms(t.received_at)},
            {"dispatched_at", opt_tp(t.dispatched_at)},
            {"claimed_at", opt_tp(t.claimed_at)},
            {"replied_at", opt_tp(t.replied_at)},
            {"completed_at", opt_tp(t.completed_at)},
            {"response_due", opt_tp(t.response_due)},
            {"resolution_due", opt_tp(t.resolution_due)},
            {"handled_by", t.handled_by ? unit_json(*t.handled_by) : json(nullptr)},
            {"replied_on_time", t.replied_on_time},
            {"contacted", t.contacted},
            {"responded_on_time", t.responded_on_time},
            {"reopen_count", t.reopen_count},
            {"return_count", t.return_count},
            {"escalation_count", t.escalation_count},
            {"callback_attempts", t.callback_attempts},
            {"supervised", t.supervised},
            {"overdue", t.overdue},
            {"merged_into", t.merged_into},
            {"rating", t.rating ? json(rq::rating_code(*t.rating)) : json(nullptr)},
            {"resolved", t.resolved ? json(*t.resolved) : json(nullptr)}};
  if (t.whistle) {
    const auto& w = *t.whistle;
    json deps = json::array(), reported = json::array();
    for (const auto& d : w.departments) deps.push_back(unit_json(d));
    for (const auto& r : w.reported_at) reported.push_back(opt_tp(r));
    j["whistle"] = {{"township", unit_json(w.township)},
                    {"departments", deps},
                    {"lead", w.lead_unit_id},
                    {"reason", w.reason},
                    {"at", ms(w.whistled_at)},
                    {"reported_at", reported}};
  }
  return j.dump();
}

Result<rq::Ticket> ticket_from(const store::TicketRow& row) {
  json j = json::parse(row.state, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return make_error(ErrorCode::kInternal, "ticket state is not JSON");
  rq::Ticket t;
  t.id = std::to_string(row.id);
  auto st = rq::parse_status(j.value("status", ""));
  if (!st.ok()) return make_error(ErrorCode::kInternal, "ticket state has an unknown status");
  t.status = *st;
  t.category = j.value("category", "");
  t.tier = j.value("tier", "");
  for (const auto& u : j["chain"]) t.chain.push_back(unit_from(u));
  t.requester_ids = j.value("requester_ids", std::vector<std::string>{});
  t.received_at = tp(j.value("received_at", int64_t{0}));
  t.dispatched_at = tp_from(j, "dispatched_at");
  t.claimed_at = tp_from(j, "claimed_at");
  t.replied_at = tp_from(j, "replied_at");
  t.completed_at = tp_from(j, "completed_at");
  t.response_due = tp_from(j, "response_due");
  t.resolution_due = tp_from(j, "resolution_due");
  if (j.contains("handled_by") && !j["handled_by"].is_null())
    t.handled_by = unit_from(j["handled_by"]);
  t.replied_on_time = j.value("replied_on_time", false);
  t.contacted = j.value("contacted", false);
  t.responded_on_time = j.value("responded_on_time", false);
  t.reopen_count = j.value("reopen_count", 0);
  t.return_count = j.value("return_count", 0);
  t.escalation_count = j.value("escalation_count", 0);
  t.callback_attempts = j.value("callback_attempts", 0);
  t.supervised = j.value("supervised", false);
  t.overdue = j.value("overdue", false);
  t.merged_into = j.value("merged_into", "");
  if (j.contains("rating") && j["rating"].is_string()) {
    auto r = rq::parse_rating(j["rating"].get<std::string>());
    if (r.ok()) t.rating = *r;
  }
  if (j.contains("resolved") && j["resolved"].is_boolean()) t.resolved = j["resolved"].get<bool>();
  if (j.contains("whistle")) {
    const auto& w = j["whistle"];
    rq::Whistle wh;
    wh.township = unit_from(w["township"]);
    for (const auto& d : w["departments"]) wh.departments.push_back(unit_from(d));
    wh.lead_unit_id = w.value("lead", "");
    wh.reason = w.value("reason", "");
    wh.whistled_at = tp(w.value("at", int64_t{0}));
    for (const auto& r : w["reported_at"])
      wh.reported_at.push_back(r.is_null() ? std::nullopt
                                           : std::optional<TimePoint>(tp(r.get<int64_t>())));
    t.whistle = std::move(wh);
  }
  return t;
}

// Copies what a transition changed into the row's columns.
void sync_row(store::TicketRow& row, const rq::Ticket& t, int64_t now) {
  if (const auto* h = t.holder()) {
    row.division_code = h->division_code;
    row.unit_id = h->id;
    row.unit_type = h->type;
    row.unit_name = h->name;
    row.level = static_cast<int>(h->level);
  }
  row.status = std::string(rq::status_code(t.status));
  row.sla_tier = t.tier;
  row.response_due = opt_ms(t.response_due);
  row.resolution_due = opt_ms(t.resolution_due);
  row.merged_into = t.merged_into;
  row.reopen_count = t.reopen_count;
  row.callback_ended = rq::callback_ended_unreached(t);
  row.state = ticket_state(t);
  row.updated_at = now;
}

store::TimerRow timer_row(int64_t ticket_id, const rq::Timer& t) {
  store::TimerRow r;
  r.ticket_id = ticket_id;
  r.kind = std::string(rq::timer_kind_code(t.kind));
  r.level = static_cast<int>(t.unit.level);
  r.unit = unit_json(t.unit).dump();
  r.unit_id = t.unit.id;
  r.tier = t.tier;
  r.started_at = ms(t.started_at);
  r.warn_at = ms(t.warn_at);
  r.due_at = ms(t.due_at);
  r.state = std::string(rq::timer_state_code(t.state));
  return r;
}

rq::Timer timer_from(const store::TimerRow& r) {
  rq::Timer t;
  t.id = std::to_string(r.id);
  t.ticket_id = std::to_string(r.ticket_id);
  t.kind = r.kind == "response" ? rq::TimerKind::kResponse : rq::TimerKind::kResolution;
  json u = json::parse(r.unit, nullptr, false);
  if (u.is_object()) t.unit = unit_from(u);
  t.tier = r.tier;
  t.started_at = tp(r.started_at);
  t.warn_at = tp(r.warn_at);
  t.due_at = tp(r.due_at);
  t.state = r.state == "warned"      ? rq::TimerState::kWarned
            : r.state == "fired"     ? rq::TimerState::kFired
            : r.state == "cancelled" ? rq::TimerState::kCancelled
                                     : rq::TimerState::kPending;
  return t;
}

rq::Actor actor_of(const auth::Principal& p) {
  rq::Actor a;
  a.user_id = p.user_id ? std::to_string(p.user_id) : std::string();
  auto r = rq::parse_role(auth::role_info(p.role).code);
  a.role = r.ok() ? *r : rq::Role::kCitizen;
  a.division_code = p.scope_code;
  a.unit_id = p.unit_id ? std::to_string(*p.unit_id) : std::string();
  return a;
}

std::string actor_name(const auth::Principal& p) {
  if (!p.username.empty()) return p.username;
  return p.role == auth::Role::kCitizen ? "citizen" : "system";
}

// Audit entries are attributed to a division (the ticket's holder) where the store's entry has
// that field: main scopes audit reads to the reader's position (AuditEntry::scope_code); the
// requires-expression keeps this file building on either side of that change.
template <typename Entry>
void attribute(Entry& e, const std::string& division) {
  if constexpr (requires { e.scope_code; }) e.scope_code = division;
}

store::AuditEntry audit_of(const auth::Principal& p, int64_t now, std::string action,
                           std::string target_id, std::string detail, const std::string& division) {
  store::AuditEntry e;
  attribute(e, division.empty() ? p.scope_code : division);
  e.at = now;
  if (p.user_id) e.actor_id = p.user_id;
  e.actor_name = actor_name(p);
  e.action = std::move(action);
  e.target_type = "request";
  e.target_id = std::move(target_id);
  e.detail = std::move(detail);
  e.ip = p.ip;
  e.request_id = p.request_id;
  return e;
}

// 张三 → 张*, 13812345678 → 138****5678.
std::string mask_name(const std::string& name) {
  if (name.empty()) return name;
  size_t n = 1;
  unsigned char c = static_cast<unsigned char>(name[0]);
  if (c >= 0xF0)
    n = 4;
  else if (c >= 0xE0)
    n = 3;
  else if (c >= 0xC0)
    n = 2;
  return name.substr(0, std::min(n, name.size())) + "*";
}
void mask_row(store::TicketRow& r) {
  r.requester_name = mask_name(r.requester_name);
  if (!r.requester_phone.empty()) r.requester_phone = auth::mask_phone(r.requester_phone);
  r.requester_email = notify::mask_address(r.requester_email);
}
// Public views (tracking page, public lists, Open311) carry no personal data at all.
void drop_personal(store::TicketRow& r) {
  r.requester_name.clear();
  r.requester_phone.clear();
  r.requester_email.clear();
}
// A citizen acting on their own request from the tracking page (no account), for the audit log.
auth::Principal citizen_principal(const std::string& ip, const std::string& request_id) {
  auth::Principal who;
  who.role = auth::Role::kCitizen;
  who.ip = ip;
  who.request_id = request_id;
  return who;
}
// A ticket as the public sees it: its lifecycle state, the row without personal data and the
// category's names.
Result<TrackView> public_view(store::TicketRow row,
                              const std::map<std::string, store::CategoryRow>& categories) {
  TrackView v;
  auto t = ticket_from(row);
  if (!t.ok()) return t.error();
  v.ticket = std::move(*t);
  v.updates_channel = std::string(requester_channel(row));  // before the contact is dropped
  v.row = std::move(row);
  drop_personal(v.row);
  auto c = categories.find(v.row.category);
  if (c != categories.end()) {
    v.category_name_zh = c->second.name_zh;
    v.category_name_en = c->second.name_en;
  }
  return v;
}

rq::LimitUnit limit_unit(const std::string& s) {
  if (s == "minutes") return rq::LimitUnit::kMinutes;
  if (s == "calendar_days") return rq::LimitUnit::kCalendarDays;
  if (s == "working_days") return rq::LimitUnit::kWorkingDays;
  return rq::LimitUnit::kHours;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "2026-11" → "M2026-11"; "" → fallback.
Result<std::string> month_period(const std::string& v, const std::string& fallback,
                                 const char* field) {
  if (v.empty()) return fallback;
  if (v.size() != 7 || v[4] != '-' || !all_digits(v.substr(0, 4)) || !all_digits(v.substr(5)))
    return make_error(ErrorCode::kInvalidInput, "expected YYYY-MM", field);
  int m = std::stoi(v.substr(5));
  if (m < 1 || m > 12) return make_error(ErrorCode::kInvalidInput, "expected YYYY-MM", field);
  return "M" + v;
}

// A hierarchy snapshot of one county for the router, the command chain and the metric model.
// Chain units are synthesised from divisions (id = the division code); departments come from
// the units table (id = units.id).
class MemoryHierarchy final : public rq::HierarchyView {
 public:
  std::map<std::string, rq::DivisionInfo, std::less<>> divisions;
  std::vector<rq::GridShape> grids;
  std::vector<rq::UnitRef> departments;

  std::optional<rq::DivisionInfo> division(std::string_view code) const override {
    auto it = divisions.find(code);
    if (it == divisions.end()) return std::nullopt;
    return it->second;
  }
  std::vector<rq::DivisionInfo> divisions_under(std::string_view code,
                                                rq::Level level) const override {
    std::vector<rq::DivisionInfo> out;
    for (const auto& [c, d] : divisions)
      if (d.level == level && c != code && org::in_scope(c, code)) out.push_back(d);
    return out;
  }
  std::vector<rq::GridShape> grids_under(std::string_view county) const override {
    std::vector<rq::GridShape> out;
    for (const auto& g : grids)
      if (org::in_scope(g.code, county)) out.push_back(g);
    return out;
  }
  std::vector<rq::UnitRef> units(std::string_view division_code,
                                 std::string_view type) const override {
    std::vector<rq::UnitRef> out;
    auto d = division(division_code);
    if (!d) return out;
    if (rq::is_chain_unit_type(type)) {
      if (rq::chain_unit_type(d->level) != type) return out;
      rq::UnitRef u;
      u.id = d->code;
      u.type = std::string(type);
      u.division_code = d->code;
      u.level = d->level;
      if (type == rq::kUnitCommandCentre)
        u.name = d->name + "指挥中心";
      else if (type == rq::kUnitTownshipPlatform)
        u.name = d->name + "综合指挥平台";
      else if (type == rq::kUnitGrid) {
        auto parent = division(d->parent_code);
        u.name = (parent ? parent->name : std::string()) + d->name;
      } else
        u.name = d->name;
      out.push_back(std::move(u));
      return out;
    }
    for (const auto& u : departments)
      if (u.division_code == division_code && u.type == type) out.push_back(u);
    return out;
  }
  const rq::UnitRef* department(std::string_view id) const {
    for (const auto& u : departments)
      if (u.id == id) return &u;
    return nullptr;
  }
};

}  // namespace

// ---------------------------------------------------------------- configuration and caches

struct RequestsService::Config {
  std::map<std::string, store::CategoryRow> categories;
  std::map<std::string, std::string> path_of;  // "0104" → "01/0104" (the matrix's path code)
  std::optional<rq::ResponsibilityMatrix> matrix;
  std::optional<rq::Lifecycle> lifecycle;
  int64_t version = 0;  // config_version (migration 0009) these rows were read at
  std::string path(const std::string& code) const {
    auto it = path_of.find(code);
    return it == path_of.end() ? code : it->second;
  }
};

struct RequestsService::CountySnapshot {
  std::string code, signature;
  MemoryHierarchy view;
  std::optional<rq::RequestRouter> router;
  rq::UnitRef command_centre;
};

RequestsService::RequestsService(App& app) : app_(app) {
  // Deployment setting: the confidence at which intake files a request under the suggestion.
  if (const char* t = std::getenv("GONGJIAN_SUGGEST_THRESHOLD")) {
    char* end = nullptr;
    double v = std::strtod(t, &end);
    if (end != t && v >= 0 && v <= 1) suggest_threshold_ = v;
  }
}
RequestsService::~RequestsService() = default;

void RequestsService::invalidate_routing() {
  std::lock_guard lock(mu_);
  counties_.clear();
}

Result<std::shared_ptr<const RequestsService::Config>> RequestsService::config(Session* in) {
  // Cheap: the store is asked at most once a second (ConfigWatch), outside mu_.
  std::optional<int64_t> seen = config_watch_.poll(app_.db(), in);
  {
    std::lock_guard lock(mu_);
    if (config_ && (!seen || *seen <= config_version_)) return config_;
  }
  auto cfg = std::make_shared<Config>();
  std::vector<store::MatrixRow> matrix;
  std::vector<store::SlaTierRow> tiers;
  std::vector<std::pair<std::string, std::string>> days;
  auto load = [&](Session& s) -> Status {
    auto v = store::config::version(s);  // in the same snapshot as the rows below
    if (v.ok()) cfg->version = v->version;
    auto c = store::request_config::categories(s);
    if (!c.ok()) return c.error();
    for (auto& row : *c) cfg->categories[row.code] = row;
    auto m = store::request_config::matrix(s);
    if (!m.ok()) return m.error();
    matrix = std::move(*m);
    auto t = store::request_config::sla_tiers(s);
    if (!t.ok()) return t.error();
    tiers = std::move(*t);
    auto h = store::request_config::holidays(s);
    if (!h.ok()) return h.error();
    days = std::move(*h);
    return {};
  };
  Status st = in ? load(*in) : app_.db().read(load);
  if (!st.ok()) {
    std::lock_guard lock(mu_);
    if (config_) return config_;  // a failed reload keeps serving what this node has
    return st.error();
  }
  std::vector<rq::Category> cats;
  for (const auto& [code, row] : cfg->categories) {
    std::string path = code;
    std::set<std::string> seen{code};
    for (std::string parent = row.parent_code; !parent.empty();) {
      auto it = cfg->categories.find(parent);
      if (it == cfg->categories.end() || !seen.insert(parent).second) break;
      path = parent + "/" + path;
      parent = it->second.parent_code;
    }
    cfg->path_of[code] = path;
    cats.push_back({path, row.name_zh, row.name_en});
  }
  std::vector<rq::Responsibility> rows;
  rq::Responsibility fallback{"", std::string(rq::kUnitCommandCentre), rq::Level::kCounty, ""};
  std::string version = "default";
  for (const auto& m : matrix) {
    rq::Responsibility r{m.category == "*" ? "" : cfg->path(m.category), m.unit_type,
                         static_cast<rq::Level>(m.level), m.sla_tier};
    version = m.version;
    if (m.category == "*")
      fallback = r;
    else
      rows.push_back(r);
  }
  cfg->matrix.emplace(version, std::move(cats), std::move(rows), fallback);
  std::vector<rq::SlaTier> sla;
  std::string default_tier;
  for (const auto& t : tiers) {
    rq::SlaTier x;
    x.code = t.code;
    x.name_zh = t.name_zh;
    x.name_en = t.name_en;
    x.response = {t.response_amount, limit_unit(t.response_unit)};
    x.resolution = {t.resolution_amount, limit_unit(t.resolution_unit)};
    x.warn_fraction = t.warn_fraction;
    x.warn_minutes = t.warn_minutes;
    if (t.is_default) default_tier = t.code;
    sla.push_back(std::move(x));
  }
  rq::SlaPolicy policy = sla.empty() ? rq::SlaPolicy::defaults()
                                     : rq::SlaPolicy("store", std::move(sla), default_tier);
  rq::WorkCalendar calendar;
  for (const auto& [day, kind] : days) {
    if (day.size() != 10) continue;
    std::chrono::year_month_day ymd{std::chrono::year{std::stoi(day.substr(0, 4))},
                                    std::chrono::month{unsigned(std::stoi(day.substr(5, 2)))},
                                    std::chrono::day{unsigned(std::stoi(day.substr(8, 2)))}};
    if (kind == "holiday")
      calendar.add_holiday(ymd);
    else
      calendar.add_makeup_workday(ymd);
  }
  cfg->lifecycle.emplace(std::move(policy), std::move(calendar));
  std::lock_guard lock(mu_);
  if (!config_ || cfg->version > config_version_) {
    if (config_) log::info("config_reloaded", {{"version", std::to_string(cfg->version)}});
    config_ = cfg;
    config_version_ = cfg->version;
  }
  return config_;
}

Result<std::shared_ptr<const RequestsService::CountySnapshot>> RequestsService::county(
    const std::string& code, Session* session) {
  auto lvl = org::level_of_code(code);
  if (!lvl.ok() || *lvl != org::Level::kCounty)
    return make_error(ErrorCode::kInvalidCode, "not a county code", "county_code");
  auto cfg = config(session);
  if (!cfg.ok()) return cfg.error();
  // mu_ guards the map only and is never held across store I/O: a reader waiting for it while
  // holding a reader connection would otherwise deadlock with a loader waiting for a reader.
  // Two threads may build the same snapshot at once; the last one stored wins (both are equal).
  auto load = [&](Session& s) -> Result<std::shared_ptr<const CountySnapshot>> {
    auto sig = store::request_config::routing_signature(s, code);
    if (!sig.ok()) return sig.error();
    *sig += ":cfg" + std::to_string((*cfg)->version);  // the router holds the matrix
    {
      std::lock_guard lock(mu_);
      auto it = counties_.find(code);
      if (it != counties_.end() && it->second->signature == *sig) return it->second;
    }
    auto snap = std::make_shared<CountySnapshot>();
    snap->code = code;
    snap->signature = *sig;
    auto divs = store::request_config::divisions_in(s, code);
    if (!divs.ok()) return divs.error();
    for (const auto& d : *divs)
      snap->view.divisions[d[0]] = {d[0], d[2], d[1], static_cast<rq::Level>(std::stoi(d[3]))};
    if (!snap->view.divisions.count(code))
      return make_error(ErrorCode::kInvalidCode, "unknown county", "county_code");
    // Ancestors, for the areas metrics count under.
    for (std::string up = snap->view.divisions[code].parent_code; !up.empty();) {
      auto a = store::divisions::get(s, up);
      if (!a.ok()) break;
      const auto& d = a->division;
      snap->view.divisions[d.code] = {d.code, d.name, d.parent_code,
                                      static_cast<rq::Level>(static_cast<int>(d.level))};
      up = d.parent_code;
    }
    auto grids = store::request_config::grids_in(s, code);
    if (!grids.ok()) return grids.error();
    for (const auto& [gcode, polygon] : *grids) {
      rq::GridShape g;
      g.code = gcode;
      auto d = snap->view.division(gcode);
      if (d) {
        g.village_code = d->parent_code;
        auto v = snap->view.division(d->parent_code);
        g.name = (v ? v->name : std::string()) + d->name;
      }
      if (!polygon.empty() && rq::polygon_from_geojson(polygon, g))
        snap->view.grids.push_back(std::move(g));
    }
    auto units = store::request_config::units_in(s, code);
    if (!units.ok()) return units.error();
    for (const auto& u : *units) {
      if (u.retired_at) continue;  // a reform withdrew it (0027): it routes nothing
      rq::UnitRef r;
      r.id = std::to_string(u.id);
      r.type = u.kind;
      r.division_code = u.division_code;
      auto d = snap->view.division(u.division_code);
      r.level = d ? d->level : rq::Level::kCounty;
      r.name = u.name;
      snap->view.departments.push_back(std::move(r));
    }
    auto router = rq::RequestRouter::create(snap->view, code, *(*cfg)->matrix);
    if (!router.ok()) return router.error();
    snap->router.emplace(std::move(*router));
    auto cc = rq::CommandChain(snap->view).chain_unit(code);
    if (!cc.ok()) return cc.error();
    snap->command_centre = *cc;
    {
      std::lock_guard lock(mu_);
      counties_[code] = snap;
    }
    log::info("routing_cache_built",
              {{"county", code}, {"grids", std::to_string(snap->view.grids.size())}});
    return std::shared_ptr<const CountySnapshot>(snap);
  };
  if (session) return load(*session);
  return app_.db().read_value<std::shared_ptr<const CountySnapshot>>(load);
}

// ---------------------------------------------------------------- persistence of transitions

namespace {

// One transition, persisted inside the caller's write transaction: the ticket's columns and
// state, the event row, the assignment, timers cancelled and started, metric counter deltas
// and the audit entry. Nothing here commits on its own.
// A stored suggestion with the category names of this deployment's tree.
CategorySuggestion named(const store::CategorySuggestionRow& row,
                         const std::map<std::string, store::CategoryRow>& categories) {
  CategorySuggestion out = suggestion_from_row(row);
  for (auto& c : out.top) {
    auto it = categories.find(c.code);
    if (it == categories.end()) continue;
    c.name_zh = it->second.name_zh;
    c.name_en = it->second.name_en;
  }
  return out;
}

// Everything of a transition but the ticket row itself, which the caller has already stored in
// its `after` state; `cancel_timers`: false when the caller never stored the timers it cancels
// (intake writes them cancelled at once instead of inserting then updating them).
// The rows one transition wrote, when the caller answers from them instead of reading them
// back (intake: the read-back was a second reader transaction, cold after the commit).
struct Written {
  std::vector<store::TicketEventRow> events;
  std::vector<store::AssignmentRow> assignments;
  std::vector<store::TimerRow> timers;
};

// The event a transition (or its side effect) records on `row`: who, when, as which role, with
// the row's holder; the caller sets the action, statuses and note.
store::TicketEventRow event_on(const store::TicketRow& row, const rq::Transition& t,
                               const auth::Principal& who) {
  store::TicketEventRow e;
  e.ticket_id = row.id;
  e.at = ms(t.at);
  if (who.user_id) e.actor_id = who.user_id;
  e.actor_name = actor_name(who);
  e.actor_role = std::string(rq::role_code(t.actor.role));
  e.unit_id = row.unit_id;
  e.unit_name = row.unit_name;
  return e;
}

Status persist_effects(Session& s, const store::TicketRow& row, const rq::Transition& t,
                       const auth::Principal& who, const rq::HierarchyView& view,
                       bool cancel_timers, Written* written = nullptr) {
  int64_t now = ms(t.at);
  store::TicketEventRow e = event_on(row, t, who);
  e.action = std::string(rq::action_code(t.action));
  e.from_status = std::string(rq::status_code(t.from));
  e.to_status = std::string(rq::status_code(t.to));
  e.note = t.note;
  auto event_id = store::ticket_events::append(s, e);
  if (!event_id.ok()) return event_id.error();
  if (written) {
    e.id = *event_id;
    written->events.push_back(e);
  }
  auto assign = [&](const store::AssignmentRow& a) -> Status {
    GJ_TRY(store::assignments::append(s, a));
    if (written) written->assignments.push_back(a);
    return {};
  };
  if (t.assignment) {
    const auto& a = *t.assignment;
    GJ_TRY(assign({0, row.id, a.kind, a.from ? a.from->id : std::string(), a.to.id, a.to.name,
                   a.to.division_code, ms(a.at), a.reason}));
  }
  // 吹哨报到: each summoned department gets an assignment row, so its queue lists the joint case.
  if (t.action == rq::Action::kWhistle && t.after.whistle)
    for (const auto& d : t.after.whistle->departments)
      GJ_TRY(assign({0, row.id, "whistle", t.after.whistle->township.id, d.id, d.name,
                     d.division_code, now, t.note}));
  if (cancel_timers)
    for (auto k : t.cancel_timers)
      GJ_TRY(store::timers::cancel_kind(s, row.id, std::string(rq::timer_kind_code(k))));
  for (const auto& timer : t.start_timers) {
    store::TimerRow tr = timer_row(row.id, timer);
    auto id = store::timers::insert(s, tr);
    if (!id.ok()) return id.error();
    if (written) {
      tr.id = *id;
      written->timers.push_back(std::move(tr));
    }
  }
  std::vector<store::counters::CounterDelta> deltas;
  for (const auto& d : rq::MetricModel().deltas(t, view))
    deltas.push_back({d.key.scope, d.key.id, d.key.period, d.key.part, d.delta});
  GJ_TRY(store::counters::add_all(s, deltas));
  // Notifications 消息 in the same transaction: committed with the transition or not at all.
  GJ_TRY(enqueue_transition(s, row, t));
  std::string detail = e.from_status + " -> " + e.to_status;
  if (t.supervision) detail += " supervise " + t.supervision->target.id;
  return store::audit::append(s, audit_of(who, now, "request." + e.action, std::to_string(row.id),
                                          detail, row.division_code));
}

Status persist(Session& s, store::TicketRow& row, const rq::Transition& t,
               const auth::Principal& who, const rq::HierarchyView& view) {
  sync_row(row, t.after, ms(t.at));
  GJ_TRY(store::tickets::update(s, row));
  return persist_effects(s, row, t, who, view, true);
}

// A ticket that ended without an outcome (merged on, withdrawn, rejected, sent elsewhere) cannot
// take other requests in: their requesters would never hear of one.
Status can_absorb(const store::TicketRow& survivor) {
  auto st = rq::parse_status(survivor.status);
  if (!st.ok()) return st.error();
  using S = rq::RequestStatus;
  if (*st == S::kMerged)
    return make_error(ErrorCode::kInvalidInput,
                      "ticket " + std::to_string(survivor.id) + " was itself merged into " +
                          survivor.merged_into + ": merge into that one",
                      "merged_into");
  if (*st == S::kWithdrawn || *st == S::kRejected || *st == S::kRedirected)
    return make_error(ErrorCode::kInvalidInput,
                      "ticket " + std::to_string(survivor.id) + " is closed without an outcome",
                      "merged_into");
  return {};
}

// 合并: the surviving ticket takes in the merged request's requesters (each with their own
// tracking code), so every one of them is told its outcome; a `merged_in` event records it on
// the survivor. When the survivor has already been answered, the newcomers are told at once.
Status absorb(Session& s, store::TicketRow& survivor, const store::TicketRow& merged,
              const rq::Transition& t, const auth::Principal& who) {
  auto st = ticket_from(survivor);
  if (!st.ok()) return st.error();
  std::vector<std::string> added;
  for (const auto& r : t.after.requester_ids)
    if (std::find(st->requester_ids.begin(), st->requester_ids.end(), r) ==
        st->requester_ids.end()) {
      st->requester_ids.push_back(r);
      added.push_back(r);
    }
  int64_t now = ms(t.at);
  sync_row(survivor, *st, now);
  GJ_TRY(store::tickets::update(s, survivor));
  store::TicketEventRow e = event_on(survivor, t, who);
  e.action = "merged_in";
  e.from_status = e.to_status = survivor.status;
  e.note = "#" + std::to_string(merged.id) + " " + merged.code + " " + merged.subject;
  GJ_TRY(store::ticket_events::append(s, e));
  using S = rq::RequestStatus;
  auto status = rq::parse_status(survivor.status);
  if (!status.ok()) return status.error();
  const char* kind = *status == S::kReplied ? "ticket.replied"
                     : (*status == S::kCompleted || *status == S::kCallback || *status == S::kRated)
                         ? "ticket.completed"
                         : nullptr;
  if (!kind) return {};
  rq::Transition told;  // the outcome so far, for the newcomers only
  told.at = t.at;
  auto events = store::ticket_events::list(s, survivor.id);
  if (!events.ok()) return events.error();
  if (const auto* reply = latest_reply(*events)) told.note = reply->note;
  for (const auto& r : added)
    if (r.rfind("track:", 0) == 0) told.notify.push_back({kind, "", r});
  return enqueue_transition(s, survivor, told);
}

auth::Principal system_principal() {
  auth::Principal p;
  p.role = auth::Role::kAdmin;  // only for the audit entry's shape; the actor is kSystem
  p.username = "system";
  return p;
}

}  // namespace

// ---------------------------------------------------------------- intake 受理

Result<IntakeResult> RequestsService::submit(const auth::Principal& who, const IntakeInput& in) {
  auto cfg_r = config();
  if (!cfg_r.ok()) return cfg_r.error();
  const Config& cfg = **cfg_r;
  const bool anonymous = who.user_id == 0;
  // Channel and role: citizens anonymously (with a phone), staff only on their own channel.
  if (in.channel == kChannelCitizen) {
    // anyone
  } else if (in.channel == kChannelHotline || in.channel == kChannelGrid ||
             in.channel == kChannelTransfer) {
    if (anonymous) return make_error(ErrorCode::kUnauthenticated);
    bool ok = (in.channel == kChannelHotline &&
               (who.role == auth::Role::kCommand || who.role == auth::Role::kAdmin)) ||
              (in.channel == kChannelGrid && who.role == auth::Role::kGridWorker) ||
              (in.channel == kChannelTransfer && who.role == auth::Role::kDepartment);
    if (!ok) return make_error(ErrorCode::kForbidden, "channel not open to this role", "channel");
  } else {
    return make_error(ErrorCode::kInvalidInput, "citizen | hotline | grid | transfer", "channel");
  }
  auto check = [](const std::string& v, const char* field, size_t max, bool required) -> Status {
    if (!is_valid_utf8(v)) return make_error(ErrorCode::kInvalidUtf8, "", field);
    if (required && trim(v).empty()) return make_error(ErrorCode::kMissingField, "", field);
    if (utf8_length(v) > max) return make_error(ErrorCode::kTooLong, "", field);
    return {};
  };
  GJ_TRY(check(in.category, "category", 32, false));
  GJ_TRY(check(in.subject, "subject", kMaxSubject, true));
  GJ_TRY(check(in.text, "text", kMaxText, true));
  // The classifier's suggestion 分类建议: always recorded for staff to see; it sets the category
  // only when none was chosen and its confidence reaches the threshold.
  // Every read intake needs (the suggestion, the staff member's scope, the county's routing
  // snapshot or its version check) in ONE reader transaction before the write: after a commit a
  // reader starts with a cold page cache, so each extra read costs (bench/requests, intake).
  std::optional<CategorySuggestion> suggestion;
  std::string scope;
  std::string county_code = in.county_code;
  std::optional<Result<std::shared_ptr<const CountySnapshot>>> snap_pre;
  std::optional<std::vector<DuplicateView>> duplicates;
  std::optional<rq::RouteDecision> routed;  // made in the read below, for the category it used
  // The category intake uses: the caller's, else the classifier's top suggestion when it is
  // confident enough and in the tree; "" when neither.
  auto category_of = [&]() -> std::string {
    if (!trim(in.category).empty()) return in.category;
    if (suggestion && !suggestion->top.empty() &&
        suggestion->top.front().confidence >= suggest_threshold_ &&
        cfg.categories.count(suggestion->top.front().code))
      return suggestion->top.front().code;
    return "";
  };
  {
    std::optional<Error> sg_error;
    Status pre = app_.db().read([&](Session& s) -> Status {
      auto r = suggester_.suggest(s, in.subject, in.text);
      if (r.ok())
        suggestion = std::move(*r);
      else
        sg_error = r.error();
      if (!anonymous) {
        scope = scope_of(s, who);
        if (county_code.empty() && scope.size() >= 6 && all_digits(scope.substr(0, 6)))
          county_code = scope.substr(0, 6) + "000000";
      }
      // Loaded here, its errors reported below in their usual order.
      if (!county_code.empty()) snap_pre = county(county_code, &s);
      // Duplicate suggestions 重复诉求 among recent open tickets nearby, in this same snapshot:
      // the answer is built from the rows the write stores, so intake needs no reader
      // transaction after its commit. Only for input that can pass the checks below (the
      // category the intake will use, a valid point, a known county); otherwise the request
      // fails there and nothing was searched for it.
      if (snap_pre && snap_pre->ok()) {
        std::string cat = category_of();
        std::optional<rq::GeoPoint> at;
        if (in.lat && in.lon) at = rq::GeoPoint{*in.lat, *in.lon};
        bool point_ok =
            in.lat.has_value() == in.lon.has_value() && (!at || rq::is_valid_point(*at));
        if (cfg.categories.count(cat) && point_ok) {
          auto route = (**snap_pre)->router->route({cfg.path(cat), at, in.address});
          if (route.ok()) {
            routed = *route;
            store::TicketRow probe;
            probe.county_code = county_code;
            probe.category = cat;
            probe.subject = trim(in.subject);
            probe.body = in.text;
            probe.lat = in.lat;
            probe.lon = in.lon;
            probe.grid_code = route->grid_code;
            probe.status = std::string(rq::status_code(rq::RequestStatus::kReceived));
            probe.created_at = ms(app_.clock().now());
            auto found = find_duplicates(s, probe, cfg, anonymous);
            if (!found.ok()) return found.error();
            duplicates = std::move(*found);
          }
        }
      }
      return {};
    });
    if (!pre.ok()) return pre.error();
    // A broken model must not stop intake: log and carry on without a suggestion.
    if (sg_error) log::warn("category_suggestion_failed", {{"detail", sg_error->detail}});
    if (suggestion && suggestion->top.empty()) suggestion.reset();
  }
  std::string category = category_of();
  if (category.empty()) return make_error(ErrorCode::kMissingField, "", "category");
  if (trim(in.category).empty()) suggestion->applied = true;  // the category came from it
  GJ_TRY(check(in.address, "address", kMaxAddress, false));
  GJ_TRY(check(in.name, "name", kMaxName, false));
  GJ_TRY(check(in.idempotency_key, "Idempotency-Key", 128, false));
  auto cat = cfg.categories.find(category);
  if (cat == cfg.categories.end())
    return make_error(ErrorCode::kInvalidInput, "unknown category", "category");
  std::optional<rq::GeoPoint> point;
  if (in.lat.has_value() != in.lon.has_value())
    return make_error(ErrorCode::kInvalidInput, "lat and lon go together", "location");
  if (in.lat) {
    point = rq::GeoPoint{*in.lat, *in.lon};
    if (!rq::is_valid_point(*point))
      return make_error(ErrorCode::kInvalidInput, "lat -90..90, lon -180..180", "location");
  }
  std::string phone;
  if (!in.phone.empty()) {
    auto ph = auth::validate_phone(in.phone);
    if (!ph.ok()) return make_error(ph.error().code, ph.error().detail, "phone");
    phone = *ph;
  } else if (in.channel == kChannelCitizen) {
    return make_error(ErrorCode::kMissingField, "a phone number is needed for callbacks", "phone");
  }
  const std::string email = trim(in.email);
  if (!email.empty() && (email.size() > 254 || !notify::is_plain_address(email)))
    return make_error(ErrorCode::kInvalidInput, "not an e-mail address", "email");
  if (!in.language.empty() && !notify::is_language(in.language))
    return make_error(ErrorCode::kInvalidInput, "zh-CN | en", "language");
  const std::string language =
      in.language.empty() ? std::string(notify::kDefaultLanguage) : in.language;
  // The county: given, or the staff member's own.
  if (!anonymous) {
    if (!county_code.empty() && !org::in_scope(scope, county_code) &&
        !org::in_scope(county_code, scope))
      return make_error(ErrorCode::kInvalidCode, "outside your scope", "county_code");
  }
  if (county_code.empty()) return make_error(ErrorCode::kMissingField, "", "county_code");
  auto snap_r = snap_pre ? std::move(*snap_pre) : county(county_code);
  if (!snap_r.ok()) {
    if (snap_r.error().code == ErrorCode::kNotFound)
      return make_error(ErrorCode::kInvalidCode, "unknown county", "county_code");
    return snap_r.error();
  }
  auto snap = *snap_r;
  // The read above routed the same category, point and address on this same snapshot.
  auto decision = routed ? Result<rq::RouteDecision>(*routed)
                         : snap->router->route({cfg.path(category), point, in.address});
  if (!decision.ok()) return decision.error();
  // A grid worker's own patrol report 巡查上报 must lie inside a grid (RouterOptions'
  // reject_outside_grids, applied here so one cached router serves every channel).
  if (in.channel == kChannelGrid && decision->grid_code.empty())
    return make_error(ErrorCode::kInvalidInput, "outside every grid", "location");

  // The caller's body, not the suggestion: a replay must match whatever model is active then.
  json canonical = {{"channel", in.channel},
                    {"county", county_code},
                    {"category", in.category},
                    {"subject", in.subject},
                    {"text", in.text},
                    {"address", in.address},
                    {"lat", in.lat ? json(*in.lat) : json(nullptr)},
                    {"lon", in.lon ? json(*in.lon) : json(nullptr)},
                    {"name", in.name},
                    {"phone", phone},
                    {"public", in.is_public},
                    {"by", who.user_id}};
  // Only when given, so a body without one hashes as it did before migration 0020.
  if (!email.empty()) canonical["email"] = email;
  std::string body_hash = auth::sha256_hex(canonical.dump());
  TimePoint now = app_.clock().now();
  const rq::Lifecycle& life = *cfg.lifecycle;

  std::string code = app_.ids().public_code(10);
  rq::Ticket draft;
  draft.category = category;
  draft.tier = decision->sla_tier.empty() ? cat->second.sla_tier : decision->sla_tier;
  if (!life.sla().tier(draft.tier).ok()) draft.tier.clear();
  draft.requester_ids = {"track:" + code};
  if (!anonymous) draft.requester_ids.push_back(std::to_string(who.user_id));
  auto intake = life.receive(draft, snap->command_centre, now);
  if (!intake.ok()) return intake.error();
  // Routed below the command centre: dispatched at once on the matrix's authority (the
  // command centre's automatic dispatch 自动派单); otherwise it waits for manual dispatch.
  std::optional<rq::Transition> dispatch;
  if (!decision->manual_dispatch && !(decision->unit == snap->command_centre)) {
    rq::Actor centre;
    centre.user_id = "system";
    centre.role = rq::Role::kCommand;
    centre.division_code = county_code;
    rq::ActionRequest req;
    req.action = rq::Action::kDispatch;
    req.target = decision->unit;
    req.note = "按责任清单自动派单 (dispatched by the responsibility matrix)";
    auto tr = life.apply(intake->ticket, req, centre, now);
    if (tr.ok())
      dispatch = std::move(*tr);
    else
      log::warn("auto_dispatch_failed", {{"detail", tr.error().detail}});
  }

  // The row as stored, built before the write: the single writer thread only runs statements.
  store::TicketRow prepared;
  prepared.code = code;
  prepared.county_code = county_code;
  prepared.channel = in.channel;
  prepared.category = category;
  prepared.subject = trim(in.subject);
  prepared.body = in.text;
  prepared.lat = in.lat;
  prepared.lon = in.lon;
  prepared.address = in.address;
  prepared.grid_code = decision->grid_code;
  prepared.requester_name = trim(in.name);
  prepared.requester_phone = phone;
  prepared.requester_email = email;
  prepared.requester_language = language;
  prepared.is_public = in.is_public;
  prepared.manual_dispatch = decision->manual_dispatch;
  prepared.route_zh = decision->explanation(Lang::kZh);
  prepared.route_en = decision->explanation(Lang::kEn);
  if (!anonymous) prepared.created_by = who.user_id;
  prepared.created_at = ms(now);
  sync_row(prepared, intake->ticket, ms(now));
  // Auto-dispatched at the same instant: the ticket is stored once, already in its dispatched
  // state, and the timers dispatch cancels are stored cancelled (one INSERT each rather than
  // INSERT + UPDATE: the same rows, fewer statements in the single writer).
  const store::TicketRow received = prepared;
  if (dispatch) sync_row(prepared, dispatch->after, ms(dispatch->at));

  int64_t ticket_id = 0;
  bool replayed = false;
  // What the write stored, for the answer (a new ticket; a replay reads the earlier one back).
  store::TicketRow stored;
  Written written;
  Status st = app_.db().write([&](Session& s) -> Status {
    written = Written{};
    if (!in.idempotency_key.empty()) {
      auto prior = store::idempotency::get(s, in.idempotency_key);
      if (prior.ok()) {
        if (prior->first != body_hash)
          return make_error(ErrorCode::kIdempotencyMismatch, "", "Idempotency-Key");
        ticket_id = prior->second;
        replayed = true;
        return in.in_transaction ? in.in_transaction(s, ticket_id) : Status{};
      }
      if (prior.error().code != ErrorCode::kNotFound) return prior.error();
    }
    store::TicketRow row = prepared;
    auto id = store::tickets::insert(s, row);
    if (!id.ok()) return id.error();
    row.id = ticket_id = *id;
    const store::TicketRow& rrow = received;  // its state as received, for the first event
    store::TicketEventRow e;
    e.ticket_id = row.id;
    e.at = ms(now);
    if (who.user_id) e.actor_id = who.user_id;
    e.actor_name = actor_name(who);
    e.actor_role = std::string(auth::role_info(who.role).code);
    e.action = "receive";
    e.to_status = rrow.status;
    e.unit_id = rrow.unit_id;
    e.unit_name = rrow.unit_name;
    e.note = in.channel;
    auto event_id = store::ticket_events::append(s, e);
    if (!event_id.ok()) return event_id.error();
    e.id = *event_id;
    written.events.push_back(std::move(e));
    for (const auto& t : intake->timers) {
      store::TimerRow tr = timer_row(row.id, t);
      if (dispatch && (tr.state == "pending" || tr.state == "warned") &&
          std::find(dispatch->cancel_timers.begin(), dispatch->cancel_timers.end(), t.kind) !=
              dispatch->cancel_timers.end())
        tr.state = std::string(rq::timer_state_code(rq::TimerState::kCancelled));
      auto tid = store::timers::insert(s, tr);
      if (!tid.ok()) return tid.error();
      tr.id = *tid;
      written.timers.push_back(std::move(tr));
    }
    GJ_TRY(store::audit::append(s, audit_of(who, ms(now), "request.create", std::to_string(row.id),
                                            in.channel + " " + code, rrow.division_code)));
    if (suggestion)
      GJ_TRY(store::category_suggestions::put(s, suggestion_to_row(row.id, *suggestion, ms(now))));
    if (dispatch) {
      dispatch->after.id = std::to_string(row.id);
      auth::Principal sys = system_principal();
      GJ_TRY(persist_effects(s, row, *dispatch, sys, snap->view, false, &written));
    }
    // Someone filed it for the requester (a hotline call, a grid worker, a department): tell
    // them their tracking code 查询码. Citizens filing themselves read it on their screen and
    // get a copy only by e-mail, where they asked for updates.
    GJ_TRY(enqueue_receipt(s, row, ms(now), in.channel == kChannelCitizen));
    if (!in.idempotency_key.empty())
      GJ_TRY(store::idempotency::put(s, in.idempotency_key, body_hash, row.id, ms(now)));
    if (in.in_transaction) GJ_TRY(in.in_transaction(s, row.id));
    stored = std::move(row);
    return {};
  });
  if (!st.ok() && !in.idempotency_key.empty() &&
      st.error().code != ErrorCode::kIdempotencyMismatch) {
    // Another node may have stored the same key between our check and our insert (the key's
    // primary key refused ours): answer as that one.
    auto prior = app_.db().read_value<std::pair<std::string, int64_t>>(
        [&](Session& s) { return store::idempotency::get(s, in.idempotency_key); });
    if (prior.ok()) {
      if (prior->first != body_hash)
        return make_error(ErrorCode::kIdempotencyMismatch, "", "Idempotency-Key");
      ticket_id = prior->second;
      replayed = true;
      // Our write rolled back: the hook's rows need a write of their own (this race only).
      st = in.in_transaction
               ? app_.db().write([&](Session& s) { return in.in_transaction(s, ticket_id); })
               : Status{};
    }
  }
  if (!st.ok()) return st.error();
  IntakeResult out;
  out.replayed = replayed;
  if (!replayed && duplicates) {
    // A new ticket: answered from the rows its transaction stored (the same values a read-back
    // would return: tests/unit/requests_service_test.cpp compares the two).
    auto t = ticket_from(stored);
    if (!t.ok()) return t.error();
    out.detail.view.row = std::move(stored);
    out.detail.view.ticket = *t;
    out.detail.view.category_name_zh = cat->second.name_zh;
    out.detail.view.category_name_en = cat->second.name_en;
    out.detail.events = std::move(written.events);
    out.detail.assignments = std::move(written.assignments);
    out.detail.timers = std::move(written.timers);
    if (!anonymous) {
      out.detail.available = rq::Lifecycle::available_actions(*t, actor_of(who));
      if (suggestion)
        out.detail.category_suggestion =
            named(suggestion_to_row(ticket_id, *suggestion, ms(now)), cfg.categories);
    }
    out.duplicates = std::move(*duplicates);
    mask_row(out.detail.view.row);
    return out;
  }
  // A replay (or no duplicate search before the write): read the ticket back without the scope
  // filter; the submitter sees what they submitted.
  Status rd = app_.db().read([&](Session& s) -> Status {
    auto row = store::tickets::get(s, ticket_id);
    if (!row.ok()) return row.error();
    auto t = ticket_from(*row);
    if (!t.ok()) return t.error();
    out.detail.view.row = *row;
    out.detail.view.ticket = *t;
    out.detail.view.category_name_zh = cat->second.name_zh;
    out.detail.view.category_name_en = cat->second.name_en;
    auto ev = store::ticket_events::list(s, ticket_id);
    if (!ev.ok()) return ev.error();
    out.detail.events = std::move(*ev);
    auto as = store::assignments::list(s, ticket_id);
    if (!as.ok()) return as.error();
    out.detail.assignments = std::move(*as);
    auto tm = store::timers::for_ticket(s, ticket_id);
    if (!tm.ok()) return tm.error();
    out.detail.timers = std::move(*tm);
    if (!anonymous) out.detail.available = rq::Lifecycle::available_actions(*t, actor_of(who));
    // Duplicate suggestions 重复诉求 among recent open tickets nearby (same snapshot).
    auto dups = find_duplicates(s, *row, cfg, anonymous);
    if (!dups.ok()) return dups.error();
    out.duplicates = std::move(*dups);
    if (!anonymous) {
      auto sg = store::category_suggestions::get(s, ticket_id);
      if (!sg.ok()) return sg.error();
      if (*sg) out.detail.category_suggestion = named(**sg, cfg.categories);
    }
    return {};
  });
  if (!rd.ok()) return rd.error();
  mask_row(out.detail.view.row);
  return out;
}

// Runs inside a read: takes the configuration as an argument (loading it here would need a
// second reader connection while holding the first).
Result<std::vector<DuplicateView>> RequestsService::find_duplicates(Session& s,
                                                                    const store::TicketRow& row,
                                                                    const Config& cfg,
                                                                    bool published_only) {
  rq::DuplicateFinder finder;
  const auto& opt = finder.options();
  TimePoint now = app_.clock().now();
  auto summary = [&](const store::TicketRow& r) {
    rq::RequestSummary x;
    x.id = std::to_string(r.id);
    x.category = cfg.path(r.category);
    x.text = r.subject + " " + r.body;
    if (r.lat && r.lon) x.location = rq::GeoPoint{*r.lat, *r.lon};
    x.grid_code = r.grid_code;
    x.received_at = tp(r.created_at);
    auto st = rq::parse_status(r.status);
    x.status = st.ok() ? *st : rq::RequestStatus::kReceived;
    return x;
  };
  rq::RequestSummary probe = summary(row);
  rq::GeoBox box{1, 1, -1, -1};  // empty: no point, only the same grid can match
  if (probe.location) box = rq::bounding_box(*probe.location, opt.radius_for(probe.category));
  int64_t since =
      ms(now) - std::chrono::duration_cast<std::chrono::milliseconds>(opt.window).count();
  auto rows =
      store::tickets::nearby_summaries(s, row.county_code, row.id, since, box.min_lat, box.max_lat,
                                       box.min_lon, box.max_lon, row.grid_code, published_only);
  if (!rows.ok()) return rows.error();
  std::vector<rq::RequestSummary> cands;
  for (const auto& r : *rows) cands.push_back(summary(r));
  std::vector<DuplicateView> out;
  for (auto& c : finder.find(probe, cands, now)) {
    DuplicateView v;
    auto full = store::tickets::get(s, std::stoll(c.id));  // same snapshot: it exists
    if (!full.ok()) return full.error();
    v.ticket = std::move(*full);
    mask_row(v.ticket);
    v.candidate = std::move(c);
    out.push_back(std::move(v));
  }
  return out;
}

// ---------------------------------------------------------------- reads

namespace {
// Is the ticket visible to the principal? Held by a unit in their scope or ever assigned into
// it; a department sees what is or was sent to it, and what it was summoned to (吹哨报到) —
// otherwise a summoned department could never report in.
Result<bool> visible(Session& s, const auth::Principal& p, const store::TicketRow& row) {
  if (p.role == auth::Role::kCitizen) return false;
  if (p.role == auth::Role::kDepartment) {
    if (!p.unit_id) return false;
    std::string uid = std::to_string(*p.unit_id);
    if (row.unit_id == uid) return true;
    auto assigned = store::tickets::assigned_to_unit(s, row.id, uid);
    if (!assigned.ok() || *assigned) return assigned;
    auto t = ticket_from(row);
    if (t.ok() && t->whistle)
      for (const auto& d : t->whistle->departments)
        if (d.id == uid) return true;
    return false;
  }
  std::string scope = scope_of(s, p);
  if (org::in_scope(row.division_code, scope)) return true;
  return store::tickets::assigned_into_scope(s, row.id, scope);
}
}  // namespace

namespace {
// The ticket `id` as the principal may see it (locked for this transaction when `lock`), or
// kNotFound; `denied` is set when it exists outside their scope, for the caller to audit.
Result<store::TicketRow> visible_ticket(Session& s, store::Backend backend,
                                        const auth::Principal& p, int64_t id, bool lock,
                                        bool& denied) {
  auto row = lock ? store::tickets::get_for_update(s, backend, id) : store::tickets::get(s, id);
  if (!row.ok()) return make_error(ErrorCode::kNotFound);
  auto vis = visible(s, p, *row);
  if (!vis.ok()) return vis.error();
  if (!*vis) {
    denied = true;
    return make_error(ErrorCode::kNotFound);
  }
  return row;
}
}  // namespace

Result<store::Page<TicketView>> RequestsService::list(const auth::Principal& p,
                                                      const ListQuery& q) {
  auto cfg_r = config();
  if (!cfg_r.ok()) return cfg_r.error();
  const Config& cfg = **cfg_r;
  if (p.role == auth::Role::kCitizen) return make_error(ErrorCode::kForbidden);
  if (!q.status.empty() && !rq::parse_status(q.status).ok())
    return make_error(ErrorCode::kInvalidInput, "unknown status", "status");
  return app_.db().read_value<store::Page<TicketView>>(
      [&](Session& s) -> Result<store::Page<TicketView>> {
        store::TicketFilter f;
        if (p.role == auth::Role::kDepartment)
          f.unit_id = p.unit_id ? std::to_string(*p.unit_id) : std::string("-");
        else
          f.scope_code = scope_of(s, p);
        f.status = q.status;
        f.callback_due = q.callback_due;
        if (q.mine) f.holder = f.unit_id.empty() ? p.scope_code : f.unit_id;
        if (q.mine && f.holder.empty()) f.holder = "-";
        f.deadline_order = q.deadline_order;
        f.page = std::max(1, q.page);
        f.page_size = std::clamp(q.page_size, 1, 200);
        auto page = store::tickets::list(s, f);
        if (!page.ok()) return page.error();
        store::Page<TicketView> out;
        out.total = page->total;
        for (auto& r : page->items) {
          auto t = ticket_from(r);
          if (!t.ok()) return t.error();
          TicketView v;
          v.ticket = std::move(*t);
          mask_row(r);
          v.row = std::move(r);
          auto c = cfg.categories.find(v.row.category);
          if (c != cfg.categories.end()) {
            v.category_name_zh = c->second.name_zh;
            v.category_name_en = c->second.name_en;
          }
          out.items.push_back(std::move(v));
        }
        return out;
      });
}

Result<TicketDetail> RequestsService::get(const auth::Principal& p, int64_t id) {
  auto cfg_r = config();
  if (!cfg_r.ok()) return cfg_r.error();
  const Config& cfg = **cfg_r;
  bool denied = false;
  auto r = app_.db().read_value<TicketDetail>([&](Session& s) -> Result<TicketDetail> {
    auto row = visible_ticket(s, app_.db().backend(), p, id, false, denied);
    if (!row.ok()) return row.error();
    TicketDetail d;
    auto t = ticket_from(*row);
    if (!t.ok()) return t.error();
    d.view.ticket = std::move(*t);
    d.view.row = std::move(*row);
    mask_row(d.view.row);
    auto c = cfg.categories.find(d.view.row.category);
    if (c != cfg.categories.end()) {
      d.view.category_name_zh = c->second.name_zh;
      d.view.category_name_en = c->second.name_en;
    }
    auto ev = store::ticket_events::list(s, id);
    if (!ev.ok()) return ev.error();
    d.events = std::move(*ev);
    auto as = store::assignments::list(s, id);
    if (!as.ok()) return as.error();
    d.assignments = std::move(*as);
    auto tm = store::timers::for_ticket(s, id);
    if (!tm.ok()) return tm.error();
    d.timers = std::move(*tm);
    d.available = rq::Lifecycle::available_actions(d.view.ticket, actor_of(p));
    if (p.role != auth::Role::kCitizen) {
      auto sg = store::category_suggestions::get(s, id);
      if (!sg.ok()) return sg.error();
      if (*sg) d.category_suggestion = named(**sg, cfg.categories);
    }
    return d;
  });
  if (denied) app_.audit_denied(p, "request", std::to_string(id));
  return r;
}

Result<std::vector<DuplicateView>> RequestsService::duplicates(const auth::Principal& p,
                                                               int64_t id) {
  auto cfg_r = config();
  if (!cfg_r.ok()) return cfg_r.error();
  const Config& cfg = **cfg_r;
  bool denied = false;
  auto r = app_.db().read_value<std::vector<DuplicateView>>(
      [&](Session& s) -> Result<std::vector<DuplicateView>> {
        auto row = visible_ticket(s, app_.db().backend(), p, id, false, denied);
        if (!row.ok()) return row.error();
        return find_duplicates(s, *row, cfg);
      });
  if (denied) app_.audit_denied(p, "request", std::to_string(id));
  return r;
}

Result<std::vector<RequestsService::ServedCounty>> RequestsService::served_counties() {
  std::vector<ServedCounty> out;
  GJ_TRY(app_.db().read([&](Session& s) -> Status {
    auto codes = store::jurisdictions::counties_with_grids(s);
    if (!codes.ok()) return codes.error();
    for (const auto& code : *codes) {
      auto d = store::divisions::get(s, code);
      if (!d.ok()) continue;
      out.push_back({code, d->division.name, std::nullopt});
    }
    return {};
  }));
  // The routing snapshot holds each county's grids (cached, rebuilt when they change).
  for (auto& c : out) {
    auto snap = county(c.code);
    if (snap.ok() && (*snap)->router) c.centre = (*snap)->router->grids().centre();
  }
  return out;
}

Result<std::vector<RequestsService::MapGrid>> RequestsService::county_grids(
    const std::string& county_code) {
  if (county_code.size() != 12 || !all_digits(county_code)) return make_error(ErrorCode::kNotFound);
  auto snap = county(county_code);  // cached; rebuilt when the county's grids change
  if (!snap.ok()) {
    auto c = snap.error().code;
    if (c == ErrorCode::kInvalidCode || c == ErrorCode::kNotFound)
      return make_error(ErrorCode::kNotFound);
    return snap.error();
  }
  if (!(*snap)->router || (*snap)->router->grids().size() == 0)
    return make_error(ErrorCode::kNotFound);
  std::vector<MapGrid> out;
  for (const auto& g : (*snap)->router->grids().shapes()) {
    MapGrid m{g.code, g.name, "", g.parts};
    if (auto v = (*snap)->view.division(g.village_code)) m.village_name = v->name;
    out.push_back(std::move(m));
  }
  return out;
}

Result<RequesterContact> RequestsService::read_requester(const auth::Principal& p, int64_t id) {
  bool denied = false;
  int64_t now = app_.clock().now_ms();
  auto r = app_.db().write_value<RequesterContact>([&](Session& s) -> Result<RequesterContact> {
    auto row = visible_ticket(s, app_.db().backend(), p, id, false, denied);
    if (!row.ok()) return row.error();
    auto t = ticket_from(*row);
    if (!t.ok()) return t.error();
    bool holder = t->holder() && rq::acts_for(actor_of(p), *t->holder());
    if (!holder && !auth::has_permission(p.role, auth::Permission::kReadPersonalData))
      return make_error(ErrorCode::kForbidden);
    GJ_TRY(store::audit::append(s, audit_of(p, now, "pii.read", std::to_string(id),
                                            "requester contact", row->division_code)));
    return RequesterContact{row->requester_name, row->requester_phone, row->requester_email,
                            row->requester_language};
  });
  if (denied) app_.audit_denied(p, "request", std::to_string(id));
  return r;
}

Result<std::vector<store::CategoryRow>> RequestsService::categories() {
  auto cfg_r = config();
  if (!cfg_r.ok()) return cfg_r.error();
  std::vector<store::CategoryRow> out;
  for (const auto& [code, row] : (*cfg_r)->categories) out.push_back(row);
  return out;
}

Result<std::vector<rq::HotIssue>> RequestsService::hot(const auth::Principal& p, int days) {
  if (p.role == auth::Role::kCitizen) return make_error(ErrorCode::kForbidden);
  auto cfg_r = config();
  if (!cfg_r.ok()) return cfg_r.error();
  const Config& cfg = **cfg_r;
  days = std::clamp(days, 1, 366);
  TimePoint now = app_.clock().now();
  TimePoint cur = now - std::chrono::days(days), prev = cur - std::chrono::days(days);
  return app_.db().read_value<std::vector<rq::HotIssue>>(
      [&](Session& s) -> Result<std::vector<rq::HotIssue>> {
        std::string scope = scope_of(s, p);
        auto rows = store::tickets::recent_in_scope(s, scope, ms(prev));
        if (!rows.ok()) return rows.error();
        std::vector<rq::RequestSummary> xs;
        for (const auto& r : *rows) {
          rq::RequestSummary x;
          x.id = std::to_string(r.id);
          x.category = cfg.path(r.category);
          x.text = r.subject + " " + r.body;
          if (r.lat && r.lon) x.location = rq::GeoPoint{*r.lat, *r.lon};
          x.grid_code = r.grid_code;
          x.received_at = tp(r.created_at);
          auto st = rq::parse_status(r.status);
          if (st.ok()) x.status = *st;
          xs.push_back(std::move(x));
        }
        return rq::cluster_hot_issues(xs, prev, cur, now + std::chrono::milliseconds(1));
      });
}

// ---------------------------------------------------------------- actions 流转

Result<TicketDetail> RequestsService::act(const auth::Principal& p, int64_t id,
                                          const ActionInput& in) {
  auto cfg_r = config();
  if (!cfg_r.ok()) return cfg_r.error();
  const Config& cfg = **cfg_r;
  auto action = rq::parse_action(in.action);
  if (!action.ok()) return make_error(ErrorCode::kNotFound, "unknown action", "action");
  if (*action == rq::Action::kEscalate && p.role == auth::Role::kCitizen)
    return make_error(ErrorCode::kForbidden);
  if (in.idempotency_key.size() > 128)
    return make_error(ErrorCode::kTooLong, "128", "Idempotency-Key");
  // The key is stored per user (another user's key never matches) next to the intake keys;
  // the hash covers the ticket, the action and every field of the body.
  std::string key, body_hash;
  if (!in.idempotency_key.empty()) {
    key = "action:" + std::to_string(p.user_id) + ":" + in.idempotency_key;
    json canonical = {{"ticket", id},
                      {"action", in.action},
                      {"note", in.note},
                      {"target", in.target_unit_id},
                      {"departments", in.department_ids},
                      {"lead", in.lead_unit_id},
                      {"merged_into", in.merged_into},
                      {"rating", in.rating},
                      {"resolved", in.resolved ? json(*in.resolved) : json()},
                      {"contacted", in.contacted},
                      {"due", in.supervise_due ? json(*in.supervise_due) : json()}};
    body_hash = auth::sha256_hex(canonical.dump());
  }
  // A stored key: the same body answers the ticket as it is now, another body is 409.
  auto replay = [&](const std::pair<std::string, int64_t>& prior) -> Status {
    if (prior.first != body_hash || prior.second != id)
      return make_error(ErrorCode::kIdempotencyMismatch, "", "Idempotency-Key");
    return {};
  };
  bool denied = false;
  TimePoint now = app_.clock().now();
  Status st = app_.db().write([&](Session& s) -> Status {
    auto row = visible_ticket(s, app_.db().backend(), p, id, true, denied);
    if (!row.ok()) return row.error();
    if (!key.empty()) {
      auto prior = store::idempotency::get(s, key);
      if (prior.ok()) return replay(*prior);
      if (prior.error().code != ErrorCode::kNotFound) return prior.error();
    }
    auto snap = county(row->county_code, &s);
    if (!snap.ok()) return snap.error();
    const auto& view = (*snap)->view;
    auto ticket = ticket_from(*row);
    if (!ticket.ok()) return ticket.error();
    // Unit ids: a division code names that division's chain unit, a number a department.
    auto resolve = [&](const std::string& uid, const char* field) -> Result<rq::UnitRef> {
      if (all_digits(uid) && uid.size() <= 9) {
        if (const auto* d = view.department(uid)) return *d;
        return make_error(ErrorCode::kNotFound, "unknown unit", field);
      }
      auto u = rq::CommandChain(view).chain_unit(uid);
      if (!u.ok()) return make_error(ErrorCode::kNotFound, "unknown unit", field);
      return *u;
    };
    rq::ActionRequest req;
    req.action = *action;
    req.note = in.note;
    req.contacted = in.contacted;
    req.supervise_due =
        in.supervise_due ? std::optional<TimePoint>(tp(*in.supervise_due)) : std::nullopt;
    req.resolved = in.resolved;
    if (!in.rating.empty()) {
      auto r = rq::parse_rating(in.rating);
      if (!r.ok()) return r.error();
      req.rating = *r;
    }
    if (!in.target_unit_id.empty()) {
      auto u = resolve(in.target_unit_id, "target_unit_id");
      if (!u.ok()) return u.error();
      req.target = *u;
    } else if (*action == rq::Action::kEscalate && ticket->holder()) {
      auto up = rq::CommandChain(view).parent(*ticket->holder());
      if (up.ok()) req.target = *up;
    }
    for (const auto& d : in.department_ids) {
      auto u = resolve(d, "department_ids");
      if (!u.ok()) return u.error();
      req.departments.push_back(*u);
    }
    req.lead_unit_id = in.lead_unit_id;
    std::optional<store::TicketRow> survivor;  // 合并: the ticket this one is merged into
    if (!in.merged_into.empty()) {
      int64_t other = 0;
      if (!all_digits(in.merged_into) || in.merged_into.size() > 18 ||
          (other = std::stoll(in.merged_into)) == id)
        return make_error(ErrorCode::kInvalidInput, "", "merged_into");
      auto found = store::tickets::get_for_update(s, app_.db().backend(), other);
      if (!found.ok()) return make_error(ErrorCode::kNotFound, "", "merged_into");
      auto v2 = visible(s, p, *found);
      if (!v2.ok()) return v2.error();
      if (!*v2) return make_error(ErrorCode::kNotFound, "", "merged_into");
      GJ_TRY(can_absorb(*found));
      req.merged_into = in.merged_into;
      survivor = std::move(*found);
    }
    auto tr = cfg.lifecycle->apply(*ticket, req, actor_of(p), now);
    if (!tr.ok()) return tr.error();
    GJ_TRY(persist(s, *row, *tr, p, view));
    if (survivor && tr->action == rq::Action::kMerge) GJ_TRY(absorb(s, *survivor, *row, *tr, p));
    if (!key.empty()) GJ_TRY(store::idempotency::put(s, key, body_hash, id, ms(now)));
    return {};
  });
  if (denied) app_.audit_denied(p, "request", std::to_string(id));
  if (!st.ok() && !key.empty() && st.error().code != ErrorCode::kIdempotencyMismatch &&
      st.error().code != ErrorCode::kNotFound) {
    // Two sends of the same key raced (a retry while the first answer was lost): the other one
    // stored the key first and this transition was refused or rolled back; answer as that one.
    auto prior = app_.db().read_value<std::pair<std::string, int64_t>>(
        [&](Session& s) { return store::idempotency::get(s, key); });
    if (prior.ok()) st = replay(*prior);
  }
  if (!st.ok()) return st.error();
  return get(p, id);
}

// ---------------------------------------------------------------- category override 改分类

Result<TicketDetail> RequestsService::change_category(const auth::Principal& p, int64_t id,
                                                      const std::string& category,
                                                      const std::string& note) {
  auto cfg_r = config();
  if (!cfg_r.ok()) return cfg_r.error();
  const Config& cfg = **cfg_r;
  if (p.user_id == 0 || p.role == auth::Role::kCitizen) return make_error(ErrorCode::kForbidden);
  if (!is_valid_utf8(note)) return make_error(ErrorCode::kInvalidUtf8, "", "note");
  if (utf8_length(note) > kMaxText) return make_error(ErrorCode::kTooLong, "", "note");
  if (cfg.categories.find(category) == cfg.categories.end())
    return make_error(ErrorCode::kInvalidInput, "unknown category", "category");
  bool denied = false;
  TimePoint now = app_.clock().now();
  Status st = app_.db().write([&](Session& s) -> Status {
    auto row = visible_ticket(s, app_.db().backend(), p, id, true, denied);
    if (!row.ok()) return row.error();
    auto ticket = ticket_from(*row);
    if (!ticket.ok()) return ticket.error();
    // "Holding" the ticket: the lifecycle offers the caller an action on it now.
    if (rq::Lifecycle::available_actions(*ticket, actor_of(p)).empty())
      return make_error(ErrorCode::kForbidden, "only staff holding the ticket may change it",
                        "category");
    std::string before = row->category;
    if (before == category) return Status{};
    ticket->category = category;
    row->category = category;
    sync_row(*row, *ticket, ms(now));
    GJ_TRY(store::tickets::update(s, *row));
    GJ_TRY(store::ticket_category::set(s, row->id, category));
    store::TicketEventRow e;
    e.ticket_id = row->id;
    e.at = ms(now);
    e.actor_id = p.user_id;
    e.actor_name = actor_name(p);
    e.actor_role = std::string(auth::role_info(p.role).code);
    e.action = "recategorize";
    e.from_status = e.to_status = row->status;
    e.unit_id = row->unit_id;
    e.unit_name = row->unit_name;
    e.note = before + " -> " + category + (note.empty() ? "" : ": " + note);
    GJ_TRY(store::ticket_events::append(s, e));
    return store::audit::append(
        s, audit_of(p, ms(now), "request.recategorize", std::to_string(row->id),
                    before + " -> " + category, row->division_code));
  });
  if (denied) app_.audit_denied(p, "request", std::to_string(id));
  if (!st.ok()) return st.error();
  return get(p, id);
}

// ---------------------------------------------------------------- citizen tracking 查询

const store::TicketEventRow* latest_reply(const std::vector<store::TicketEventRow>& events) {
  for (auto e = events.rbegin(); e != events.rend(); ++e)
    if (e->action == "reply") return &*e;
  return nullptr;
}

Result<TrackView> RequestsService::track(const std::string& code) {
  auto cfg_r = config();
  if (!cfg_r.ok()) return cfg_r.error();
  const Config& cfg = **cfg_r;
  if (code.empty() || code.size() > 32 || !is_valid_utf8(code))
    return make_error(ErrorCode::kNotFound);
  return app_.db().read_value<TrackView>([&](Session& s) -> Result<TrackView> {
    auto row = store::tickets::by_code(s, code);
    if (!row.ok()) return make_error(ErrorCode::kNotFound);
    auto pv = public_view(std::move(*row), cfg.categories);
    if (!pv.ok()) return pv.error();
    TrackView& v = *pv;
    auto ev = store::ticket_events::list(s, v.row.id);
    if (!ev.ok()) return ev.error();
    v.events = std::move(*ev);
    // Merged: the requester follows the case theirs joined (a merge chain is at most a few
    // steps; the bound only guards against a cycle in damaged data).
    std::string next = v.row.merged_into;
    for (int hop = 0; !next.empty() && all_digits(next) && next.size() <= 18 && hop < 8; ++hop) {
      auto other = store::tickets::get(s, std::stoll(next));
      if (!other.ok()) break;
      TrackView::Joined j;
      j.row = std::move(*other);
      drop_personal(j.row);
      next = j.row.merged_into;
      v.joined = std::move(j);
    }
    if (v.joined) {
      auto jev = store::ticket_events::list(s, v.joined->row.id);
      if (!jev.ok()) return jev.error();
      v.joined->events = std::move(*jev);
    }
    return pv;
  });
}

Result<store::Page<TrackView>> RequestsService::list_public(const std::string& county_code,
                                                            const std::string& status, int page,
                                                            int page_size) {
  auto cfg_r = config();
  if (!cfg_r.ok()) return cfg_r.error();
  const Config& cfg = **cfg_r;
  if (!status.empty() && !rq::parse_status(status).ok())
    return make_error(ErrorCode::kInvalidInput, "unknown status", "status");
  page = std::max(1, page);
  page_size = std::clamp(page_size, 1, 200);
  return app_.db().read_value<store::Page<TrackView>>(
      [&](Session& s) -> Result<store::Page<TrackView>> {
        auto rows = store::tickets::list_public(s, county_code, status, page, page_size);
        if (!rows.ok()) return rows.error();
        store::Page<TrackView> out;
        out.total = rows->total;
        for (auto& r : rows->items) {
          auto v = public_view(std::move(r), cfg.categories);
          if (!v.ok()) return v.error();
          out.items.push_back(std::move(*v));
        }
        return out;
      });
}

Result<std::vector<TrackView>> RequestsService::search_public(const PublicQuery& q) {
  auto cfg_r = config();
  if (!cfg_r.ok()) return cfg_r.error();
  const Config& cfg = **cfg_r;
  std::vector<TrackView> out;
  if (q.ids.empty() && !q.open && !q.closed) return out;
  store::tickets::PublicSearch search;
  search.county = q.county_code;
  search.ids = q.ids;
  std::sort(search.ids.begin(), search.ids.end());
  search.ids.erase(std::unique(search.ids.begin(), search.ids.end()), search.ids.end());
  search.categories = q.categories;
  search.from = q.from_ms;
  search.to = q.to_ms;
  search.limit = std::max(1, q.limit);
  if (q.open != q.closed) {
    // Open311 "closed" = our closed statuses; "open" = every other one (unknown ones too).
    for (auto st : rq::all_statuses())
      if (!rq::is_open(st)) search.statuses.push_back(std::string(rq::status_code(st)));
    search.exclude_statuses = q.open;
  }
  auto rows = app_.db().read_value<std::vector<store::TicketRow>>(
      [&](Session& s) { return store::tickets::search_public(s, search); });
  if (!rows.ok()) return rows.error();
  std::map<int64_t, const store::TicketRow*> by_id;
  for (const auto& r : *rows) by_id[r.id] = &r;
  auto view = [&](const store::TicketRow& r) { return public_view(r, cfg.categories); };
  if (q.ids.empty()) {
    for (const auto& r : *rows) {
      auto v = view(r);
      if (!v.ok()) return v.error();
      out.push_back(std::move(*v));
    }
    return out;
  }
  for (int64_t id : q.ids) {
    if (static_cast<int>(out.size()) >= search.limit) break;
    auto it = by_id.find(id);
    if (it == by_id.end()) continue;
    auto v = view(*it->second);
    if (!v.ok()) return v.error();
    out.push_back(std::move(*v));
  }
  return out;
}

Result<TrackView> RequestsService::get_public(int64_t id) {
  auto code = app_.db().read_value<std::string>([&](Session& s) -> Result<std::string> {
    auto row = store::tickets::get(s, id);
    if (!row.ok() || !row->is_public) return make_error(ErrorCode::kNotFound);
    return row->code;
  });
  if (!code.ok()) return code.error();
  return track(*code);
}

struct RequestsService::CitizenStep {
  Session& s;
  const Config& cfg;
  store::TicketRow& row;
  rq::Ticket ticket;
  const CountySnapshot& snap;
  rq::Actor citizen;  // role citizen, user "track:<code>"
  TimePoint now;
};

Result<TrackView> RequestsService::by_citizen(const std::string& code,
                                              const std::string& phone_last4,
                                              const std::function<Status()>& check,
                                              const std::function<Status(CitizenStep&)>& apply) {
  auto cfg_r = config();
  if (!cfg_r.ok()) return cfg_r.error();
  if (code.empty() || code.size() > 32 || !is_valid_utf8(code))
    return make_error(ErrorCode::kNotFound);
  if (phone_last4.size() != 4 || !all_digits(phone_last4))
    return make_error(ErrorCode::kInvalidInput, "the last 4 digits of the phone", "phone_last4");
  GJ_TRY(check());
  TimePoint now = app_.clock().now();
  Status st = app_.db().write([&](Session& s) -> Status {
    auto row = store::tickets::by_code_for_update(s, app_.db().backend(), code);
    if (!row.ok()) return make_error(ErrorCode::kNotFound);
    const std::string& phone = row->requester_phone;
    if (phone.size() < 4 || phone.substr(phone.size() - 4) != phone_last4)
      return make_error(ErrorCode::kForbidden, "phone digits do not match", "phone_last4");
    auto snap = county(row->county_code, &s);
    if (!snap.ok()) return snap.error();
    auto ticket = ticket_from(*row);
    if (!ticket.ok()) return ticket.error();
    CitizenStep step{s, **cfg_r, *row, *ticket, **snap, {}, now};
    step.citizen.role = rq::Role::kCitizen;
    step.citizen.user_id = "track:" + code;
    return apply(step);
  });
  if (!st.ok()) return st.error();
  return track(code);
}

Result<TrackView> RequestsService::rate_by_citizen(const std::string& code,
                                                   const std::string& phone_last4,
                                                   const std::string& rating,
                                                   std::optional<bool> resolved,
                                                   const std::string& note) {
  auto r = rq::parse_rating(rating);
  auto check = [&]() -> Status { return r.ok() ? Status{} : Status(r.error()); };
  return by_citizen(code, phone_last4, check, [&](CitizenStep& c) -> Status {
    rq::ActionRequest req;
    req.action = rq::Action::kRate;
    req.rating = *r;
    req.resolved = resolved;
    req.note = note;
    auto tr = c.cfg.lifecycle->apply(c.ticket, req, c.citizen, c.now);
    if (!tr.ok()) return tr.error();
    auth::Principal who;
    who.role = auth::Role::kCitizen;
    return persist(c.s, c.row, *tr, who, c.snap.view);
  });
}

// Citizen-initiated 重办 (docs/requests.md): after completion an unsatisfied requester asks
// again. From completed/callback their unsatisfied, not-resolved rating is recorded first; from
// rated the rating must already be unsatisfied or not resolved. The reopen itself is the
// lifecycle's command-centre rule applied on the citizen's word (recorded as a citizen event).
Result<TrackView> RequestsService::reopen_by_citizen(const std::string& code,
                                                     const std::string& phone_last4,
                                                     const std::string& reason,
                                                     const std::string& ip,
                                                     const std::string& request_id) {
  return by_citizen(
      code, phone_last4, [] { return Status{}; },
      [&](CitizenStep& c) -> Status {
        auth::Principal who = citizen_principal(ip, request_id);
        rq::Ticket current = c.ticket;
        if (current.status == rq::RequestStatus::kCompleted ||
            current.status == rq::RequestStatus::kCallback) {
          rq::ActionRequest rate;
          rate.action = rq::Action::kRate;
          rate.rating = rq::Rating::kUnsatisfied;
          rate.resolved = false;
          rate.note = reason;
          auto tr = c.cfg.lifecycle->apply(current, rate, c.citizen, c.now);
          if (!tr.ok()) return tr.error();
          GJ_TRY(persist(c.s, c.row, *tr, who, c.snap.view));
          current = tr->after;
        }
        if (current.status != rq::RequestStatus::kRated)
          return make_error(ErrorCode::kIllegalTransition,
                            "a request is reopened only after it was completed");
        rq::ActionRequest req;
        req.action = rq::Action::kReopen;
        req.note = reason;
        rq::Actor on_behalf;
        on_behalf.role = rq::Role::kCommand;
        on_behalf.user_id = c.citizen.user_id;
        auto tr = c.cfg.lifecycle->apply(current, req, on_behalf, c.now);
        if (!tr.ok()) return tr.error();
        tr->actor = c.citizen;
        return persist(c.s, c.row, *tr, who, c.snap.view);
      });
}

Result<TrackView> RequestsService::same_as_by_citizen(const std::string& code,
                                                      const std::string& phone_last4,
                                                      int64_t other_id, const std::string& ip,
                                                      const std::string& request_id) {
  return by_citizen(
      code, phone_last4, [] { return Status{}; },
      [&](CitizenStep& c) -> Status {
        auto other = store::tickets::get(c.s, other_id);
        // Only what an anonymous submitter could have been shown: a published request nearby.
        if (!other.ok() || other->id == c.row.id || !other->is_public ||
            other->county_code != c.row.county_code)
          return make_error(ErrorCode::kInvalidInput, "not a published request of this county",
                            "ticket_id");
        store::TicketEventRow e;
        e.ticket_id = c.row.id;
        e.at = ms(c.now);
        e.actor_name = "citizen";
        e.actor_role = "citizen";
        e.action = "citizen_same_as";
        e.from_status = e.to_status = c.row.status;
        e.unit_id = c.row.unit_id;
        e.unit_name = c.row.unit_name;
        e.note = "#" + std::to_string(other->id) + " " + other->code + " " + other->subject;
        GJ_TRY(store::ticket_events::append(c.s, e));
        auth::Principal who = citizen_principal(ip, request_id);
        return store::audit::append(
            c.s, audit_of(who, ms(c.now), "request.citizen_same_as", std::to_string(c.row.id),
                          "same as " + std::to_string(other->id), c.row.division_code));
      });
}

Result<TrackView> RequestsService::updates_by_citizen(const std::string& code,
                                                      const std::string& phone_last4, bool enabled,
                                                      const std::string& ip,
                                                      const std::string& request_id) {
  return by_citizen(
      code, phone_last4, [] { return Status{}; },
      [&](CitizenStep& c) -> Status {
        if (c.row.requester_updates_off == !enabled) return {};  // already so: nothing to record
        GJ_TRY(store::tickets::set_updates_off(c.s, c.row.id, !enabled));
        auth::Principal who = citizen_principal(ip, request_id);
        return store::audit::append(
            c.s, audit_of(who, ms(c.now), "request.citizen_updates", std::to_string(c.row.id),
                          enabled ? "updates on" : "updates off", c.row.division_code));
      });
}

// ---------------------------------------------------------------- metrics 考核指标

Result<MetricsView> RequestsService::metrics(const auth::Principal& p, const std::string& area,
                                             const std::string& from, const std::string& to) {
  if (p.role == auth::Role::kCitizen) return make_error(ErrorCode::kForbidden);
  std::string this_month = rq::period_key(app_.clock().now(), rq::Granularity::kMonth);
  auto f = month_period(from, this_month, "from");
  if (!f.ok()) return f.error();
  auto t = month_period(to, *f > this_month ? *f : this_month, "to");
  if (!t.ok()) return t.error();
  if (*t < *f) return make_error(ErrorCode::kInvalidInput, "to is before from", "to");
  bool denied = false;
  auto r = app_.db().read_value<MetricsView>([&](Session& s) -> Result<MetricsView> {
    std::string scope = scope_of(s, p);
    std::string code = area.empty() ? scope : area;
    if (!org::validate_code(code).ok() || !org::in_scope(code, scope)) {
      denied = !area.empty();
      return make_error(ErrorCode::kNotFound, "", "area");
    }
    auto div = store::divisions::get(s, code);
    if (!div.ok()) return make_error(ErrorCode::kNotFound, "", "area");
    MetricsView v;
    v.area_code = code;
    v.area_name = div->division.name;
    v.from = *f;
    v.to = *t;
    auto defs = rq::default_metrics();
    auto sum = store::counters::sum(s, "area", code, *f, *t);
    if (!sum.ok()) return sum.error();
    for (const auto& [part, n] : *sum) v.counters[part] = n;
    for (const auto& d : defs)
      v.area.push_back({d.code, d.name_zh, d.name_en, rq::compute(d, v.counters)});
    // Units whose id (a division code for the chain's units) lies inside the area.
    auto rows = store::counters::sum_by_ref(s, "unit", code, *f, *t);
    if (!rows.ok()) return rows.error();
    std::map<std::string, rq::Counters> by_unit;
    for (const auto& x : *rows) by_unit[x.ref_id][x.part] += x.value;
    // Departments are named by their units.id, outside the code range: one read each.
    std::map<std::string, std::string> dept_names;
    auto depts = store::request_config::units_in(s, code);
    if (!depts.ok()) return depts.error();
    for (const auto& u : *depts) {
      std::string uid = std::to_string(u.id);
      auto parts = store::counters::sum(s, "unit", uid, *f, *t);
      if (!parts.ok()) return parts.error();
      if (parts->empty()) continue;
      dept_names[uid] = u.name;
      for (const auto& [part, n] : *parts) by_unit[uid][part] += n;
    }
    std::vector<std::pair<std::string, rq::Counters>> units(by_unit.begin(), by_unit.end());
    for (const auto& [uid, c] : units) {
      UnitMetrics u;
      u.unit_id = uid;
      if (auto dn = dept_names.find(uid); dn != dept_names.end()) {
        u.name = dn->second;
      } else {
        auto d = store::divisions::get(s, uid);
        u.name = d.ok() ? d->division.name : uid;
      }
      u.counters = c;
      for (const auto& def : defs)
        u.metrics.push_back({def.code, def.name_zh, def.name_en, rq::compute(def, c)});
      v.units.push_back(std::move(u));
    }
    for (const auto& def : defs) v.rankings.emplace_back(def.code, rq::rank_units(def, units, 1));
    return v;
  });
  if (denied) app_.audit_denied(p, "division", area);
  return r;
}

// ---------------------------------------------------------------- the deadline scheduler

Result<ScanReport> RequestsService::run_due_timers(TimePoint now, int batch) {
  auto cfg_r = config();
  if (!cfg_r.ok()) return cfg_r.error();
  const Config& cfg = **cfg_r;
  ScanReport rep;
  auth::Principal sys = system_principal();
  // Most ticks find nothing due: look first with a read, so an idle scheduler never takes the
  // writer (or a commit) every few seconds.
  auto due =
      app_.db().read_value<bool>([&](Session& s) { return store::timers::any_due(s, ms(now)); });
  if (!due.ok()) return due.error();
  if (!*due) return rep;
  Status st = app_.db().write([&](Session& s) -> Status {
    rep = {};
    auto claimed = store::timers::claim_due(s, app_.db().backend(), ms(now), batch);
    if (!claimed.ok()) return claimed.error();
    rep.claimed = static_cast<int>(claimed->size());
    if (claimed->empty()) return {};
    std::vector<rq::Timer> timers;
    for (const auto& r : *claimed) timers.push_back(timer_from(r));
    auto scan = rq::DeadlineScanner().scan(timers, now);
    std::set<std::string> lost;  // timers someone else moved first: their events are not ours
    for (const auto& u : scan.updates) {
      auto moved = store::timers::advance(s, std::stoll(u.timer_id),
                                          std::string(rq::timer_state_code(u.from)),
                                          std::string(rq::timer_state_code(u.to)));
      if (!moved.ok()) return moved.error();
      if (!*moved) lost.insert(u.timer_id);
    }
    for (const auto& ev : scan.events) {
      if (lost.count(ev.timer_id)) {
        ++rep.skipped;
        continue;
      }
      auto row = store::tickets::get_for_update(s, app_.db().backend(), std::stoll(ev.ticket_id));
      if (!row.ok()) return row.error();
      auto snap = county(row->county_code, &s);
      if (!snap.ok()) return snap.error();
      const auto& view = (*snap)->view;
      auto ticket = ticket_from(*row);
      if (!ticket.ok()) return ticket.error();
      if (ev.kind == rq::DeadlineEventKind::kEscalate) {
        auto req = rq::CommandChain(view).escalation_request(ev);
        if (!req.ok()) {
          ++rep.skipped;
          continue;
        }
        rq::Actor system;
        system.role = rq::Role::kSystem;
        system.user_id = "system";
        auto tr = cfg.lifecycle->apply(*ticket, *req, system, now);
        if (!tr.ok()) {  // moved on meanwhile (stale holder) or closed: nothing to escalate
          ++rep.skipped;
          continue;
        }
        GJ_TRY(persist(s, *row, *tr, sys, view));
        ++rep.escalations;
        continue;
      }
      store::TicketEventRow e;
      e.ticket_id = row->id;
      e.at = ms(now);
      e.actor_name = "system";
      e.actor_role = "system";
      e.from_status = e.to_status = row->status;
      e.unit_id = ev.unit.id;
      e.unit_name = ev.unit.name;
      // System notes are "中文 (English)", like the escalation's; times in local minutes.
      const bool response = ev.timer_kind == rq::TimerKind::kResponse;
      const std::string due = format_local_minutes(ms(ev.due_at));
      if (ev.kind == rq::DeadlineEventKind::kWarning) {
        e.action = "deadline_warning";
        e.note = std::string(response ? "响应时限" : "办结时限") + "将于 " + due + " 到期 (" +
                 (response ? "response" : "resolution") + " limit " + due + ")";
        GJ_TRY(enqueue_warning(s, *row, ev.unit.id, ms(ev.due_at), ms(now)));
        ++rep.warnings;
      } else {  // overdue at the top of the chain 超期
        ticket->overdue = true;
        sync_row(*row, *ticket, ms(now));
        GJ_TRY(store::tickets::update(s, *row));
        for (const auto& d : rq::MetricModel().deltas(ev, view))
          GJ_TRY(store::counters::add(s, d.key.scope, d.key.id, d.key.period, d.key.part, d.delta));
        e.action = "overdue";
        e.note = std::string(response ? "响应时限" : "办结时限") + "已于 " + due + " 超过 (" +
                 (response ? "response" : "resolution") + " limit passed " + due + ")";
        ++rep.overdue;
      }
      GJ_TRY(store::ticket_events::append(s, e));
      GJ_TRY(
          store::audit::append(s, audit_of(sys, ms(now), "request." + e.action,
                                           std::to_string(row->id), e.note, row->division_code)));
    }
    return {};
  });
  if (!st.ok()) return st.error();
  return rep;
}

}  // namespace gj::app
