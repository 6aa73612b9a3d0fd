// The application facade (OSRM's osrm.hpp, Valhalla's actor): every use case the HTTP API and
// the CLI offer, as plain calls taking a Principal and returning Result values. It composes the
// pure domain (src/domain) with the repositories (src/store/repos) inside store transactions,
// and writes the audit log in the same transaction as the change it records.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "domain/auth/passwords.hpp"
#include "domain/auth/user.hpp"
#include "store/db.hpp"
#include "store/repos/repos.hpp"

namespace gj::app {

struct Config {
  auth::LoginPolicy login;
  auth::PasswordParams password;  // lighter in tests
};

struct LoginResult {
  std::string session_token;  // goes into the cookie; only its hash is stored
  std::string csrf_token;
  auth::UserRecord user;
  int64_t expires_at = 0;
};

// A user as shown to others: personal data masked unless `reveal`.
struct UserView {
  auth::UserRecord user;
  std::string scope_name, unit_name;
  bool locked = false;
  bool scope_retired = false;  // their grid was retired in a re-division 网格调整: move them
  bool unit_retired = false;   // their unit was withdrawn in a reform 机构改革: move them
};

struct NodeView {
  store::DivisionRow row;
  std::vector<store::DivisionRow> path;  // ancestors from the caller's scope root
  std::vector<store::DivisionRow> children;
  std::string path_names;  // "商洛市 / 柞水县 / 乾佑街道"
};

struct NewUser {
  std::string username, display_name, password, role, scope_code, phone, id_number;
  std::optional<int64_t> unit_id;
  std::string email;     // staff notifications; "" = none
  std::string language;  // of those notifications 通知语言: zh-CN | en; "" = zh-CN
};

// `gongjian user import`: accounts for a county's staff from a CSV file 批量导入账号.
struct UserImportReport {
  int64_t read = 0, added = 0;
  struct Problem {
    int64_t line = 0;  // in the file (header = 1)
    Error error;       // the catalogue's code and the field at fault
  };
  std::vector<Problem> problems;  // non-empty: nothing was written
  // Each new account's initial password (generated), for handing out once.
  std::vector<std::pair<std::string, std::string>> passwords;
};

struct UserPatch {
  std::optional<std::string> display_name, role, scope_code, phone;
  std::optional<int64_t> unit_id;
  std::optional<std::string> email;  // "" clears it
  std::optional<std::string> language;
  std::optional<bool> disabled;
};

struct ImportProgress {
  std::function<void(const std::string& stage, int64_t done, int64_t total)> report;
};

struct ImportStats {
  int64_t read = 0, changed = 0, unchanged = 0;
  std::vector<std::pair<int, int64_t>> by_level;
};

class RequestsService;

class App {
 public:
  App(store::Database& db, const Clock& clock, IdGenerator& ids, Config config = {});
  ~App();

  store::Database& db() { return db_; }
  const Clock& clock() const { return clock_; }
  IdGenerator& ids() { return ids_; }
  // The citizen-request loop 接诉即办 (app/requests_service.hpp).
  RequestsService& requests() { return *requests_; }

  // ---- auth ----
  Result<LoginResult> login(const std::string& username, const std::string& password,
                            const std::string& ip, const std::string& request_id);
  // Resolves a session cookie to the signed-in principal (and its CSRF token).
  Result<std::pair<auth::Principal, std::string>> authenticate(const std::string& session_token,
                                                               const std::string& ip,
                                                               const std::string& request_id);
  Status logout(const auth::Principal& p, const std::string& session_token);
  Status change_password(const auth::Principal& p, const std::string& old_pw,
                         const std::string& new_pw);

  // ---- organisation ----
  Result<NodeView> org_root(const auth::Principal& p);
  Result<NodeView> org_node(const auth::Principal& p, const std::string& code);
  Result<std::vector<NodeView>> org_search(const auth::Principal& p, const std::string& q,
                                           int limit);
  Result<std::pair<NodeView, store::GridRow>> org_grid(const auth::Principal& p,
                                                       const std::string& code);
  // Units in the caller's scope whose name contains q; with `division`, only the units serving
  // exactly that division (404 outside the scope).
  Result<std::vector<store::UnitRow>> org_units(const auth::Principal& p, const std::string& q,
                                                const std::string& division = "");

  // ---- users (administrators) ----
  Result<store::Page<UserView>> list_users(const auth::Principal& p, const store::UserFilter& f);
  Result<UserView> create_user(const auth::Principal& p, const NewUser& u);
  Result<UserView> update_user(const auth::Principal& p, int64_t id, const UserPatch& patch);
  Status reset_password(const auth::Principal& p, int64_t id, const std::string& password);
  // Full phone, ID number and e-mail; audited as a personal-data read.
  Result<UserView> read_user_pii(const auth::Principal& p, int64_t id);

  // ---- audit ----
  Result<store::Page<store::AuditEntry>> list_audit(const auth::Principal& p,
                                                    const store::AuditFilter& f);
  // Records a denied access (a record outside the caller's scope).
  void audit_denied(const auth::Principal& p, const std::string& target_type,
                    const std::string& target_id);

  // ---- batch work (CLI; no principal: the operator of the machine) ----
  Result<ImportStats> import_divisions(const std::string& dir, const ImportProgress& progress);
  Result<int64_t> cli_add_user(const NewUser& u);
  // CSV: username,display_name,role[,scope_code][,unit_division_code,unit_name][,phone]
  // [,id_number][,email][,language]. Every row is checked first (as user add would) and every
  // problem listed with its line; with any problem nothing is written, else all accounts are
  // added in one transaction, each with a generated initial password. At most 5,000 rows.
  // `who` = nullptr: the command line; otherwise an administrator (kManageUsers) whose scope
  // must hold every account's position, and no citizen accounts.
  Result<UserImportReport> import_users(const auth::Principal* who, std::string_view csv,
                                        bool dry_run, const ImportProgress& progress = {});
  Status cli_reset_password(const std::string& username, const std::string& password);
  Status cli_set_disabled(const std::string& username, bool disabled);

  // For the services built on App (org imports …): the one permission check and audit entry.
  Status require(const auth::Principal& p, auth::Permission perm);
  store::AuditEntry audit_entry(const auth::Principal& p, std::string action,
                                std::string target_type, std::string target_id,
                                std::string detail = {});

 private:
  Result<store::DivisionRow> visible_division(store::Session& s, const auth::Principal& p,
                                              const std::string& code);
  Result<UserView> view_user(store::Session& s, const auth::UserRecord& u);
  // `kept_scope` / `kept_unit`: the position the user holds now (an update), which may be a
  // retired grid or unit; a new position may not be.
  Result<auth::UserRecord> validated_new_user(store::Session& s, const NewUser& u,
                                              std::string_view kept_scope = {},
                                              std::optional<int64_t> kept_unit = {});

  store::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  Config config_;
  std::unique_ptr<RequestsService> requests_;
};

// The scope a principal sees: its division, or its unit's division for department handlers.
std::string scope_of(store::Session& s, const auth::Principal& p);
// The division a user's position lies in: their division, or their unit's.
std::string position_of(store::Session& s, const auth::UserRecord& u);

}  // namespace gj::app
