#include "store/repos/requests_repo.hpp"

#include <map>
#include <tuple>

#include "domain/org/division.hpp"
#include "store/repos/requests_sql.hpp"

namespace gj::store {
namespace {

Value opt_i(const std::optional<int64_t>& v) {
  return v ? Value(*v) : Value(nullptr);
}
Value opt_f(const std::optional<double>& v) {
  return v ? Value(*v) : Value(nullptr);
}
std::optional<int64_t> get_opt_i(const Row& r, size_t i) {
  return r.is_null(i) ? std::nullopt : std::optional<int64_t>(r.i64(i));
}
std::optional<double> get_opt_f(const Row& r, size_t i) {
  return r.is_null(i) ? std::nullopt : std::optional<double>(r.f64(i));
}

TicketRow to_ticket(const Row& r) {
  TicketRow t;
  size_t i = 0;
  t.id = r.i64(i++);
  t.code = r.str(i++);
  t.county_code = r.str(i++);
  t.channel = r.str(i++);
  t.category = r.str(i++);
  t.subject = r.str(i++);
  t.body = r.str(i++);
  t.lat = get_opt_f(r, i++);
  t.lon = get_opt_f(r, i++);
  t.address = r.str(i++);
  t.grid_code = r.str(i++);
  t.division_code = r.str(i++);
  t.unit_id = r.str(i++);
  t.unit_type = r.str(i++);
  t.unit_name = r.str(i++);
  t.level = static_cast<int>(r.i64(i++));
  t.status = r.str(i++);
  t.sla_tier = r.str(i++);
  t.response_due = get_opt_i(r, i++);
  t.resolution_due = get_opt_i(r, i++);
  t.merged_into = r.str(i++);
  t.reopen_count = static_cast<int>(r.i64(i++));
  t.requester_name = r.str(i++);
  t.requester_phone = r.str(i++);
  t.is_public = r.i64(i++) != 0;
  t.manual_dispatch = r.i64(i++) != 0;
  t.route_zh = r.str(i++);
  t.route_en = r.str(i++);
  t.state = r.str(i++);
  t.created_by = get_opt_i(r, i++);
  t.created_at = r.i64(i++);
  t.updated_at = r.i64(i++);
  t.requester_email = r.str(i++);
  t.requester_language = r.str(i++);
  t.requester_updates_off = r.i64(i++) != 0;
  t.callback_ended = r.i64(i++) != 0;
  return t;
}

std::string select_tickets(const char* tail) {
  return std::string("SELECT ") + sql::kTicketColumns + tail;
}

Result<std::vector<TicketRow>> ticket_rows(Session& s, const std::string& q, const Params& p) {
  auto rows = s.query(q, p);
  if (!rows.ok()) return rows.error();
  std::vector<TicketRow> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(to_ticket(r));
  return out;
}

TimerRow to_timer(const Row& r) {
  TimerRow t;
  t.id = r.i64(0);
  t.ticket_id = r.i64(1);
  t.kind = r.str(2);
  t.level = static_cast<int>(r.i64(3));
  t.unit = r.str(4);
  t.unit_id = r.str(5);
  t.tier = r.str(6);
  t.started_at = r.i64(7);
  t.warn_at = r.i64(8);
  t.due_at = r.i64(9);
  t.state = r.str(10);
  return t;
}

}  // namespace

namespace tickets {

Result<int64_t> insert(Session& s, const TicketRow& t) {
  auto r = s.query_one(sql::kTicketInsert, {t.code,
                                            t.county_code,
                                            t.channel,
                                            t.category,
                                            t.subject,
                                            t.body,
                                            opt_f(t.lat),
                                            opt_f(t.lon),
                                            t.address,
                                            t.grid_code,
                                            t.division_code,
                                            t.unit_id,
                                            t.unit_type,
                                            t.unit_name,
                                            int64_t{t.level},
                                            t.status,
                                            t.sla_tier,
                                            opt_i(t.response_due),
                                            opt_i(t.resolution_due),
                                            t.merged_into,
                                            int64_t{t.reopen_count},
                                            t.requester_name,
                                            t.requester_phone,
                                            int64_t{t.is_public},
                                            int64_t{t.manual_dispatch},
                                            t.route_zh,
                                            t.route_en,
                                            t.state,
                                            opt_i(t.created_by),
                                            t.created_at,
                                            t.updated_at,
                                            t.requester_email,
                                            t.requester_language});
  if (!r.ok()) return r.error();
  return r->i64(0);
}

Status update(Session& s, const TicketRow& t) {
  auto n =
      s.exec(sql::kTicketUpdate,
             {t.id, t.division_code, t.unit_id, t.unit_type, t.unit_name, int64_t{t.level},
              t.status, t.sla_tier, opt_i(t.response_due), opt_i(t.resolution_due), t.merged_into,
              int64_t{t.reopen_count}, t.state, t.updated_at, int64_t{t.callback_ended}});
  if (!n.ok()) return n.error();
  if (*n != 1) return make_error(ErrorCode::kNotFound, "ticket vanished");
  return {};
}

Status set_updates_off(Session& s, int64_t id, bool off) {
  auto n = s.exec(sql::kTicketUpdatesOff, {id, int64_t{off ? 1 : 0}});
  if (!n.ok()) return n.error();
  return {};
}

Result<TicketRow> get(Session& s, int64_t id) {
  auto r = s.query_one(select_tickets(sql::kTicketById), {id});
  if (!r.ok()) return r.error();
  return to_ticket(*r);
}

Result<TicketRow> by_code(Session& s, const std::string& code) {
  auto r = s.query_one(select_tickets(sql::kTicketByCode), {code});
  if (!r.ok()) return r.error();
  return to_ticket(*r);
}

Result<TicketRow> get_for_update(Session& s, Backend backend, int64_t id) {
  if (backend != Backend::kPostgres) return get(s, id);
  auto r = s.query_one(select_tickets(sql::kTicketByIdForUpdatePostgres), {id});
  if (!r.ok()) return r.error();
  return to_ticket(*r);
}

Result<TicketRow> by_code_for_update(Session& s, Backend backend, const std::string& code) {
  if (backend != Backend::kPostgres) return by_code(s, code);
  auto r = s.query_one(select_tickets(sql::kTicketByCodeForUpdatePostgres), {code});
  if (!r.ok()) return r.error();
  return to_ticket(*r);
}

Result<Page<TicketRow>> list(Session& s, const TicketFilter& f) {
  Params p;
  std::string where;
  if (!f.unit_id.empty()) {
    where = sql::kTicketUnitWhere;
    p = {f.unit_id, std::string()};
  } else {
    where = sql::kTicketScopeWhere;
    auto [lo, hi] = org::scope_range(f.scope_code);
    p = {lo, hi};
  }
  p.push_back(f.status);
  p.push_back(f.holder);
  p.push_back(int64_t{f.callback_due});
  where += sql::kTicketCallbackDue;
  auto count = s.query_one("SELECT COUNT(*)" + where, p);
  if (!count.ok()) return count.error();
  Page<TicketRow> page;
  page.total = count->i64(0);
  p.push_back(int64_t{f.page_size});
  p.push_back(int64_t{(f.page - 1) * f.page_size});
  auto rows =
      ticket_rows(s,
                  select_tickets(where.c_str()) +
                      (f.deadline_order ? sql::kTicketOrderDeadline : sql::kTicketOrderNewest),
                  p);
  if (!rows.ok()) return rows.error();
  page.items = std::move(*rows);
  return page;
}

Result<Page<TicketRow>> list_public(Session& s, const std::string& county,
                                    const std::string& status, int page, int page_size) {
  Params p = {county, status};
  auto count = s.query_one(std::string("SELECT COUNT(*)") + sql::kTicketPublicWhere, p);
  if (!count.ok()) return count.error();
  Page<TicketRow> out;
  out.total = count->i64(0);
  p.push_back(int64_t{page_size});
  p.push_back(int64_t{(page - 1) * page_size});
  auto rows = ticket_rows(s, select_tickets(sql::kTicketPublicWhere) + sql::kTicketPublicOrder, p);
  if (!rows.ok()) return rows.error();
  out.items = std::move(*rows);
  return out;
}

Result<bool> assigned_into_scope(Session& s, int64_t id, const std::string& scope_code) {
  auto [lo, hi] = org::scope_range(scope_code);
  auto r = s.query_one(sql::kTicketVisibleToDivision, {id, lo, hi});
  if (!r.ok()) return r.error();
  return r->i64(0) > 0;
}

Result<bool> assigned_to_unit(Session& s, int64_t id, const std::string& unit_id) {
  auto r = s.query_one(sql::kTicketVisibleToUnit, {id, unit_id});
  if (!r.ok()) return r.error();
  return r->i64(0) > 0;
}

Result<std::vector<TicketRow>> search_public(Session& s, const PublicSearch& q) {
  Params p = {q.county};
  auto in_list = [&p](const auto& values) {
    std::string out = "(";
    for (const auto& v : values) {
      p.push_back(v);
      out += (out.size() > 1 ? ", $" : "$") + std::to_string(p.size());
    }
    return out + ")";
  };
  std::string where = sql::kTicketPublicSearch;
  if (!q.ids.empty())
    return ticket_rows(s, select_tickets((where + " AND t.id IN " + in_list(q.ids)).c_str()), p);
  p.push_back(q.from);
  p.push_back(q.to);
  where += " AND t.created_at >= $2 AND t.created_at <= $3";
  if (!q.categories.empty()) where += " AND t.category IN " + in_list(q.categories);
  if (!q.statuses.empty())
    where += std::string(" AND t.status ") + (q.exclude_statuses ? "NOT IN " : "IN ") +
             in_list(q.statuses);
  p.push_back(int64_t{q.limit});
  where += sql::kTicketPublicSearchOrder + std::to_string(p.size());
  return ticket_rows(s, select_tickets(where.c_str()), p);
}

Result<std::vector<TicketRow>> nearby(Session& s, const std::string& county, int64_t exclude_id,
                                      int64_t since, double min_lat, double max_lat, double min_lon,
                                      double max_lon, const std::string& grid_code) {
  return ticket_rows(s, select_tickets(sql::kTicketNearby),
                     {county, exclude_id, since, min_lat, max_lat, min_lon, max_lon, grid_code});
}

Result<std::vector<TicketRow>> nearby_summaries(Session& s, const std::string& county,
                                                int64_t exclude_id, int64_t since, double min_lat,
                                                double max_lat, double min_lon, double max_lon,
                                                const std::string& grid_code, bool published_only) {
  auto rows = s.query(std::string(sql::kTicketSummaryColumns) +
                          (published_only ? sql::kTicketNearbyPublic : sql::kTicketNearby),
                      {county, exclude_id, since, min_lat, max_lat, min_lon, max_lon, grid_code});
  if (!rows.ok()) return rows.error();
  std::vector<TicketRow> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) {
    TicketRow t;
    t.id = r.i64(0);
    t.category = r.str(1);
    t.subject = r.str(2);
    t.body = r.str(3);
    t.lat = get_opt_f(r, 4);
    t.lon = get_opt_f(r, 5);
    t.grid_code = r.str(6);
    t.status = r.str(7);
    t.created_at = r.i64(8);
    out.push_back(std::move(t));
  }
  return out;
}

Result<std::vector<TicketRow>> recent_in_scope(Session& s, const std::string& scope_code,
                                               int64_t since) {
  auto [lo, hi] = org::scope_range(scope_code);
  return ticket_rows(s, select_tickets(sql::kTicketRecentInScope), {lo, hi, since});
}

}  // namespace tickets

namespace ticket_events {
Result<int64_t> append(Session& s, const TicketEventRow& e) {
  auto row = s.query_one(sql::kEventInsert,
                         {e.ticket_id, e.at, opt_i(e.actor_id), e.actor_name, e.actor_role,
                          e.action, e.from_status, e.to_status, e.unit_id, e.unit_name, e.note});
  if (!row.ok()) return row.error();
  return row->i64(0);
}
Result<std::vector<TicketEventRow>> list(Session& s, int64_t ticket_id) {
  auto rows = s.query(sql::kEventList, {ticket_id});
  if (!rows.ok()) return rows.error();
  std::vector<TicketEventRow> out;
  for (const auto& r : *rows) {
    TicketEventRow e;
    e.id = r.i64(0);
    e.ticket_id = r.i64(1);
    e.at = r.i64(2);
    e.actor_id = get_opt_i(r, 3);
    e.actor_name = r.str(4);
    e.actor_role = r.str(5);
    e.action = r.str(6);
    e.from_status = r.str(7);
    e.to_status = r.str(8);
    e.unit_id = r.str(9);
    e.unit_name = r.str(10);
    e.note = r.str(11);
    out.push_back(std::move(e));
  }
  return out;
}
}  // namespace ticket_events

namespace assignments {
Status append(Session& s, const AssignmentRow& a) {
  auto n = s.exec(sql::kAssignmentInsert, {a.ticket_id, a.kind, a.from_unit_id, a.to_unit_id,
                                           a.to_unit_name, a.to_division, a.at, a.reason});
  if (!n.ok()) return n.error();
  return {};
}
Result<std::vector<AssignmentRow>> list(Session& s, int64_t ticket_id) {
  auto rows = s.query(sql::kAssignmentList, {ticket_id});
  if (!rows.ok()) return rows.error();
  std::vector<AssignmentRow> out;
  for (const auto& r : *rows)
    out.push_back(
        {r.i64(0), r.i64(1), r.str(2), r.str(3), r.str(4), r.str(5), r.str(6), r.i64(7), r.str(8)});
  return out;
}
}  // namespace assignments

namespace timers {
Result<int64_t> insert(Session& s, const TimerRow& t) {
  auto r = s.query_one(sql::kTimerInsert, {t.ticket_id, t.kind, int64_t{t.level}, t.unit, t.unit_id,
                                           t.tier, t.started_at, t.warn_at, t.due_at, t.state});
  if (!r.ok()) return r.error();
  return r->i64(0);
}
Status cancel_kind(Session& s, int64_t ticket_id, const std::string& kind) {
  auto n = s.exec(sql::kTimerCancelKind, {ticket_id, kind});
  if (!n.ok()) return n.error();
  return {};
}
Result<std::vector<TimerRow>> for_ticket(Session& s, int64_t ticket_id) {
  auto rows = s.query(sql::kTimerListForTicket, {ticket_id});
  if (!rows.ok()) return rows.error();
  std::vector<TimerRow> out;
  for (const auto& r : *rows) out.push_back(to_timer(r));
  return out;
}
Result<std::vector<TimerRow>> claim_due(Session& s, Backend backend, int64_t now, int limit) {
  auto rows = s.query(
      backend == Backend::kPostgres ? sql::kTimerClaimDuePostgres : sql::kTimerClaimDueSqlite,
      {now, int64_t{limit}});
  if (!rows.ok()) return rows.error();
  std::vector<TimerRow> out;
  for (const auto& r : *rows) out.push_back(to_timer(r));
  return out;
}
Result<bool> any_due(Session& s, int64_t now) {
  auto r = s.query_one(sql::kTimerAnyDue, {now});
  if (!r.ok()) return r.error();
  return r->i64(0) > 0;
}
Result<bool> advance(Session& s, int64_t id, const std::string& from, const std::string& to) {
  auto n = s.exec(sql::kTimerAdvance, {id, to, from});
  if (!n.ok()) return n.error();
  return *n == 1;
}
}  // namespace timers

namespace idempotency {
Result<std::pair<std::string, int64_t>> get(Session& s, const std::string& key) {
  auto r = s.query_one(sql::kIdempotencyGet, {key});
  if (!r.ok()) return r.error();
  return std::pair<std::string, int64_t>(r->str(1), r->i64(2));
}
Status put(Session& s, const std::string& key, const std::string& body_hash, int64_t ticket_id,
           int64_t now) {
  auto n = s.exec(sql::kIdempotencyInsert, {key, body_hash, ticket_id, now});
  if (!n.ok()) return n.error();
  return {};
}
}  // namespace idempotency

namespace counters {
Status add(Session& s, const std::string& scope, const std::string& ref_id,
           const std::string& period, const std::string& part, int64_t delta) {
  auto n = s.exec(s.backend() == Backend::kPostgres ? sql::kCounterAddPostgres : sql::kCounterAdd,
                  {scope, ref_id, period, part, delta});
  if (!n.ok()) return n.error();
  return {};
}
Status add_all(Session& s, const std::vector<CounterDelta>& deltas) {
  std::map<std::tuple<std::string, std::string, std::string, std::string>, int64_t> merged;
  for (const auto& d : deltas) merged[{d.scope, d.ref_id, d.period, d.part}] += d.delta;
  constexpr size_t kRowsPerStatement = 64;
  auto it = merged.begin();
  while (it != merged.end()) {
    std::string values;
    Params p;
    for (size_t n = 0; it != merged.end() && n < kRowsPerStatement; ++it) {
      const auto& [scope, ref_id, period, part] = it->first;
      size_t b = p.size();
      values += (values.empty() ? "" : ", ") + std::string("($") + std::to_string(b + 1) + ", $" +
                std::to_string(b + 2) + ", $" + std::to_string(b + 3) + ", $" +
                std::to_string(b + 4) + ", $" + std::to_string(b + 5) + ")";
      p.insert(p.end(), {scope, ref_id, period, part, it->second});
      ++n;
    }
    if (p.empty()) break;
    auto n = s.exec(std::string(sql::kCounterAddMany) + values +
                        (s.backend() == Backend::kPostgres ? sql::kCounterAddManyTailPostgres
                                                           : sql::kCounterAddManyTail),
                    p);
    if (!n.ok()) return n.error();
  }
  return {};
}
Result<std::vector<std::pair<std::string, int64_t>>> sum(Session& s, const std::string& scope,
                                                         const std::string& ref_id,
                                                         const std::string& from,
                                                         const std::string& to) {
  auto rows = s.query(sql::kCounterSum, {scope, ref_id, from, to});
  if (!rows.ok()) return rows.error();
  std::vector<std::pair<std::string, int64_t>> out;
  for (const auto& r : *rows) out.emplace_back(r.str(0), r.i64(1));
  return out;
}
Result<std::vector<RefPart>> sum_by_ref(Session& s, const std::string& scope,
                                        const std::string& scope_code, const std::string& from,
                                        const std::string& to) {
  auto [lo, hi] = org::scope_range(scope_code);
  auto rows = s.query(sql::kCounterSumByRef, {scope, lo, hi, from, to});
  if (!rows.ok()) return rows.error();
  std::vector<RefPart> out;
  for (const auto& r : *rows) out.push_back({r.str(0), r.str(1), r.i64(2)});
  return out;
}
}  // namespace counters

namespace request_config {
Result<std::vector<CategoryRow>> categories(Session& s) {
  auto rows = s.query(sql::kCategoryList);
  if (!rows.ok()) return rows.error();
  std::vector<CategoryRow> out;
  for (const auto& r : *rows)
    out.push_back({r.str(0), r.str(1), r.str(2), r.str(3), r.str(4), r.str(5)});
  return out;
}
Result<std::vector<MatrixRow>> matrix(Session& s) {
  auto rows = s.query(sql::kMatrixList);
  if (!rows.ok()) return rows.error();
  std::vector<MatrixRow> out;
  for (const auto& r : *rows)
    out.push_back({r.str(0), r.str(1), static_cast<int>(r.i64(2)), r.str(3), r.str(4)});
  return out;
}
Result<std::vector<SlaTierRow>> sla_tiers(Session& s) {
  auto rows = s.query(sql::kSlaTierList);
  if (!rows.ok()) return rows.error();
  std::vector<SlaTierRow> out;
  for (const auto& r : *rows)
    out.push_back({r.str(0), r.str(1), r.str(2), r.i64(3), r.str(4), r.i64(5), r.str(6), r.f64(7),
                   r.i64(8), r.i64(9) != 0});
  return out;
}
Result<std::vector<std::pair<std::string, std::string>>> holidays(Session& s) {
  auto rows = s.query(sql::kHolidayList);
  if (!rows.ok()) return rows.error();
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : *rows) out.emplace_back(r.str(0), r.str(1));
  return out;
}
Result<std::vector<std::vector<std::string>>> divisions_in(Session& s,
                                                           const std::string& scope_code) {
  auto [lo, hi] = org::scope_range(scope_code);
  auto rows = s.query(sql::kDivisionsInRange, {lo, hi});
  if (!rows.ok()) return rows.error();
  std::vector<std::vector<std::string>> out;
  for (const auto& r : *rows) out.push_back({r.str(0), r.str(1), r.str(2), r.str(3)});
  return out;
}
Result<std::vector<std::pair<std::string, std::string>>> grids_in(Session& s,
                                                                  const std::string& scope_code) {
  auto [lo, hi] = org::scope_range(scope_code);
  auto rows = s.query(sql::kGridsInRange, {lo, hi});
  if (!rows.ok()) return rows.error();
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : *rows) out.emplace_back(r.str(0), r.str(1));
  return out;
}
Result<std::vector<UnitRow>> units_in(Session& s, const std::string& scope_code) {
  auto [lo, hi] = org::scope_range(scope_code);
  auto rows = s.query(sql::kUnitsInRange, {lo, hi});
  if (!rows.ok()) return rows.error();
  std::vector<UnitRow> out;
  for (const auto& r : *rows) out.push_back(units::from_row(r));
  return out;
}
Result<std::string> routing_signature(Session& s, const std::string& scope_code) {
  auto [lo, hi] = org::scope_range(scope_code);
  auto r = s.query_one(sql::kRoutingSignature, {lo, hi});
  if (!r.ok()) return r.error();
  return r->str(0) + ":" + r->str(1) + ":" + r->str(2) + ":" + r->str(3);
}
}  // namespace request_config

}  // namespace gj::store
