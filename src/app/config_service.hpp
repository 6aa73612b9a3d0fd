// Configuration editing 配置管理 (接诉即办): the responsibility matrix 责任清单 (category → unit
// type and level, tier), the SLA tiers 时限档 (response and resolution limits, warning lead,
// working or calendar days) and the holiday calendar 节假日 (holidays and make-up working days
// 调休), plus adding categories under the tree. These are deployment-wide data (one catalogue for
// every county of the store), so only admin and command roles may edit them; every edit is
// validated (nothing changes on bad input), audited, and bumps the config version in the same
// transaction. Every node's RequestsService polls that version at most once a second
// (ConfigWatch) and reloads routing and deadlines on change, without a restart.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/auth/roles.hpp"
#include "store/db.hpp"
#include "store/repos/config_repo.hpp"
#include "store/repos/requests_repo.hpp"

namespace gj::app {

class App;

// Validation failures are kInvalidInput with `field` set and `detail` = a reason code below
// (with "@N" appended for the line of an imported file); this gives the zh / en text.
std::string config_reason_text(std::string_view reason, Lang lang);

enum class ConfigKind { kMatrix, kSla, kHolidays };
Result<ConfigKind> parse_config_kind(std::string_view s);  // matrix | sla | holidays

struct ConfigView {
  store::config::VersionRow version;
  std::vector<store::MatrixRow> matrix;
  std::vector<store::SlaTierRow> tiers;
  std::vector<store::config::HolidayRow> holidays;
  std::vector<store::CategoryRow> categories;
  std::vector<std::string>
      unit_types;  // what a matrix row may name: chain units + department kinds
};

class ConfigService {
 public:
  explicit ConfigService(App& app) : app_(app) {}

  Result<ConfigView> get(const auth::Principal& p);
  // Adds or replaces the row of `row.category` ("*" = the default row).
  Result<store::MatrixRow> put_matrix(const auth::Principal& p, store::MatrixRow row);
  Status delete_matrix(const auth::Principal& p, const std::string& category);
  // Adds or replaces the tier `row.code`; a tier marked default takes the flag from the others.
  Result<store::SlaTierRow> put_tier(const auth::Principal& p, store::SlaTierRow row);
  Result<store::config::HolidayRow> put_holiday(const auth::Principal& p,
                                                store::config::HolidayRow row);
  Status delete_holiday(const auth::Principal& p, const std::string& day);
  // A new category under `parent_code` ("" = a new top-level category).
  Result<store::CategoryRow> add_category(const auth::Principal& p, store::CategoryRow row);

  // The CLI (the machine's operator): CSV with a header row; an import replaces every row of
  // the kind, all or none, audited with actor `by`. Returns the number of rows.
  Result<std::string> export_csv(ConfigKind kind);
  Result<int> import_csv(ConfigKind kind, const std::string& path, const std::string& by = "cli");

 private:
  Status require_editor(const auth::Principal& p);
  // Runs `fn` in one write with the version bump, the audit entry and the cache poke.
  Status edit(const std::string& actor, std::optional<int64_t> actor_id, const auth::Principal* p,
              const std::string& action, const std::string& target,
              const std::function<Result<std::string>(store::Session&)>& fn);

  App& app_;
};

// The cheap check a node makes before it trusts its cached configuration: the store's
// config_version, read at most once per interval and cached in between.
class ConfigWatch {
 public:
  explicit ConfigWatch(std::chrono::milliseconds interval = std::chrono::seconds(1))
      : interval_(interval) {}
  // The version (cached within the interval); nullopt when the store cannot be read (the node
  // then keeps serving the configuration it has).
  // `in`: read through this session (the caller is inside a transaction and must not ask the
  // pool for a second connection: with every reader held that way, none would be freed).
  std::optional<int64_t> poll(store::Database& db, store::Session* in = nullptr);
  void force();  // the next poll reads (this node just made an edit)
  void set_interval(std::chrono::milliseconds interval);

 private:
  std::mutex mu_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point last_{};
  std::optional<int64_t> version_;
};

}  // namespace gj::app
