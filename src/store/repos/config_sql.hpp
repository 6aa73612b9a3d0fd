// SQL of the configuration editor (config_repo.hpp): named constants, portable across SQLite
// and PostgreSQL ($n placeholders, ON CONFLICT upserts). Reads of the configuration itself are
// requests_sql.hpp's kCategoryList, kMatrixList, kSlaTierList and kHolidayList.
#pragma once

namespace gj::store::sql {

inline constexpr const char* kConfigVersion =
    "SELECT version, updated_at, updated_by FROM config_version WHERE id = 1";
inline constexpr const char* kConfigBump =
    "UPDATE config_version SET version = version + 1, updated_at = $1, updated_by = $2 "
    "WHERE id = 1 RETURNING version";

inline constexpr const char* kMatrixUpsert =
    "INSERT INTO responsibility_matrix(category, unit_type, level, sla_tier, version) "
    "VALUES($1, $2, $3, $4, $5) ON CONFLICT(category) DO UPDATE SET unit_type = "
    "excluded.unit_type, level = excluded.level, sla_tier = excluded.sla_tier, version = "
    "excluded.version";
inline constexpr const char* kMatrixDelete =
    "DELETE FROM responsibility_matrix WHERE category = $1";
inline constexpr const char* kMatrixDeleteAll = "DELETE FROM responsibility_matrix";

inline constexpr const char* kTierUpsert =
    "INSERT INTO sla_tiers(code, name_zh, name_en, response_amount, response_unit, "
    "resolution_amount, resolution_unit, warn_fraction, warn_minutes, is_default) "
    "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT(code) DO UPDATE SET "
    "name_zh = excluded.name_zh, name_en = excluded.name_en, response_amount = "
    "excluded.response_amount, response_unit = excluded.response_unit, resolution_amount = "
    "excluded.resolution_amount, resolution_unit = excluded.resolution_unit, warn_fraction = "
    "excluded.warn_fraction, warn_minutes = excluded.warn_minutes, is_default = "
    "excluded.is_default";
inline constexpr const char* kTierClearDefault =
    "UPDATE sla_tiers SET is_default = 0 WHERE code <> $1 AND is_default <> 0";
inline constexpr const char* kTierDeleteAll = "DELETE FROM sla_tiers";
// Tier codes still in use by open tickets (an import may not drop them).
inline constexpr const char* kTiersInUse =
    "SELECT DISTINCT sla_tier FROM tickets ORDER BY sla_tier";

inline constexpr const char* kHolidayUpsert =
    "INSERT INTO holiday_calendar(day, kind) VALUES($1, $2) ON CONFLICT(day) DO UPDATE SET "
    "kind = excluded.kind";
inline constexpr const char* kHolidayDelete = "DELETE FROM holiday_calendar WHERE day = $1";
inline constexpr const char* kHolidayDeleteAll = "DELETE FROM holiday_calendar";

inline constexpr const char* kCategoryInsert =
    "INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) "
    "VALUES($1, $2, $3, $4, $5, $6)";
inline constexpr const char* kUnitKinds = "SELECT DISTINCT kind FROM units ORDER BY kind";

}  // namespace gj::store::sql
