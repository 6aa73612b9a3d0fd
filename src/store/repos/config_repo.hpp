// Writes of the routing and deadline configuration (配置管理): responsibility-matrix rows
// 责任清单, SLA tiers 时限档, holiday-calendar days 节假日 and categories, plus the one
// config_version row every edit bumps in its own transaction (migration 0009). Functions run
// inside the caller's transaction; validation is the service's (app/config_service.hpp).
#pragma once

#include <string>
#include <vector>

#include "store/db.hpp"
#include "store/repos/requests_repo.hpp"

namespace gj::store::config {

struct VersionRow {
  int64_t version = 0, updated_at = 0;
  std::string updated_by;
};
struct HolidayRow {
  std::string day, kind;  // YYYY-MM-DD, holiday | workday
};

Result<VersionRow> version(Session& s);
// +1 in this transaction; returns the new version.
Result<int64_t> bump_version(Session& s, int64_t at, const std::string& by);

Status upsert_matrix(Session& s, const MatrixRow& r);
Result<bool> delete_matrix(Session& s, const std::string& category);  // false: no such row
Status replace_matrix(Session& s, const std::vector<MatrixRow>& rows);

// A default tier clears the flag of every other tier.
Status upsert_tier(Session& s, const SlaTierRow& t);
Status replace_tiers(Session& s, const std::vector<SlaTierRow>& rows);
Result<std::vector<std::string>> tiers_in_use(Session& s);

Result<std::vector<HolidayRow>> holidays(Session& s);
Status upsert_holiday(Session& s, const HolidayRow& h);
Result<bool> delete_holiday(Session& s, const std::string& day);
Status replace_holidays(Session& s, const std::vector<HolidayRow>& rows);

Status insert_category(Session& s, const CategoryRow& c);
// Kinds of the units in the store (department types a matrix row may name).
Result<std::vector<std::string>> unit_kinds(Session& s);

}  // namespace gj::store::config
