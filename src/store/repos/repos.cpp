#include "store/repos/repos.hpp"

#include "store/repos/sql.hpp"

namespace gj::store {
namespace {

Value opt(const std::optional<int64_t>& v) {
  return v ? Value(*v) : Value(nullptr);
}
Value opt_text(const std::string& v) {
  return v.empty() ? Value(nullptr) : Value(v);
}
std::optional<int64_t> opt_i64(const Row& r, size_t i) {
  return r.is_null(i) ? std::nullopt : std::optional<int64_t>(r.i64(i));
}
std::string like_fragment(const std::string& q) {
  std::string s = "%";
  for (char c : q) {
    if (c == '%' || c == '_') continue;  // no wildcards from users
    s.push_back(c);
  }
  return s + "%";
}

DivisionRow to_division(const Row& r) {
  DivisionRow d;
  d.division.code = r.str(0);
  d.division.parent_code = r.str(1);
  d.division.name = r.str(2);
  d.division.level = static_cast<org::Level>(r.i64(3));
  auto k = org::parse_kind(r.str(4));
  d.division.kind = k.ok() ? *k : org::Kind::kOther;
  d.division.synthetic = r.i64(5) != 0;
  d.child_count = r.i64(6);
  d.retired = !r.is_null(7);
  return d;
}

Result<auth::UserRecord> to_user(const Row& r) {
  auth::UserRecord u;
  u.id = r.i64(0);
  u.username = r.str(1);
  u.display_name = r.str(2);
  auto role = auth::parse_role(r.str(3));
  if (!role.ok()) return make_error(ErrorCode::kInternal, "stored role unknown: " + r.str(3));
  u.role = *role;
  u.scope_code = r.str(4);
  u.unit_id = opt_i64(r, 5);
  u.password_hash = r.str(6);
  u.phone = r.str(7);
  u.id_number = r.str(8);
  u.disabled = r.i64(9) != 0;
  u.failed_logins = static_cast<int>(r.i64(10));
  u.first_failed_at = opt_i64(r, 11);
  u.locked_until = opt_i64(r, 12);
  u.last_login_at = opt_i64(r, 13);
  u.created_at = r.i64(14);
  u.updated_at = r.i64(15);
  u.email = r.str(16);
  u.language = r.str(17);
  u.must_change_password = r.i64(18) != 0;
  u.password_issued_at = opt_i64(r, 19);
  return u;
}

template <typename T, typename F>
Result<std::vector<T>> map_rows(Result<std::vector<Row>> rows, F f) {
  if (!rows.ok()) return rows.error();
  std::vector<T> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(f(r));
  return out;
}

}  // namespace

// ---- divisions ----
Result<bool> divisions::upsert(Session& s, const org::Division& d) {
  auto n = s.exec(sql::kDivisionUpsert,
                  {d.code, opt_text(d.parent_code), d.name, int64_t(static_cast<int>(d.level)),
                   std::string(org::kind_code(d.kind)), int64_t(d.synthetic ? 1 : 0)});
  if (!n.ok()) return n.error();
  return *n > 0;
}

Result<DivisionRow> divisions::get(Session& s, const std::string& code) {
  auto r = s.query_one(sql::kDivisionGet, {code});
  if (!r.ok()) return r.error();
  return to_division(*r);
}

Result<std::vector<DivisionRow>> divisions::children(Session& s, const std::string& code) {
  return map_rows<DivisionRow>(s.query(sql::kDivisionChildren, {code}), to_division);
}

Result<std::vector<DivisionRow>> divisions::search(Session& s, const std::string& scope_code,
                                                   const std::string& q, int limit) {
  auto [lo, hi] = org::scope_range(scope_code);
  std::string code_prefix;
  for (char c : q)
    if (c >= '0' && c <= '9') code_prefix.push_back(c);
  std::string code_like = code_prefix.empty() || code_prefix.size() != q.size()
                              ? std::string("\x01")  // matches nothing
                              : code_prefix + "%";
  return map_rows<DivisionRow>(
      s.query(sql::kDivisionSearch, {lo, hi, like_fragment(q), code_like, int64_t(limit)}),
      to_division);
}

Result<std::vector<std::pair<int, int64_t>>> divisions::count_by_level(Session& s) {
  return map_rows<std::pair<int, int64_t>>(s.query(sql::kDivisionCountByLevel), [](const Row& r) {
    return std::pair<int, int64_t>(static_cast<int>(r.i64(0)), r.i64(1));
  });
}

// ---- grids ----
Status grids::upsert(Session& s, const GridRow& g) {
  auto n = s.exec(sql::kGridUpsert, {g.code, opt(g.worker_user_id), g.households, g.residents,
                                     opt_text(g.polygon), opt(g.retired_at)});
  if (!n.ok()) return n.error();
  return {};
}

Result<GridRow> grids::get(Session& s, const std::string& code) {
  auto r = s.query_one(sql::kGridGet, {code});
  if (!r.ok()) return r.error();
  GridRow g;
  g.code = r->str(0);
  g.worker_user_id = opt_i64(*r, 1);
  g.households = r->i64(2);
  g.residents = r->i64(3);
  g.polygon = r->str(4);
  g.worker_name = r->str(5);
  g.worker_phone = r->str(6);
  g.retired_at = opt_i64(*r, 7);
  return g;
}

Status grids::retire(Session& s, const std::string& code, int64_t at) {
  auto n = s.exec(sql::kGridRetire, {code, at});
  if (!n.ok()) return n.error();
  return {};
}

Result<int64_t> open_requests_held(Session& s, const std::string& unit_id) {
  auto r = s.query_one(sql::kOpenRequestsHeld, {unit_id});
  if (!r.ok()) return r.error();
  return r->i64(0);
}

Result<std::vector<std::string>> grids::codes_under(Session& s, const std::string& scope_code) {
  auto [lo, hi] = org::scope_range(scope_code);
  return map_rows<std::string>(s.query(sql::kGridCodesUnder, {lo, hi}),
                               [](const Row& r) { return r.str(0); });
}

Status grids::refresh_worker(Session& s, const std::string& code) {
  if (code.size() != 15) return {};  // only grids have a grid worker
  auto n = s.exec(sql::kGridWorkerRefresh, {code});
  if (!n.ok()) return n.error();
  return {};
}

Result<std::vector<grids::Feature>> grids::features_under(Session& s,
                                                          const std::string& scope_code) {
  auto [lo, hi] = org::scope_range(scope_code);
  return map_rows<Feature>(s.query(sql::kGridFeaturesUnder, {lo, hi}), [](const Row& r) {
    return Feature{r.str(0), r.str(1), r.i64(2), r.i64(3), r.str(4)};
  });
}

// ---- units ----
UnitRow units::from_row(const Row& r) {
  return UnitRow{r.i64(0), r.str(1), r.str(2), r.str(3), opt_i64(r, 4)};
}

Status units::retire(Session& s, int64_t id, int64_t at) {
  auto n = s.exec(sql::kUnitRetire, {id, at});
  if (!n.ok()) return n.error();
  return {};
}

Result<units::Holdings> units::holdings(Session& s, int64_t id) {
  auto open = open_requests_held(s, std::to_string(id));
  if (!open.ok()) return open.error();
  auto staff = s.query_one(sql::kUnitStaff, {id});
  if (!staff.ok()) return staff.error();
  return Holdings{*open, staff->i64(0)};
}

Result<int64_t> units::upsert(Session& s, const UnitRow& u) {
  auto r = s.query_one(sql::kUnitInsert, {u.name, u.kind, u.division_code});
  if (!r.ok()) return r.error();
  return r->i64(0);
}

Result<UnitRow> units::get(Session& s, int64_t id) {
  auto r = s.query_one(sql::kUnitGet, {id});
  if (!r.ok()) return r.error();
  return from_row(*r);
}

Result<std::optional<UnitRow>> units::find(Session& s, const std::string& division_code,
                                           const std::string& name) {
  auto rows = s.query(sql::kUnitFind, {division_code, name});
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::optional<UnitRow>();
  const auto& r = rows->front();
  return std::optional<UnitRow>(from_row(r));
}

Result<std::vector<UnitRow>> units::of_division(Session& s, const std::string& division_code) {
  return map_rows<UnitRow>(s.query(sql::kUnitsOfDivision, {division_code}),
                           [](const Row& r) { return from_row(r); });
}

Result<std::vector<UnitRow>> units::list(Session& s, const std::string& scope_code,
                                         const std::string& q) {
  auto [lo, hi] = org::scope_range(scope_code);
  return map_rows<UnitRow>(s.query(sql::kUnitList, {lo, hi, like_fragment(q)}),
                           [](const Row& r) { return from_row(r); });
}

// ---- users ----
Result<int64_t> users::insert(Session& s, const auth::UserRecord& u) {
  auto r = s.query_one(
      sql::kUserInsert,
      {u.username, u.display_name, std::string(auth::role_info(u.role).code),
       opt_text(u.scope_code), opt(u.unit_id), u.password_hash, opt_text(u.phone),
       opt_text(u.id_number), int64_t(u.disabled ? 1 : 0), u.created_at, opt_text(u.email),
       u.language, int64_t(u.must_change_password ? 1 : 0), opt(u.password_issued_at)});
  if (!r.ok()) return r.error();
  return r->i64(0);
}

Status users::update(Session& s, const auth::UserRecord& u) {
  auto n = s.exec(
      sql::kUserUpdate,
      {u.id, u.display_name, std::string(auth::role_info(u.role).code), opt_text(u.scope_code),
       opt(u.unit_id), u.password_hash, opt_text(u.phone), opt_text(u.id_number),
       int64_t(u.disabled ? 1 : 0), int64_t(u.failed_logins), opt(u.first_failed_at),
       opt(u.locked_until), opt(u.last_login_at), u.updated_at, opt_text(u.email), u.language,
       int64_t(u.must_change_password ? 1 : 0), opt(u.password_issued_at)});
  if (!n.ok()) return n.error();
  if (*n == 0) return make_error(ErrorCode::kNotFound, "user");
  return {};
}

Result<auth::UserRecord> users::by_id(Session& s, int64_t id) {
  auto r = s.query_one(sql::kUserById, {id});
  if (!r.ok()) return r.error();
  return to_user(*r);
}

Result<auth::UserRecord> users::by_username(Session& s, const std::string& username) {
  auto r = s.query_one(sql::kUserByName, {username});
  if (!r.ok()) return r.error();
  return to_user(*r);
}

Result<Page<auth::UserRecord>> users::list(Session& s, const UserFilter& f) {
  auto [lo, hi] = org::scope_range(f.scope_code);
  Params p{lo, hi, like_fragment(f.q), f.role};
  auto total = s.query_one(std::string("SELECT COUNT(*)") + sql::kUserListWhere, p);
  if (!total.ok()) return total.error();
  Params pp = p;
  pp.push_back(int64_t(f.page_size));
  pp.push_back(int64_t((f.page - 1) * f.page_size));
  auto rows = s.query(
      std::string(sql::kUserListSelect) + sql::kUserListWhere + " ORDER BY u.id LIMIT $5 OFFSET $6",
      pp);
  if (!rows.ok()) return rows.error();
  Page<auth::UserRecord> page;
  page.total = total->i64(0);
  for (const auto& r : *rows) {
    auto u = to_user(r);
    if (!u.ok()) return u.error();
    page.items.push_back(std::move(*u));
  }
  return page;
}

Result<std::vector<users::StaffAddress>> users::emails_for_unit(Session& s,
                                                                const std::string& chain_code,
                                                                int64_t department_id) {
  return map_rows<users::StaffAddress>(
      s.query(sql::kUserEmailsForUnit, {chain_code, department_id}), [](const Row& r) {
        return users::StaffAddress{r.i64(0), r.str(1), r.str(2)};
      });
}

Result<int64_t> users::count(Session& s) {
  auto r = s.query_one(sql::kUserCount);
  if (!r.ok()) return r.error();
  return r->i64(0);
}

// ---- sessions ----
Status sessions::insert(Session& s, const auth::SessionRecord& r) {
  auto n = s.exec(sql::kSessionInsert, {r.token_hash, r.user_id, r.csrf_token, r.created_at,
                                        r.last_seen_at, r.expires_at, r.ip});
  if (!n.ok()) return n.error();
  return {};
}

Result<auth::SessionRecord> sessions::get(Session& s, const std::string& token_hash) {
  auto r = s.query_one(sql::kSessionGet, {token_hash});
  if (!r.ok()) return r.error();
  return auth::SessionRecord{r->str(0), r->i64(1), r->str(2), r->i64(3),
                             r->i64(4), r->i64(5), r->str(6)};
}

namespace {
Status exec_status(Session& s, const char* q, const Params& p) {
  auto n = s.exec(q, p);
  if (!n.ok()) return n.error();
  return {};
}
}  // namespace

Status sessions::touch(Session& s, const std::string& h, int64_t now) {
  return exec_status(s, sql::kSessionTouch, {h, now});
}
Status sessions::remove(Session& s, const std::string& h) {
  return exec_status(s, sql::kSessionDelete, {h});
}
Status sessions::remove_for_user(Session& s, int64_t user_id) {
  return exec_status(s, sql::kSessionDeleteForUser, {user_id});
}
Status sessions::purge_expired(Session& s, int64_t now) {
  return exec_status(s, sql::kSessionPurge, {now});
}

// ---- audit ----
Status audit::append(Session& s, const AuditEntry& e) {
  return exec_status(s, sql::kAuditInsert,
                     {e.at, opt(e.actor_id), e.actor_name, e.action, e.target_type, e.target_id,
                      e.detail, e.ip, e.request_id, e.scope_code});
}

Result<Page<AuditEntry>> audit::list(Session& s, const AuditFilter& f) {
  auto [lo, hi] = org::scope_range(f.scope_code);
  // Entries that belong to no division (sign-in attempts for unknown names, system work) are
  // shown to province-level readers only.
  bool top = org::level_of_code(f.scope_code).ok() &&
             *org::level_of_code(f.scope_code) == org::Level::kProvince;
  Params p{f.actor, f.action, f.from, f.to, lo, hi, std::string(top ? "" : "\x01")};
  auto total = s.query_one(std::string("SELECT COUNT(*)") + sql::kAuditWhere, p);
  if (!total.ok()) return total.error();
  Params pp = p;
  pp.push_back(int64_t(f.page_size));
  pp.push_back(int64_t((f.page - 1) * f.page_size));
  auto rows = s.query(std::string("SELECT id, at, actor_id, actor_name, action, target_type, "
                                  "target_id, detail, ip, request_id, scope_code") +
                          sql::kAuditWhere + " ORDER BY id DESC LIMIT $8 OFFSET $9",
                      pp);
  if (!rows.ok()) return rows.error();
  Page<AuditEntry> page;
  page.total = total->i64(0);
  for (const auto& r : *rows)
    page.items.push_back(AuditEntry{r.i64(0), r.i64(1), opt_i64(r, 2), r.str(3), r.str(4), r.str(5),
                                    r.str(6), r.str(7), r.str(8), r.str(9), r.str(10)});
  return page;
}

// ---- settings ----
Result<std::optional<std::string>> settings::get(Session& s, const std::string& key) {
  auto rows = s.query(sql::kSettingGet, {key});
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::optional<std::string>();
  return std::optional<std::string>((*rows)[0].str(0));
}

Status settings::put(Session& s, const std::string& key, const std::string& value) {
  return exec_status(s, sql::kSettingPut, {key, value});
}

}  // namespace gj::store
