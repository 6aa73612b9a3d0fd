#include "store/repos/config_repo.hpp"

#include "store/repos/config_sql.hpp"

namespace gj::store::config {

Result<VersionRow> version(Session& s) {
  auto r = s.query_one(sql::kConfigVersion);
  if (!r.ok()) return r.error();
  return VersionRow{r->i64(0), r->i64(1), r->str(2)};
}

Result<int64_t> bump_version(Session& s, int64_t at, const std::string& by) {
  auto r = s.query_one(sql::kConfigBump, {at, by});
  if (!r.ok()) return r.error();
  return r->i64(0);
}

Status upsert_matrix(Session& s, const MatrixRow& r) {
  auto n = s.exec(sql::kMatrixUpsert,
                  {r.category, r.unit_type, int64_t{r.level}, r.sla_tier, r.version});
  if (!n.ok()) return n.error();
  return {};
}

Result<bool> delete_matrix(Session& s, const std::string& category) {
  auto n = s.exec(sql::kMatrixDelete, {category});
  if (!n.ok()) return n.error();
  return *n > 0;
}

Status replace_matrix(Session& s, const std::vector<MatrixRow>& rows) {
  auto n = s.exec(sql::kMatrixDeleteAll);
  if (!n.ok()) return n.error();
  for (const auto& r : rows) GJ_TRY(upsert_matrix(s, r));
  return {};
}

Status upsert_tier(Session& s, const SlaTierRow& t) {
  auto n =
      s.exec(sql::kTierUpsert,
             {t.code, t.name_zh, t.name_en, t.response_amount, t.response_unit, t.resolution_amount,
              t.resolution_unit, t.warn_fraction, t.warn_minutes, int64_t{t.is_default ? 1 : 0}});
  if (!n.ok()) return n.error();
  if (t.is_default) {
    auto c = s.exec(sql::kTierClearDefault, {t.code});
    if (!c.ok()) return c.error();
  }
  return {};
}

Status replace_tiers(Session& s, const std::vector<SlaTierRow>& rows) {
  auto n = s.exec(sql::kTierDeleteAll);
  if (!n.ok()) return n.error();
  for (const auto& t : rows) {
    auto i =
        s.exec(sql::kTierUpsert, {t.code, t.name_zh, t.name_en, t.response_amount, t.response_unit,
                                  t.resolution_amount, t.resolution_unit, t.warn_fraction,
                                  t.warn_minutes, int64_t{t.is_default ? 1 : 0}});
    if (!i.ok()) return i.error();
  }
  return {};
}

Result<std::vector<std::string>> tiers_in_use(Session& s) {
  auto rows = s.query(sql::kTiersInUse);
  if (!rows.ok()) return rows.error();
  std::vector<std::string> out;
  for (const auto& r : *rows) out.push_back(r.str(0));
  return out;
}

Result<std::vector<HolidayRow>> holidays(Session& s) {
  auto h = request_config::holidays(s);
  if (!h.ok()) return h.error();
  std::vector<HolidayRow> out;
  for (auto& [day, kind] : *h) out.push_back({day, kind});
  return out;
}

Status upsert_holiday(Session& s, const HolidayRow& h) {
  auto n = s.exec(sql::kHolidayUpsert, {h.day, h.kind});
  if (!n.ok()) return n.error();
  return {};
}

Result<bool> delete_holiday(Session& s, const std::string& day) {
  auto n = s.exec(sql::kHolidayDelete, {day});
  if (!n.ok()) return n.error();
  return *n > 0;
}

Status replace_holidays(Session& s, const std::vector<HolidayRow>& rows) {
  auto n = s.exec(sql::kHolidayDeleteAll);
  if (!n.ok()) return n.error();
  for (const auto& h : rows) GJ_TRY(upsert_holiday(s, h));
  return {};
}

Status insert_category(Session& s, const CategoryRow& c) {
  auto n = s.exec(sql::kCategoryInsert,
                  {c.code, c.parent_code, c.name_zh, c.name_en, c.sla_tier, c.unit_type});
  if (!n.ok()) return n.error();
  return {};
}

Result<std::vector<std::string>> unit_kinds(Session& s) {
  auto rows = s.query(sql::kUnitKinds);
  if (!rows.ok()) return rows.error();
  std::vector<std::string> out;
  for (const auto& r : *rows) out.push_back(r.str(0));
  return out;
}

}  // namespace gj::store::config
