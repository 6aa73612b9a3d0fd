#include "app/app.hpp"

#include "app/requests_service.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "common/csv.hpp"
#include "common/text.hpp"
#include "domain/auth/passwords.hpp"
#include "domain/auth/personal_data.hpp"
#include "domain/notify/templates.hpp"
#include "domain/org/division.hpp"

namespace gj::app {

using store::Session;

namespace {
constexpr size_t kMaxName = 64;

Status check_text(const std::string& v, const char* field, size_t max_chars, bool required) {
  if (!is_valid_utf8(v)) return make_error(ErrorCode::kInvalidUtf8, "", field);
  if (required && trim(v).empty()) return make_error(ErrorCode::kMissingField, "", field);
  if (utf8_length(v) > max_chars) return make_error(ErrorCode::kTooLong, "", field);
  return {};
}

Status check_username(const std::string& u) {
  if (u.size() < 3 || u.size() > 32)
    return make_error(ErrorCode::kInvalidInput, "3–32 characters", "username");
  for (char c : u) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return make_error(ErrorCode::kInvalidInput, "a-z 0-9 . _ -", "username");
  }
  return {};
}
}  // namespace

App::App(store::Database& db, const Clock& clock, IdGenerator& ids, Config config)
    : db_(db),
      clock_(clock),
      ids_(ids),
      config_(config),
      requests_(std::make_unique<RequestsService>(*this)) {}

App::~App() = default;

std::string position_of(Session& s, const auth::UserRecord& u) {
  if (!u.scope_code.empty() || !u.unit_id) return u.scope_code;
  auto unit = store::units::get(s, *u.unit_id);
  return unit.ok() ? unit->division_code : std::string();
}

std::string scope_of(Session& s, const auth::Principal& p) {
  if (!p.scope_code.empty()) return p.scope_code;
  if (p.unit_id) {
    auto u = store::units::get(s, *p.unit_id);
    if (u.ok()) return u->division_code;
  }
  return "\x01";  // sees nothing
}

store::AuditEntry App::audit_entry(const auth::Principal& p, std::string action,
                                   std::string target_type, std::string target_id,
                                   std::string detail) {
  store::AuditEntry e;
  e.at = clock_.now_ms();
  if (p.user_id) e.actor_id = p.user_id;
  e.actor_name = p.username.empty() ? "system" : p.username;
  e.action = std::move(action);
  e.target_type = std::move(target_type);
  e.target_id = std::move(target_id);
  e.detail = std::move(detail);
  e.ip = p.ip;
  e.request_id = p.request_id;
  e.scope_code = p.scope_code;
  return e;
}

Status App::require(const auth::Principal& p, auth::Permission perm) {
  if (!auth::has_permission(p.role, perm)) return make_error(ErrorCode::kForbidden);
  return {};
}

// ---------------------------------------------------------------- auth

Result<LoginResult> App::login(const std::string& username, const std::string& password,
                               const std::string& ip, const std::string& request_id) {
  if (!is_valid_utf8(username) || !is_valid_utf8(password) || username.size() > 64 ||
      password.size() > 512)
    return make_error(ErrorCode::kBadCredentials);
  LoginResult out;
  auth::LoginOutcome outcome = auth::LoginOutcome::kBadCredentials;
  int64_t now = clock_.now_ms();
  // Hashing happens outside the writer: argon2 is deliberately slow.
  auto existing = db_.read_value<auth::UserRecord>(
      [&](Session& s) { return store::users::by_username(s, username); });
  bool password_ok = false;
  if (existing.ok()) {
    password_ok = auth::verify_password(password, existing->password_hash);
  } else {
    // Same work for unknown users, so timing does not tell which names exist.
    static const std::string kDummy = *auth::hash_password("dummy-password-1", config_.password);
    auth::verify_password(password, kDummy);
  }
  Status st = db_.write([&](Session& s) -> Status {
    auth::Principal actor;
    actor.username = username;
    actor.ip = ip;
    actor.request_id = request_id;
    auto u = store::users::by_username(s, username);
    if (!u.ok()) {
      outcome = auth::LoginOutcome::kBadCredentials;
      return store::audit::append(
          s, audit_entry(actor, "login_failed", "user", username, "unknown user"));
    }
    actor.user_id = u->id;
    actor.scope_code = position_of(s, *u);
    outcome = auth::decide_login(*u, password_ok, now, config_.login);
    u->updated_at = now;
    GJ_TRY(store::users::update(s, *u));
    if (outcome != auth::LoginOutcome::kOk) {
      const char* why = outcome == auth::LoginOutcome::kLocked     ? "locked"
                        : outcome == auth::LoginOutcome::kDisabled ? "disabled"
                        : outcome == auth::LoginOutcome::kPasswordExpired
                            ? "issued password expired"
                            : "bad password";
      return store::audit::append(
          s, audit_entry(actor, "login_failed", "user", std::to_string(u->id), why));
    }
    out.session_token = ids_.token() + ids_.token();
    out.csrf_token = ids_.token();
    out.user = *u;
    out.expires_at = now + config_.login.absolute_timeout_ms;
    GJ_TRY(store::sessions::insert(s, {auth::sha256_hex(out.session_token), u->id, out.csrf_token,
                                       now, now, out.expires_at, ip}));
    return store::audit::append(s, audit_entry(actor, "login", "user", std::to_string(u->id)));
  });
  if (!st.ok()) return st.error();
  switch (outcome) {
    case auth::LoginOutcome::kOk:
      return out;
    case auth::LoginOutcome::kLocked:
      return make_error(ErrorCode::kAccountLocked);
    case auth::LoginOutcome::kDisabled:
      return make_error(ErrorCode::kAccountDisabled);
    case auth::LoginOutcome::kPasswordExpired:
      return make_error(ErrorCode::kPasswordExpired);
    case auth::LoginOutcome::kBadCredentials:
      break;
  }
  return make_error(ErrorCode::kBadCredentials);
}

Result<std::pair<auth::Principal, std::string>> App::authenticate(const std::string& token,
                                                                  const std::string& ip,
                                                                  const std::string& request_id) {
  if (token.empty() || token.size() > 128) return make_error(ErrorCode::kUnauthenticated);
  std::string hash = auth::sha256_hex(token);
  int64_t now = clock_.now_ms();
  auth::SessionRecord sess;
  auth::UserRecord user;
  Status st = db_.read([&](Session& s) -> Status {
    auto r = store::sessions::get(s, hash);
    if (!r.ok()) return make_error(ErrorCode::kUnauthenticated);
    sess = *r;
    auto u = store::users::by_id(s, sess.user_id);
    if (!u.ok()) return make_error(ErrorCode::kUnauthenticated);
    user = *u;
    user.scope_code = position_of(s, user);
    return {};
  });
  if (!st.ok()) return st.error();
  if (!auth::session_alive(sess, now, config_.login) || user.disabled)
    return make_error(ErrorCode::kUnauthenticated);
  // Sliding idle timeout, refreshed at most once a minute to keep reads cheap.
  if (now - sess.last_seen_at > 60'000) {
    (void)db_.write([&](Session& s) { return store::sessions::touch(s, hash, now); });
  }
  auth::Principal p;
  p.user_id = user.id;
  p.username = user.username;
  p.display_name = user.display_name;
  p.role = user.role;
  p.scope_code = user.scope_code;
  p.unit_id = user.unit_id;
  p.must_change_password = user.must_change_password;
  p.ip = ip;
  p.request_id = request_id;
  return std::pair<auth::Principal, std::string>(p, sess.csrf_token);
}

Status App::logout(const auth::Principal& p, const std::string& token) {
  return db_.write([&](Session& s) -> Status {
    GJ_TRY(store::sessions::remove(s, auth::sha256_hex(token)));
    return store::audit::append(s, audit_entry(p, "logout", "user", std::to_string(p.user_id)));
  });
}

Status App::change_password(const auth::Principal& p, const std::string& old_pw,
                            const std::string& new_pw) {
  GJ_TRY(auth::check_password_rules(new_pw));
  auto u = db_.read_value<auth::UserRecord>(
      [&](Session& s) { return store::users::by_id(s, p.user_id); });
  if (!u.ok()) return u.error();
  if (!auth::verify_password(old_pw, u->password_hash))
    return make_error(ErrorCode::kWrongPassword, "", "old_password");
  if (u->must_change_password && new_pw == old_pw)  // the generated initial one stays unusable
    return make_error(ErrorCode::kWeakPassword, "the initial password must be replaced",
                      "new_password");
  auto hash = auth::hash_password(new_pw, config_.password);
  if (!hash.ok()) return hash.error();
  return db_.write([&](Session& s) -> Status {
    auto cur = store::users::by_id(s, p.user_id);
    if (!cur.ok()) return cur.error();
    cur->password_hash = *hash;
    auth::own_password(*cur);
    cur->updated_at = clock_.now_ms();
    GJ_TRY(store::users::update(s, *cur));
    return store::audit::append(
        s, audit_entry(p, "user.password_change", "user", std::to_string(p.user_id)));
  });
}

// ---------------------------------------------------------------- organisation

Result<store::DivisionRow> App::visible_division(Session& s, const auth::Principal& p,
                                                 const std::string& code) {
  if (!org::validate_code(code).ok()) return make_error(ErrorCode::kNotFound);
  std::string scope = scope_of(s, p);
  // Outside the scope looks exactly like absent (404), so existence never leaks.
  if (!org::in_scope(code, scope)) return make_error(ErrorCode::kNotFound, "outside scope");
  return store::divisions::get(s, code);
}

namespace {
Result<NodeView> build_node_view(Session& s, const std::string& scope, store::DivisionRow row) {
  NodeView v;
  v.row = std::move(row);
  std::string parent = v.row.division.parent_code;
  std::vector<store::DivisionRow> up;
  // Ancestors, stopping at the caller's scope root (never above it).
  while (!parent.empty() && org::in_scope(parent, scope)) {
    auto a = store::divisions::get(s, parent);
    if (!a.ok()) break;
    parent = a->division.parent_code;
    up.push_back(std::move(*a));
  }
  std::reverse(up.begin(), up.end());
  v.path = std::move(up);
  for (const auto& a : v.path) v.path_names += a.division.name + " / ";
  v.path_names += v.row.division.name;
  auto kids = store::divisions::children(s, v.row.division.code);
  if (!kids.ok()) return kids.error();
  v.children = std::move(*kids);
  return v;
}
}  // namespace

Result<NodeView> App::org_root(const auth::Principal& p) {
  GJ_TRY(require(p, auth::Permission::kBrowseOrg));
  return db_.read_value<NodeView>([&](Session& s) -> Result<NodeView> {
    std::string scope = scope_of(s, p);
    auto row = store::divisions::get(s, scope);
    if (!row.ok()) return row.error();
    return build_node_view(s, scope, std::move(*row));
  });
}

void App::audit_denied(const auth::Principal& p, const std::string& type, const std::string& id) {
  (void)db_.write([&](Session& s) {
    return store::audit::append(s, audit_entry(p, "scope.denied", type, id));
  });
}

Result<NodeView> App::org_node(const auth::Principal& p, const std::string& code) {
  GJ_TRY(require(p, auth::Permission::kBrowseOrg));
  bool denied = false;
  auto r = db_.read_value<NodeView>([&](Session& s) -> Result<NodeView> {
    auto row = visible_division(s, p, code);
    if (!row.ok()) {
      denied = row.error().detail == "outside scope";
      return row.error();
    }
    return build_node_view(s, scope_of(s, p), std::move(*row));
  });
  if (denied) audit_denied(p, "division", code);
  return r;
}

Result<std::vector<NodeView>> App::org_search(const auth::Principal& p, const std::string& q,
                                              int limit) {
  GJ_TRY(require(p, auth::Permission::kBrowseOrg));
  if (!is_valid_utf8(q)) return make_error(ErrorCode::kInvalidUtf8, "", "q");
  std::string query = trim(q);
  if (query.empty()) return std::vector<NodeView>{};
  if (utf8_length(query) > 50) return make_error(ErrorCode::kTooLong, "", "q");
  limit = std::clamp(limit, 1, 100);
  return db_.read_value<std::vector<NodeView>>([&](Session& s) -> Result<std::vector<NodeView>> {
    std::string scope = scope_of(s, p);
    auto rows = store::divisions::search(s, scope, query, limit);
    if (!rows.ok()) return rows.error();
    std::vector<NodeView> out;
    for (auto& r : *rows) {
      NodeView v;
      v.row = r;
      std::string parent = r.division.parent_code;
      std::vector<std::string> names{r.division.name};
      while (!parent.empty() && org::in_scope(parent, scope)) {
        auto a = store::divisions::get(s, parent);
        if (!a.ok()) break;
        names.push_back(a->division.name);
        parent = a->division.parent_code;
      }
      for (auto it = names.rbegin(); it != names.rend(); ++it)
        v.path_names += (v.path_names.empty() ? "" : " / ") + *it;
      out.push_back(std::move(v));
    }
    return out;
  });
}

Result<std::pair<NodeView, store::GridRow>> App::org_grid(const auth::Principal& p,
                                                          const std::string& code) {
  auto node = org_node(p, code);
  if (!node.ok()) return node.error();
  if (node->row.division.level != org::Level::kGrid) return make_error(ErrorCode::kNotFound);
  auto g = db_.read_value<store::GridRow>([&](Session& s) { return store::grids::get(s, code); });
  if (!g.ok()) return g.error();
  // Masked for every role here: full values only through the audited personal-data reads.
  if (!g->worker_phone.empty()) g->worker_phone = auth::mask_phone(g->worker_phone);
  return std::pair<NodeView, store::GridRow>(std::move(*node), std::move(*g));
}

Result<std::vector<store::UnitRow>> App::org_units(const auth::Principal& p, const std::string& q,
                                                   const std::string& division) {
  GJ_TRY(require(p, auth::Permission::kBrowseOrg));
  if (!is_valid_utf8(q)) return make_error(ErrorCode::kInvalidUtf8, "", "q");
  return db_.read_value<std::vector<store::UnitRow>>(
      [&](Session& s) -> Result<std::vector<store::UnitRow>> {
        if (division.empty()) return store::units::list(s, scope_of(s, p), q);
        auto d = visible_division(s, p, division);
        if (!d.ok()) return d.error();
        return store::units::of_division(s, division);
      });
}

// ---------------------------------------------------------------- users

Result<UserView> App::view_user(Session& s, const auth::UserRecord& u) {
  UserView v;
  v.user = u;
  if (!u.scope_code.empty()) {
    auto d = store::divisions::get(s, u.scope_code);
    if (d.ok()) v.scope_name = d->division.name;
    if (d.ok() && d->division.level == org::Level::kGrid) {
      auto g = store::grids::get(s, u.scope_code);
      v.scope_retired = g.ok() && g->retired_at.has_value();
    }
  }
  if (u.unit_id) {
    auto un = store::units::get(s, *u.unit_id);
    if (un.ok()) v.unit_name = un->name;
    v.unit_retired = un.ok() && un->retired_at.has_value();
  }
  v.locked = u.locked_until && *u.locked_until > clock_.now_ms();
  return v;
}

namespace {
void mask(UserView& v) {
  v.user.phone = v.user.phone.empty() ? "" : auth::mask_phone(v.user.phone);
  v.user.id_number = v.user.id_number.empty() ? "" : auth::mask_id_number(v.user.id_number);
  v.user.email = notify::mask_address(v.user.email);
  v.user.password_hash.clear();
}
}  // namespace

Result<store::Page<UserView>> App::list_users(const auth::Principal& p,
                                              const store::UserFilter& filter) {
  GJ_TRY(require(p, auth::Permission::kManageUsers));
  if (!is_valid_utf8(filter.q)) return make_error(ErrorCode::kInvalidUtf8, "", "q");
  return db_.read_value<store::Page<UserView>>([&](Session& s) -> Result<store::Page<UserView>> {
    store::UserFilter f = filter;
    f.scope_code = scope_of(s, p);
    f.page = std::max(1, f.page);
    f.page_size = std::clamp(f.page_size, 1, 200);
    auto page = store::users::list(s, f);
    if (!page.ok()) return page.error();
    store::Page<UserView> out;
    out.total = page->total;
    for (const auto& u : page->items) {
      auto v = view_user(s, u);
      if (!v.ok()) return v.error();
      mask(*v);
      out.items.push_back(std::move(*v));
    }
    return out;
  });
}

Result<auth::UserRecord> App::validated_new_user(Session& s, const NewUser& n,
                                                 std::string_view kept_scope,
                                                 std::optional<int64_t> kept_unit) {
  GJ_TRY(check_username(n.username));
  GJ_TRY(check_text(n.display_name, "display_name", kMaxName, true));
  auto role = auth::parse_role(n.role);
  if (!role.ok()) return role.error();
  auth::UserRecord u;
  u.username = n.username;
  u.display_name = trim(n.display_name);
  u.role = *role;
  int scope_level = 0;
  if (!n.scope_code.empty()) {
    auto d = store::divisions::get(s, n.scope_code);
    if (!d.ok()) return make_error(ErrorCode::kInvalidCode, "unknown division", "scope_code");
    scope_level = static_cast<int>(d->division.level);
    if (d->division.level == org::Level::kGrid && n.scope_code != kept_scope) {
      auto g = store::grids::get(s, n.scope_code);
      if (g.ok() && g->retired_at)
        return make_error(ErrorCode::kRetiredGrid, "retired grid", "scope_code");
    }
    u.scope_code = n.scope_code;
  }
  if (n.unit_id) {
    auto un = store::units::get(s, *n.unit_id);
    if (!un.ok()) return make_error(ErrorCode::kInvalidInput, "unknown unit", "unit_id");
    if (un->retired_at && n.unit_id != kept_unit)
      return make_error(ErrorCode::kRetiredUnit, "retired unit", "unit_id");
    u.unit_id = n.unit_id;
  }
  GJ_TRY(auth::check_binding(u.role, scope_level, u.unit_id.has_value()));
  if (!n.phone.empty()) {
    auto ph = auth::validate_phone(n.phone);
    if (!ph.ok()) return ph.error();
    u.phone = *ph;
  }
  if (!n.id_number.empty()) {
    auto id = auth::validate_id_number(n.id_number);
    if (!id.ok()) return id.error();
    u.id_number = *id;
  }
  // A plain address only: it becomes an SMTP envelope recipient and a To: header.
  std::string email = trim(n.email);
  if (!email.empty() && !notify::is_plain_address(email))
    return make_error(ErrorCode::kInvalidInput, "not a plain e-mail address", "email");
  u.email = email;
  std::string language = trim(n.language);
  if (language.empty()) language = std::string(notify::kDefaultLanguage);
  if (!notify::is_language(language))
    return make_error(ErrorCode::kInvalidInput, "zh-CN or en expected", "language");
  u.language = language;
  return u;
}

Result<UserView> App::create_user(const auth::Principal& p, const NewUser& n) {
  GJ_TRY(require(p, auth::Permission::kManageUsers));
  GJ_TRY(auth::check_password_rules(n.password));
  auto hash = auth::hash_password(n.password, config_.password);
  if (!hash.ok()) return hash.error();
  return db_.write_value<UserView>([&](Session& s) -> Result<UserView> {
    auto u = validated_new_user(s, n);
    if (!u.ok()) return u.error();
    std::string scope = scope_of(s, p);
    // An administrator creates users only inside their own scope.
    std::string where = !u->scope_code.empty() ? u->scope_code : "";
    if (u->unit_id) where = store::units::get(s, *u->unit_id)->division_code;
    if (!where.empty() && !org::in_scope(where, scope))
      return make_error(ErrorCode::kInvalidCode, "outside your scope", "scope_code");
    if (store::users::by_username(s, u->username).ok())
      return make_error(ErrorCode::kAlreadyExists, "", "username");
    u->password_hash = *hash;
    u->created_at = u->updated_at = clock_.now_ms();
    auto id = store::users::insert(s, *u);
    if (!id.ok()) return id.error();
    u->id = *id;
    GJ_TRY(store::grids::refresh_worker(s, u->scope_code));
    GJ_TRY(store::audit::append(
        s, audit_entry(p, "user.create", "user", std::to_string(*id),
                       u->username + " " + std::string(auth::role_info(u->role).code))));
    auto v = view_user(s, *u);
    if (v.ok()) mask(*v);
    return v;
  });
}

Result<UserView> App::update_user(const auth::Principal& p, int64_t id, const UserPatch& patch) {
  GJ_TRY(require(p, auth::Permission::kManageUsers));
  bool denied = false;
  auto r = db_.write_value<UserView>([&](Session& s) -> Result<UserView> {
    auto u = store::users::by_id(s, id);
    std::string scope = scope_of(s, p);
    if (!u.ok()) return make_error(ErrorCode::kNotFound);
    UserView before = *view_user(s, *u);
    std::string where = position_of(s, *u);
    if (!org::in_scope(where, scope)) {
      denied = true;
      return make_error(ErrorCode::kNotFound);
    }
    NewUser n{u->username,
              patch.display_name.value_or(u->display_name),
              "",
              patch.role.value_or(std::string(auth::role_info(u->role).code)),
              patch.scope_code.value_or(u->scope_code),
              patch.phone.value_or(u->phone),
              u->id_number,
              patch.unit_id ? patch.unit_id : u->unit_id,
              patch.email.value_or(u->email),
              patch.language.value_or(u->language)};
    if (patch.scope_code && !patch.scope_code->empty() && !org::in_scope(*patch.scope_code, scope))
      return make_error(ErrorCode::kInvalidCode, "outside your scope", "scope_code");
    auto nu = validated_new_user(s, n, u->scope_code, u->unit_id);
    if (!nu.ok()) return nu.error();
    if (p.user_id == id && patch.disabled.value_or(false))
      return make_error(ErrorCode::kConflict, "cannot disable yourself", "disabled");
    auto updated = *u;
    updated.display_name = nu->display_name;
    updated.role = nu->role;
    updated.scope_code = nu->scope_code;
    updated.unit_id = nu->unit_id;
    updated.phone = nu->phone;
    updated.email = nu->email;
    updated.language = nu->language;
    if (patch.disabled) updated.disabled = *patch.disabled;
    updated.updated_at = clock_.now_ms();
    GJ_TRY(store::users::update(s, updated));
    if (updated.disabled) GJ_TRY(store::sessions::remove_for_user(s, id));
    // The grid it left and the grid it serves now show their current grid worker 网格员.
    GJ_TRY(store::grids::refresh_worker(s, u->scope_code));
    if (updated.scope_code != u->scope_code)
      GJ_TRY(store::grids::refresh_worker(s, updated.scope_code));
    std::string detail;
    if (patch.display_name) detail += "display_name ";
    if (patch.role) detail += "role ";
    if (patch.scope_code) detail += "scope_code ";
    if (patch.unit_id) detail += "unit_id ";
    if (patch.phone) detail += "phone ";
    if (patch.email) detail += "email ";
    if (patch.language) detail += "language ";
    if (patch.disabled) detail += *patch.disabled ? "disabled " : "enabled ";
    GJ_TRY(store::audit::append(
        s, audit_entry(p, "user.update", "user", std::to_string(id), trim(detail))));
    auto v = view_user(s, updated);
    if (v.ok()) mask(*v);
    return v;
  });
  if (denied) audit_denied(p, "user", std::to_string(id));
  return r;
}

namespace {
// A password set on an account by a reset (an administrator's or the operator's): stored with
// the lockout cleared and the account's sessions ended. `issued`: someone else chose it, so the
// account must replace it (auth::issue_password).
Status store_reset_password(Session& s, auth::UserRecord& u, const std::string& hash, bool issued,
                            int64_t now) {
  u.password_hash = hash;
  if (issued)
    auth::issue_password(u, now);
  else
    auth::own_password(u);
  u.locked_until.reset();
  u.failed_logins = 0;
  u.first_failed_at.reset();
  u.updated_at = now;
  GJ_TRY(store::users::update(s, u));
  return store::sessions::remove_for_user(s, u.id);
}
}  // namespace

Status App::reset_password(const auth::Principal& p, int64_t id, const std::string& password) {
  GJ_TRY(require(p, auth::Permission::kManageUsers));
  GJ_TRY(auth::check_password_rules(password));
  auto hash = auth::hash_password(password, config_.password);
  if (!hash.ok()) return hash.error();
  bool denied = false;
  Status st = db_.write([&](Session& s) -> Status {
    auto u = store::users::by_id(s, id);
    if (!u.ok()) return make_error(ErrorCode::kNotFound);
    std::string where = position_of(s, *u);
    if (!org::in_scope(where, scope_of(s, p))) {
      denied = true;
      return make_error(ErrorCode::kNotFound);
    }
    // Someone else now knows it (an administrator resetting their own account chose it).
    GJ_TRY(store_reset_password(s, *u, *hash, id != p.user_id, clock_.now_ms()));
    return store::audit::append(s,
                                audit_entry(p, "user.password_reset", "user", std::to_string(id)));
  });
  if (denied) audit_denied(p, "user", std::to_string(id));
  return st;
}

Result<UserView> App::read_user_pii(const auth::Principal& p, int64_t id) {
  GJ_TRY(require(p, auth::Permission::kReadPersonalData));
  // The read and its audit entry commit together: no unaudited read of personal data.
  bool denied = false;
  auto r = db_.write_value<UserView>([&](Session& s) -> Result<UserView> {
    auto u = store::users::by_id(s, id);
    if (!u.ok()) return make_error(ErrorCode::kNotFound);
    std::string where = position_of(s, *u);
    if (!org::in_scope(where, scope_of(s, p))) {
      denied = true;
      return make_error(ErrorCode::kNotFound);
    }
    GJ_TRY(store::audit::append(
        s, audit_entry(p, "pii.read", "user", std::to_string(id), "phone id_number email")));
    auto v = view_user(s, *u);
    if (v.ok()) v->user.password_hash.clear();
    return v;
  });
  if (denied) audit_denied(p, "user", std::to_string(id));
  return r;
}

// ---------------------------------------------------------------- audit

Result<store::Page<store::AuditEntry>> App::list_audit(const auth::Principal& p,
                                                       const store::AuditFilter& filter) {
  GJ_TRY(require(p, auth::Permission::kReadAudit));
  store::AuditFilter f = filter;
  f.page = std::max(1, f.page);
  f.page_size = std::clamp(f.page_size, 1, 200);
  if (!is_valid_utf8(f.actor) || !is_valid_utf8(f.action))
    return make_error(ErrorCode::kInvalidUtf8);
  return db_.read_value<store::Page<store::AuditEntry>>([&](Session& s) {
    f.scope_code = scope_of(s, p);
    return store::audit::list(s, f);
  });
}

// ---------------------------------------------------------------- batch work

Result<ImportStats> App::import_divisions(const std::string& dir, const ImportProgress& progress) {
  namespace fs = std::filesystem;
  const char* files[] = {"provinces.csv", "cities.csv", "counties.csv", "townships.csv",
                         "villages.csv"};
  // Read and validate everything first: a bad file changes nothing.
  std::vector<org::Division> all;
  std::map<std::string, size_t> index;
  for (int level = 1; level <= 5; ++level) {
    fs::path path = fs::path(dir) / files[level - 1];
    if (!fs::exists(path)) {
      if (level == 1) return make_error(ErrorCode::kIo, "missing " + path.string());
      break;  // fewer levels are fine (e.g. down to townships)
    }
    auto t = csv::read_file(path.string());
    if (!t.ok()) return make_error(t.error().code, path.string() + ": " + t.error().detail);
    int c_code = t->column("code"), c_parent = t->column("parent_code"), c_name = t->column("name");
    if (c_code < 0 || c_parent < 0 || c_name < 0)
      return make_error(ErrorCode::kInvalidInput,
                        path.string() + ": needs columns code, parent_code, name");
    size_t line = 1;
    for (const auto& r : t->rows) {
      ++line;
      if (r.size() <= static_cast<size_t>(std::max({c_code, c_parent, c_name})))
        return make_error(ErrorCode::kInvalidInput,
                          path.string() + ":" + std::to_string(line) + ": too few columns");
      org::Division d;
      d.code = trim(r[c_code]);
      d.parent_code = level == 1 ? "" : trim(r[c_parent]);
      d.name = trim(r[c_name]);
      d.level = static_cast<org::Level>(level);
      d.kind = org::kind_from_name(d.level, d.name);
      if (!is_valid_utf8(d.name))
        return make_error(ErrorCode::kInvalidUtf8, path.string() + ":" + std::to_string(line));
      auto pit = index.find(d.parent_code);
      Status st = org::validate_child(d, pit == index.end() ? nullptr : &all[pit->second]);
      if (!st.ok())
        return make_error(st.error().code,
                          path.string() + ":" + std::to_string(line) + ": " + st.error().detail);
      if (index.count(d.code))
        return make_error(ErrorCode::kInvalidInput, path.string() + ":" + std::to_string(line) +
                                                        ": duplicate code " + d.code);
      index[d.code] = all.size();
      all.push_back(std::move(d));
    }
    if (progress.report)
      progress.report(std::string("read ") + files[level - 1], static_cast<int64_t>(all.size()), 0);
  }
  ImportStats stats;
  stats.read = static_cast<int64_t>(all.size());
  // One transaction: a re-import either applies completely or not at all.
  Status st = db_.write([&](Session& s) -> Status {
    int64_t done = 0;
    for (const auto& d : all) {
      auto changed = store::divisions::upsert(s, d);
      if (!changed.ok()) return changed.error();
      (*changed ? stats.changed : stats.unchanged)++;
      if (++done % 2000 == 0 && progress.report) progress.report("write", done, stats.read);
    }
    if (progress.report) progress.report("write", done, stats.read);
    auth::Principal system;
    if (!all.empty()) system.scope_code = all.front().code;  // the imported tree's root
    return store::audit::append(s, audit_entry(system, "import.divisions", "divisions", dir,
                                               std::to_string(stats.changed) + " changed"));
  });
  if (!st.ok()) return st.error();
  auto by_level = db_.read_value<std::vector<std::pair<int, int64_t>>>(
      [&](Session& s) { return store::divisions::count_by_level(s); });
  if (by_level.ok()) stats.by_level = *by_level;
  return stats;
}

namespace {
// An initial password that passes check_password_rules: 12 characters from the tracking-code
// alphabet (no 0/O, 1/I), with at least one letter and one digit.
std::string initial_password(IdGenerator& ids) {
  for (;;) {
    std::string pw = ids.public_code(12);
    if (auth::check_password_rules(pw).ok()) return pw;
  }
}
}  // namespace

Result<UserImportReport> App::import_users(const auth::Principal* who, std::string_view text,
                                           bool dry_run, const ImportProgress& progress) {
  if (who) GJ_TRY(require(*who, auth::Permission::kManageUsers));
  UserImportReport rep;
  auto problem = [&](int64_t line, Error e) { rep.problems.push_back({line, std::move(e)}); };
  std::istringstream in{std::string(text)};
  csv::Reader reader(in);
  csv::Record header, rec;
  if (!reader.next(header))
    return make_error(ErrorCode::kInvalidInput,
                      reader.error().empty() ? "empty file" : reader.error());
  auto col = [&](std::string_view name) {
    for (size_t i = 0; i < header.size(); ++i)
      if (trim(header[i]) == name) return static_cast<int>(i);
    return -1;
  };
  int c_user = col("username"), c_name = col("display_name"), c_role = col("role"),
      c_scope = col("scope_code"), c_udiv = col("unit_division_code"), c_uname = col("unit_name"),
      c_phone = col("phone"), c_id = col("id_number"), c_email = col("email"),
      c_lang = col("language");
  if (c_user < 0 || c_name < 0 || c_role < 0)
    return make_error(ErrorCode::kInvalidInput,
                      "the header must name username, display_name and role", "header");
  struct Row {
    int64_t line;
    NewUser user;
    std::string unit_division, unit_name;
  };
  std::vector<Row> rows;
  auto field = [&](int c) {
    return c >= 0 && c < static_cast<int>(rec.size()) ? trim(rec[c]) : "";
  };
  while (reader.next(rec)) {
    int64_t line = static_cast<int64_t>(reader.line());
    if (rec.size() == 1 && trim(rec[0]).empty()) continue;
    if (rows.size() >= 5000)
      return make_error(ErrorCode::kInvalidInput, "more than 5,000 rows", "rows");
    if (rec.size() != header.size()) {
      problem(line, make_error(ErrorCode::kInvalidInput, "wrong number of fields", "row"));
      continue;
    }
    Row r{line, {}, field(c_udiv), field(c_uname)};
    r.user.username = field(c_user);
    r.user.display_name = field(c_name);
    r.user.role = field(c_role);
    r.user.scope_code = field(c_scope);
    r.user.phone = field(c_phone);
    r.user.id_number = field(c_id);
    r.user.email = field(c_email);
    r.user.language = field(c_lang);
    rows.push_back(std::move(r));
  }
  if (!reader.error().empty())
    problem(static_cast<int64_t>(reader.line()),
            make_error(ErrorCode::kInvalidInput, reader.error(), "row"));
  rep.read = static_cast<int64_t>(rows.size());
  // Checked in the transaction that writes them, so what was checked is what is written.
  std::vector<auth::UserRecord> records(rows.size());
  auto check = [&](Session& s) -> Status {
    std::set<std::string> names;
    for (size_t i = 0; i < rows.size(); ++i) {
      Row& r = rows[i];
      if (!r.unit_name.empty() || !r.unit_division.empty()) {
        auto un = store::units::find(s, r.unit_division, r.unit_name);
        if (!un.ok()) return un.error();
        if (!*un) {
          problem(r.line,
                  make_error(ErrorCode::kInvalidInput,
                             "no unit " + r.unit_name + " in " + r.unit_division, "unit_name"));
          continue;
        }
        r.user.unit_id = (*un)->id;
      }
      auto u = validated_new_user(s, r.user);
      if (!u.ok()) {
        problem(r.line, u.error());
        continue;
      }
      if (who) {
        // An administrator adds staff only inside their own scope (as create_user).
        if (u->role == auth::Role::kCitizen) {
          problem(r.line, make_error(ErrorCode::kInvalidInput, "staff accounts only", "role"));
          continue;
        }
        if (!org::in_scope(position_of(s, *u), scope_of(s, *who))) {
          problem(r.line, make_error(ErrorCode::kInvalidCode, "outside your scope", "scope_code"));
          continue;
        }
      }
      if (!names.insert(u->username).second || store::users::by_username(s, u->username).ok()) {
        problem(r.line, make_error(ErrorCode::kAlreadyExists, u->username, "username"));
        continue;
      }
      records[i] = std::move(*u);
    }
    return {};
  };
  GJ_TRY(db_.read(check));
  if (!rep.problems.empty() || dry_run) return rep;
  // Argon2id per account is the slow part (deliberately): done before the write transaction.
  std::vector<std::string> hashes;
  for (size_t i = 0; i < rows.size(); ++i) {
    std::string pw = initial_password(ids_);
    auto hash = auth::hash_password(pw, config_.password);
    if (!hash.ok()) return hash.error();
    hashes.push_back(*hash);
    rep.passwords.emplace_back(records[i].username, pw);
    if (progress.report && ((i + 1) % 10 == 0 || i + 1 == rows.size()))
      progress.report("passwords", static_cast<int64_t>(i + 1), rep.read);
  }
  Status st = db_.write([&](Session& s) -> Status {
    GJ_TRY(check(s));  // the store may have changed since: the same checks, now binding
    if (!rep.problems.empty()) return make_error(ErrorCode::kConflict, "store changed");
    for (size_t i = 0; i < records.size(); ++i) {
      auth::UserRecord& u = records[i];
      u.password_hash = hashes[i];
      u.created_at = u.updated_at = clock_.now_ms();
      auth::issue_password(u, u.created_at);  // the generated one is only for the first sign-in
      auto id = store::users::insert(s, u);
      if (!id.ok()) return id.error();
      GJ_TRY(store::grids::refresh_worker(s, u.scope_code));
      auth::Principal system;
      system.scope_code = position_of(s, u);
      GJ_TRY(store::audit::append(
          s, audit_entry(who ? *who : system, "user.create", "user", std::to_string(*id),
                         u.username + (who ? " (import)" : " (cli import)"))));
    }
    return {};
  });
  if (!st.ok() && rep.problems.empty()) return st.error();
  if (!rep.problems.empty()) {
    rep.passwords.clear();
    return rep;
  }
  rep.added = rep.read;
  if (progress.report) progress.report("write", rep.added, rep.read);
  return rep;
}

Result<int64_t> App::cli_add_user(const NewUser& n) {
  GJ_TRY(auth::check_password_rules(n.password));
  auto hash = auth::hash_password(n.password, config_.password);
  if (!hash.ok()) return hash.error();
  return db_.write_value<int64_t>([&](Session& s) -> Result<int64_t> {
    auto u = validated_new_user(s, n);
    if (!u.ok()) return u.error();
    if (store::users::by_username(s, u->username).ok())
      return make_error(ErrorCode::kAlreadyExists, "", "username");
    u->password_hash = *hash;
    u->created_at = u->updated_at = clock_.now_ms();
    auto id = store::users::insert(s, *u);
    if (!id.ok()) return id.error();
    GJ_TRY(store::grids::refresh_worker(s, u->scope_code));
    auth::Principal system;
    system.scope_code = position_of(s, *u);
    GJ_TRY(store::audit::append(s, audit_entry(system, "user.create", "user", std::to_string(*id),
                                               u->username + " (cli)")));
    return *id;
  });
}

Status App::cli_reset_password(const std::string& username, const std::string& password) {
  GJ_TRY(auth::check_password_rules(password));
  auto hash = auth::hash_password(password, config_.password);
  if (!hash.ok()) return hash.error();
  return db_.write([&](Session& s) -> Status {
    auto u = store::users::by_username(s, username);
    if (!u.ok()) return make_error(ErrorCode::kNotFound, "no such user", "username");
    // The operator chose it: the account chooses its own at the next sign-in.
    GJ_TRY(store_reset_password(s, *u, *hash, true, clock_.now_ms()));
    auth::Principal system;
    system.scope_code = position_of(s, *u);
    return store::audit::append(
        s, audit_entry(system, "user.password_reset", "user", std::to_string(u->id), "(cli)"));
  });
}

Status App::cli_set_disabled(const std::string& username, bool disabled) {
  return db_.write([&](Session& s) -> Status {
    auto u = store::users::by_username(s, username);
    if (!u.ok()) return make_error(ErrorCode::kNotFound, "no such user", "username");
    u->disabled = disabled;
    u->updated_at = clock_.now_ms();
    GJ_TRY(store::users::update(s, *u));
    if (disabled) GJ_TRY(store::sessions::remove_for_user(s, u->id));
    GJ_TRY(store::grids::refresh_worker(s, u->scope_code));
    auth::Principal system;
    system.scope_code = position_of(s, *u);
    return store::audit::append(s, audit_entry(system, "user.update", "user", std::to_string(u->id),
                                               disabled ? "disabled (cli)" : "enabled (cli)"));
  });
}

}  // namespace gj::app
