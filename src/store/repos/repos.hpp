// Repositories: typed functions over a store Session, one namespace per aggregate. They run
// inside the caller's transaction, so a service can write a record and its audit entry
// atomically: db.write([&](Session& s) { users::insert(s, u); audit::append(s, e); }).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/auth/user.hpp"
#include "domain/org/division.hpp"
#include "store/db.hpp"

namespace gj::store {

struct DivisionRow {
  org::Division division;
  int64_t child_count = 0;
  bool retired = false;  // a grid withdrawn by a re-division (0023)
};

struct GridRow {
  std::string code;
  std::optional<int64_t> worker_user_id;
  int64_t households = 0, residents = 0;
  std::string polygon;  // GeoJSON or ""
  std::string worker_name, worker_phone;
  std::optional<int64_t> retired_at;  // epoch ms: withdrawn by a re-division (0023)
};

struct UnitRow {
  int64_t id = 0;
  std::string name, kind, division_code;
  std::optional<int64_t> retired_at{};  // epoch ms: withdrawn by a reform 机构改革 (0027)
};

struct AuditEntry {
  int64_t id = 0;
  int64_t at = 0;
  std::optional<int64_t> actor_id;
  std::string actor_name, action, target_type, target_id, detail, ip, request_id;
  std::string scope_code;  // division the entry belongs to; readers see their scope's entries
};

struct AuditFilter {
  std::string scope_code;  // required: the reader's scope
  std::string actor, action;
  int64_t from = 0, to = INT64_MAX;
  int page = 1, page_size = 20;
};

struct UserFilter {
  std::string scope_code;  // required: the caller's scope
  std::string q, role;
  int page = 1, page_size = 20;
};

template <typename T>
struct Page {
  std::vector<T> items;
  int64_t total = 0;
};

namespace divisions {
// Returns true when the row was inserted or changed (false: identical row already there).
Result<bool> upsert(Session& s, const org::Division& d);
Result<DivisionRow> get(Session& s, const std::string& code);
Result<std::vector<DivisionRow>> children(Session& s, const std::string& code);
Result<std::vector<DivisionRow>> search(Session& s, const std::string& scope_code,
                                        const std::string& q, int limit);
Result<std::vector<std::pair<int, int64_t>>> count_by_level(Session& s);
}  // namespace divisions

// The requests a unit holds that are not finished (the open statuses, domain.md): a chain unit
// (a grid) by its division code, a department by its units.id.
Result<int64_t> open_requests_held(Session& s, const std::string& unit_id);

namespace grids {
Status upsert(Session& s, const GridRow& g);
Result<GridRow> get(Session& s, const std::string& code);
// Codes of the grids in use inside a scope (a village's grids, a county's …), in code order.
Result<std::vector<std::string>> codes_under(Session& s, const std::string& scope_code);
// Withdraws a grid in use (re-division 网格调整): it keeps its row and history, routes nothing
// and leaves the maps. A grid already retired keeps its date.
Status retire(Session& s, const std::string& code, int64_t at);
// Re-derives the grid's worker 网格员 from the active grid-worker users scoped to it (after a
// user is created, moved, re-roled or disabled). A code that is not a grid changes nothing.
Status refresh_worker(Session& s, const std::string& code);
struct Feature {
  std::string code, name;
  int64_t households = 0, residents = 0;
  std::string polygon;
};
// The grids in use with a boundary inside a scope, with their names, in code order (one query).
Result<std::vector<Feature>> features_under(Session& s, const std::string& scope_code);
}  // namespace grids

namespace units {
Result<int64_t> upsert(Session& s, const UnitRow& u);
Result<UnitRow> get(Session& s, int64_t id);
// The unit of that name serving that division, if any.
Result<std::optional<UnitRow>> find(Session& s, const std::string& division_code,
                                    const std::string& name);
Result<std::vector<UnitRow>> list(Session& s, const std::string& scope_code, const std::string& q);
Result<std::vector<UnitRow>> of_division(Session& s, const std::string& division_code);
UnitRow from_row(const Row& r);  // the columns of the unit queries, in their order
Status retire(Session& s, int64_t id, int64_t at);
struct Holdings {
  int64_t open_requests = 0, staff = 0;
};
Result<Holdings> holdings(Session& s, int64_t id);
}  // namespace units

namespace users {
Result<int64_t> insert(Session& s, const auth::UserRecord& u);
Status update(Session& s, const auth::UserRecord& u);
Result<auth::UserRecord> by_id(Session& s, int64_t id);
Result<auth::UserRecord> by_username(Session& s, const std::string& username);
Result<Page<auth::UserRecord>> list(Session& s, const UserFilter& f);
Result<int64_t> count(Session& s);
// An active user who has an e-mail address, with the language of their notifications 通知语言.
struct StaffAddress {
  int64_t user_id = 0;
  std::string email, language;
};
// The active users who have an address and hold a unit: a chain unit by its division code, a
// department by its units.id (0 / "" when not that kind); staff notifications
// (docs/notifications.md), one indexed query.
Result<std::vector<StaffAddress>> emails_for_unit(Session& s, const std::string& chain_code,
                                                  int64_t department_id);
}  // namespace users

namespace sessions {
Status insert(Session& s, const auth::SessionRecord& r);
Result<auth::SessionRecord> get(Session& s, const std::string& token_hash);
Status touch(Session& s, const std::string& token_hash, int64_t now);
Status remove(Session& s, const std::string& token_hash);
Status remove_for_user(Session& s, int64_t user_id);
Status purge_expired(Session& s, int64_t now);
}  // namespace sessions

namespace audit {
Status append(Session& s, const AuditEntry& e);
Result<Page<AuditEntry>> list(Session& s, const AuditFilter& f);
}  // namespace audit

namespace settings {
Result<std::optional<std::string>> get(Session& s, const std::string& key);
Status put(Session& s, const std::string& key, const std::string& value);
}  // namespace settings

}  // namespace gj::store
