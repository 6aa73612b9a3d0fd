#include "app/config_service.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/app.hpp"
#include "app/requests_service.hpp"
#include "common/csv.hpp"
#include "domain/requests/types.hpp"
#include "store/repos/repos.hpp"

namespace gj::app {

namespace rq = gj::requests;
using nlohmann::json;
using store::Session;

namespace {

// The validation messages of this editor, zh-CN first.
constexpr Reason kReasons[] = {
    {"unknown_category", "类别代码不存在", "Unknown category code"},
    {"unit_type_unknown",
     "承办单位类型未知：须为 grid（网格）、village_committee（村（居）委会）、"
     "township_platform（乡镇（街道）综合指挥平台）、command_centre（县指挥中心）或已有部门类型",
     "Unknown unit type: use grid, village_committee, township_platform, command_centre or an "
     "existing department type"},
    {"level_out_of_range", "层级须为 3（县）至 6（网格）", "Level must be 3 (county) to 6 (grid)"},
    {"level_mismatch",
     "该单位类型只在其本级：网格 6、村（居）委会 5、乡镇平台 4、县指挥中心 3；部门 3 至 5",
     "That unit type sits at its own level: grid 6, village committee 5, township platform 4, "
     "command centre 3; departments 3 to 5"},
    {"unknown_tier", "时限档不存在", "Unknown SLA tier"},
    {"default_row_required", "必须保留默认行（*）", "The default row (*) is required"},
    {"tier_code_invalid", "时限档代码须为 1–32 位小写字母、数字或下划线",
     "A tier code is 1–32 lower-case letters, digits or underscores"},
    {"name_required", "中文名称和英文名称都不能为空，且不超过 100 字",
     "Both names are required, at most 100 characters"},
    {"amount_out_of_range", "时限须为 1 至 100000 之间的整数",
     "A time limit is a whole number from 1 to 100000"},
    {"limit_unit_invalid",
     "时限单位须为 minutes、hours、calendar_days（自然日）或 working_days（工作日）",
     "A limit unit is minutes, hours, calendar_days or working_days"},
    {"warning_invalid", "预警比例须不小于 0 且小于 1，预警提前分钟数须在 0 至 525600 之间",
     "The warning fraction is at least 0 and below 1; warning minutes 0 to 525600"},
    {"response_after_resolution", "响应时限不能长于办结时限",
     "The response limit cannot be longer than the resolution limit"},
    {"default_tier_required", "必须有且只有一个默认时限档", "Exactly one tier must be the default"},
    {"tier_in_use", "该时限档仍被类别、责任清单或工单使用，不能删除",
     "That tier is still used by a category, the matrix or a ticket"},
    {"date_invalid", "日期须为有效的 YYYY-MM-DD（2000 至 2100 年）",
     "A day is a valid YYYY-MM-DD between 2000 and 2100"},
    {"kind_invalid", "类型须为 holiday（节假日）或 workday（调休上班日）",
     "The kind is holiday or workday (a make-up working day)"},
    {"workday_not_weekend", "调休上班日须为周六或周日",
     "A make-up working day must be a Saturday or a Sunday"},
    {"duplicate_row", "同一键出现了两次", "The same key appears twice"},
    {"csv_header", "CSV 表头不符", "The CSV header does not match"},
    {"csv_columns", "该行列数与表头不符",
     "The row has a different number of fields than the header"},
    {"not_a_number", "须为数字", "Must be a number"},
    {"too_many_rows", "行数过多（最多 10000 行）", "Too many rows (at most 10,000)"},
    {"category_code_invalid", "类别代码须为 2 至 8 位数字，且以上级类别代码开头",
     "A category code is 2 to 8 digits starting with its parent's code"},
    {"category_exists", "该类别代码已存在", "That category code already exists"},
    {"parent_unknown", "上级类别不存在", "The parent category does not exist"},
    {"no_such_row", "没有该行", "No such row"},
};

Error invalid(std::string_view reason, std::string field, int line = 0) {
  std::string d(reason);
  if (line > 0) d += "@" + std::to_string(line);
  return make_error(ErrorCode::kInvalidInput, std::move(d), std::move(field));
}

bool known_limit_unit(const std::string& u) {
  return u == "minutes" || u == "hours" || u == "calendar_days" || u == "working_days";
}
// Rough minutes of a limit, only to compare response with resolution (a working day counts as
// a calendar day here: the order of the two limits is what matters).
int64_t rough_minutes(int64_t amount, const std::string& unit) {
  if (unit == "minutes") return amount;
  if (unit == "hours") return amount * 60;
  return amount * 1440;
}

// Checks a calendar date and returns its weekday (0 = Sunday), or -1.
int weekday_of(const std::string& day) {
  if (day.size() != 10 || day[4] != '-' || day[7] != '-') return -1;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (day[i] < '0' || day[i] > '9') return -1;
  int y = std::stoi(day.substr(0, 4));
  unsigned m = std::stoi(day.substr(5, 2)), d = std::stoi(day.substr(8, 2));
  if (y < 2000 || y > 2100) return -1;
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!ymd.ok()) return -1;
  return static_cast<int>(std::chrono::weekday{std::chrono::sys_days{ymd}}.c_encoding());
}

// What a row is checked against, read in the edit's own transaction.
struct Context {
  std::set<std::string> categories, tiers, unit_types;
  std::vector<store::MatrixRow> matrix;
  std::vector<store::SlaTierRow> tier_rows;
  std::vector<store::CategoryRow> category_rows;
};

Result<Context> load_context(Session& s) {
  Context c;
  auto cats = store::request_config::categories(s);
  if (!cats.ok()) return cats.error();
  c.category_rows = *cats;
  for (const auto& r : *cats) c.categories.insert(r.code);
  auto tiers = store::request_config::sla_tiers(s);
  if (!tiers.ok()) return tiers.error();
  c.tier_rows = *tiers;
  for (const auto& t : *tiers) c.tiers.insert(t.code);
  auto m = store::request_config::matrix(s);
  if (!m.ok()) return m.error();
  c.matrix = *m;
  for (auto t : {rq::kUnitGrid, rq::kUnitVillageCommittee, rq::kUnitTownshipPlatform,
                 rq::kUnitCommandCentre})
    c.unit_types.insert(std::string(t));
  auto kinds = store::config::unit_kinds(s);
  if (!kinds.ok()) return kinds.error();
  for (const auto& k : *kinds) c.unit_types.insert(k);
  return c;
}

Status check_matrix_row(const store::MatrixRow& r, const Context& c, int line = 0) {
  if (r.category != "*" && !c.categories.count(r.category))
    return invalid("unknown_category", "category", line);
  if (!c.unit_types.count(r.unit_type)) return invalid("unit_type_unknown", "unit_type", line);
  if (r.level < 3 || r.level > 6) return invalid("level_out_of_range", "level", line);
  int own = r.unit_type == rq::kUnitGrid               ? 6
            : r.unit_type == rq::kUnitVillageCommittee ? 5
            : r.unit_type == rq::kUnitTownshipPlatform ? 4
            : r.unit_type == rq::kUnitCommandCentre    ? 3
                                                       : 0;
  if ((own && r.level != own) || (!own && r.level > 5))
    return invalid("level_mismatch", "level", line);
  if (!r.sla_tier.empty() && !c.tiers.count(r.sla_tier))
    return invalid("unknown_tier", "sla_tier", line);
  return {};
}

Status check_tier(const store::SlaTierRow& t, int line = 0) {
  if (t.code.empty() || t.code.size() > 32 ||
      !std::all_of(t.code.begin(), t.code.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
      }))
    return invalid("tier_code_invalid", "code", line);
  if (t.name_zh.empty() || t.name_en.empty() || t.name_zh.size() > 300 || t.name_en.size() > 100)
    return invalid("name_required", t.name_zh.empty() ? "name_zh" : "name_en", line);
  if (t.response_amount < 1 || t.response_amount > 100000)
    return invalid("amount_out_of_range", "response_amount", line);
  if (!known_limit_unit(t.response_unit))
    return invalid("limit_unit_invalid", "response_unit", line);
  if (t.resolution_amount < 1 || t.resolution_amount > 100000)
    return invalid("amount_out_of_range", "resolution_amount", line);
  if (!known_limit_unit(t.resolution_unit))
    return invalid("limit_unit_invalid", "resolution_unit", line);
  if (!(t.warn_fraction >= 0 && t.warn_fraction < 1))
    return invalid("warning_invalid", "warn_fraction", line);
  if (t.warn_minutes < 0 || t.warn_minutes > 525600)
    return invalid("warning_invalid", "warn_minutes", line);
  if (rough_minutes(t.response_amount, t.response_unit) >
      rough_minutes(t.resolution_amount, t.resolution_unit))
    return invalid("response_after_resolution", "response_amount", line);
  return {};
}

Status check_holiday(const store::config::HolidayRow& h, int line = 0) {
  int wd = weekday_of(h.day);
  if (wd < 0) return invalid("date_invalid", "day", line);
  if (h.kind != "holiday" && h.kind != "workday") return invalid("kind_invalid", "kind", line);
  if (h.kind == "workday" && wd != 0 && wd != 6) return invalid("workday_not_weekend", "day", line);
  return {};
}

json matrix_json(const store::MatrixRow& r) {
  return {{"category", r.category},
          {"unit_type", r.unit_type},
          {"level", r.level},
          {"sla_tier", r.sla_tier}};
}
json tier_json(const store::SlaTierRow& t) {
  return {{"code", t.code},
          {"name_zh", t.name_zh},
          {"name_en", t.name_en},
          {"response", std::to_string(t.response_amount) + " " + t.response_unit},
          {"resolution", std::to_string(t.resolution_amount) + " " + t.resolution_unit},
          {"warn_fraction", t.warn_fraction},
          {"warn_minutes", t.warn_minutes},
          {"default", t.is_default}};
}

// ---- CSV ----
const std::vector<std::string> kMatrixHeader = {"category", "unit_type", "level", "sla_tier"};
const std::vector<std::string> kTierHeader = {
    "code",          "name_zh",           "name_en",         "response_amount",
    "response_unit", "resolution_amount", "resolution_unit", "warn_fraction",
    "warn_minutes",  "is_default"};
const std::vector<std::string> kHolidayHeader = {"day", "kind"};

Result<int64_t> to_int(const std::string& v, const std::string& field, int line) {
  if (v.empty() || v.size() > 12) return invalid("not_a_number", field, line);
  size_t i = v[0] == '-' ? 1 : 0;
  if (i == v.size()) return invalid("not_a_number", field, line);
  for (; i < v.size(); ++i)
    if (v[i] < '0' || v[i] > '9') return invalid("not_a_number", field, line);
  return std::stoll(v);
}
Result<double> to_double(const std::string& v, const std::string& field, int line) {
  if (v.empty()) return 0.0;
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (end != v.c_str() + v.size()) return invalid("not_a_number", field, line);
  return d;
}

}  // namespace

std::string config_reason_text(std::string_view reason, Lang lang) {
  std::string_view text = reason_text(kReasons, reason.substr(0, reason.find('@')), lang);
  return std::string(text.empty() ? reason : text);
}

Result<ConfigKind> parse_config_kind(std::string_view s) {
  if (s == "matrix") return ConfigKind::kMatrix;
  if (s == "sla") return ConfigKind::kSla;
  if (s == "holidays") return ConfigKind::kHolidays;
  return make_error(ErrorCode::kBadRequest, "kind is matrix, sla or holidays", "kind");
}

Status ConfigService::require_editor(const auth::Principal& p) {
  if (p.role != auth::Role::kAdmin && p.role != auth::Role::kCommand)
    return make_error(ErrorCode::kForbidden, "configuration is for admin and command roles");
  return {};
}

Status ConfigService::edit(const std::string& actor, std::optional<int64_t> actor_id,
                           const auth::Principal* p, const std::string& action,
                           const std::string& target,
                           const std::function<Result<std::string>(Session&)>& fn) {
  int64_t now = app_.clock().now_ms();
  Status st = app_.db().write([&](Session& s) -> Status {
    auto detail = fn(s);
    if (!detail.ok()) return detail.error();
    auto v = store::config::bump_version(s, now, actor);
    if (!v.ok()) return v.error();
    store::AuditEntry e;
    e.at = now;
    e.actor_id = actor_id;
    e.actor_name = actor;
    e.action = action;
    e.target_type = "config";
    e.target_id = target;
    e.detail = *detail;
    if (p) {
      e.ip = p->ip;
      e.request_id = p->request_id;
      e.scope_code = p->scope_code;
    }
    return store::audit::append(s, e);
  });
  if (st.ok()) app_.requests().config_changed();  // this node reloads at once
  return st;
}

Result<ConfigView> ConfigService::get(const auth::Principal& p) {
  GJ_TRY(require_editor(p));
  return app_.db().read_value<ConfigView>([&](Session& s) -> Result<ConfigView> {
    ConfigView v;
    auto ver = store::config::version(s);
    if (!ver.ok()) return ver.error();
    v.version = *ver;
    auto c = load_context(s);
    if (!c.ok()) return c.error();
    v.matrix = c->matrix;
    v.tiers = c->tier_rows;
    v.categories = c->category_rows;
    v.unit_types.assign(c->unit_types.begin(), c->unit_types.end());
    auto h = store::config::holidays(s);
    if (!h.ok()) return h.error();
    v.holidays = *h;
    return v;
  });
}

Result<store::MatrixRow> ConfigService::put_matrix(const auth::Principal& p, store::MatrixRow row) {
  GJ_TRY(require_editor(p));
  GJ_TRY(edit(p.username, p.user_id, &p, "config.matrix.put", row.category,
              [&](Session& s) -> Result<std::string> {
                auto c = load_context(s);
                if (!c.ok()) return c.error();
                GJ_TRY(check_matrix_row(row, *c));
                auto v = store::config::version(s);
                if (!v.ok()) return v.error();
                row.version = "cfg-" + std::to_string(v->version + 1);
                GJ_TRY(store::config::upsert_matrix(s, row));
                return matrix_json(row).dump();
              }));
  return row;
}

Status ConfigService::delete_matrix(const auth::Principal& p, const std::string& category) {
  GJ_TRY(require_editor(p));
  if (category == "*") return invalid("default_row_required", "category");
  return edit(p.username, p.user_id, &p, "config.matrix.delete", category,
              [&](Session& s) -> Result<std::string> {
                auto d = store::config::delete_matrix(s, category);
                if (!d.ok()) return d.error();
                if (!*d) return make_error(ErrorCode::kNotFound, "no such matrix row");
                return std::string();
              });
}

Result<store::SlaTierRow> ConfigService::put_tier(const auth::Principal& p, store::SlaTierRow row) {
  GJ_TRY(require_editor(p));
  GJ_TRY(check_tier(row));
  GJ_TRY(edit(p.username, p.user_id, &p, "config.sla.put", row.code,
              [&](Session& s) -> Result<std::string> {
                auto c = load_context(s);
                if (!c.ok()) return c.error();
                // Taking the flag from the only default would leave none.
                for (const auto& t : c->tier_rows)
                  if (t.code == row.code && t.is_default && !row.is_default)
                    return invalid("default_tier_required", "is_default");
                if (c->tier_rows.empty() && !row.is_default)
                  return invalid("default_tier_required", "is_default");
                GJ_TRY(store::config::upsert_tier(s, row));
                return tier_json(row).dump();
              }));
  return row;
}

Result<store::config::HolidayRow> ConfigService::put_holiday(const auth::Principal& p,
                                                             store::config::HolidayRow row) {
  GJ_TRY(require_editor(p));
  GJ_TRY(check_holiday(row));
  GJ_TRY(edit(p.username, p.user_id, &p, "config.holiday.put", row.day,
              [&](Session& s) -> Result<std::string> {
                GJ_TRY(store::config::upsert_holiday(s, row));
                return json{{"day", row.day}, {"kind", row.kind}}.dump();
              }));
  return row;
}

Status ConfigService::delete_holiday(const auth::Principal& p, const std::string& day) {
  GJ_TRY(require_editor(p));
  if (weekday_of(day) < 0) return invalid("date_invalid", "day");
  return edit(p.username, p.user_id, &p, "config.holiday.delete", day,
              [&](Session& s) -> Result<std::string> {
                auto d = store::config::delete_holiday(s, day);
                if (!d.ok()) return d.error();
                if (!*d) return make_error(ErrorCode::kNotFound, "no such day");
                return std::string();
              });
}

Result<store::CategoryRow> ConfigService::add_category(const auth::Principal& p,
                                                       store::CategoryRow row) {
  GJ_TRY(require_editor(p));
  const auto& code = row.code;
  bool digits =
      code.size() >= 2 && code.size() <= 8 &&
      std::all_of(code.begin(), code.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  if (!digits || code.size() <= row.parent_code.size() || code.rfind(row.parent_code, 0) != 0)
    return invalid("category_code_invalid", "code");
  if (row.name_zh.empty() || row.name_en.empty() || row.name_zh.size() > 300 ||
      row.name_en.size() > 200)
    return invalid("name_required", row.name_zh.empty() ? "name_zh" : "name_en");
  GJ_TRY(edit(p.username, p.user_id, &p, "config.category.add", code,
              [&](Session& s) -> Result<std::string> {
                auto c = load_context(s);
                if (!c.ok()) return c.error();
                if (c->categories.count(code)) return invalid("category_exists", "code");
                if (!row.parent_code.empty() && !c->categories.count(row.parent_code))
                  return invalid("parent_unknown", "parent_code");
                if (row.sla_tier.empty()) {
                  for (const auto& t : c->tier_rows)
                    if (t.is_default) row.sla_tier = t.code;
                }
                if (!c->tiers.count(row.sla_tier)) return invalid("unknown_tier", "sla_tier");
                GJ_TRY(store::config::insert_category(s, row));
                return json{{"code", code},
                            {"parent_code", row.parent_code},
                            {"name_zh", row.name_zh},
                            {"sla_tier", row.sla_tier}}
                    .dump();
              }));
  return row;
}

Result<std::string> ConfigService::export_csv(ConfigKind kind) {
  return app_.db().read_value<std::string>([&](Session& s) -> Result<std::string> {
    std::string out;
    if (kind == ConfigKind::kMatrix) {
      out = csv::format_record(kMatrixHeader) + "\n";
      auto m = store::request_config::matrix(s);
      if (!m.ok()) return m.error();
      for (const auto& r : *m)
        out += csv::format_record({r.category, r.unit_type, std::to_string(r.level), r.sla_tier}) +
               "\n";
    } else if (kind == ConfigKind::kSla) {
      out = csv::format_record(kTierHeader) + "\n";
      auto t = store::request_config::sla_tiers(s);
      if (!t.ok()) return t.error();
      for (const auto& r : *t) {
        std::ostringstream f;
        f << r.warn_fraction;
        out += csv::format_record({r.code, r.name_zh, r.name_en, std::to_string(r.response_amount),
                                   r.response_unit, std::to_string(r.resolution_amount),
                                   r.resolution_unit, f.str(), std::to_string(r.warn_minutes),
                                   r.is_default ? "1" : "0"}) +
               "\n";
      }
    } else {
      out = csv::format_record(kHolidayHeader) + "\n";
      auto h = store::config::holidays(s);
      if (!h.ok()) return h.error();
      for (const auto& r : *h) out += csv::format_record({r.day, r.kind}) + "\n";
    }
    return out;
  });
}

Result<int> ConfigService::import_csv(ConfigKind kind, const std::string& path,
                                      const std::string& by) {
  auto table = csv::read_file(path);
  if (!table.ok()) return table.error();
  const auto& want = kind == ConfigKind::kMatrix ? kMatrixHeader
                     : kind == ConfigKind::kSla  ? kTierHeader
                                                 : kHolidayHeader;
  if (table->header != want) return invalid("csv_header", "header", 1);
  if (table->rows.size() > 10000) return invalid("too_many_rows", "rows");
  for (size_t i = 0; i < table->rows.size(); ++i)
    if (table->rows[i].size() != want.size()) return invalid("csv_columns", "row", int(i) + 2);
  int count = static_cast<int>(table->rows.size());
  const char* action = kind == ConfigKind::kMatrix ? "config.matrix.import"
                       : kind == ConfigKind::kSla  ? "config.sla.import"
                                                   : "config.holiday.import";
  GJ_TRY(edit(by, std::nullopt, nullptr, action, path, [&](Session& s) -> Result<std::string> {
    auto c = load_context(s);
    if (!c.ok()) return c.error();
    std::set<std::string> keys;
    if (kind == ConfigKind::kMatrix) {
      auto v = store::config::version(s);
      if (!v.ok()) return v.error();
      std::vector<store::MatrixRow> rows;
      for (size_t i = 0; i < table->rows.size(); ++i) {
        const auto& r = table->rows[i];
        int line = int(i) + 2;
        auto level = to_int(r[2], "level", line);
        if (!level.ok()) return level.error();
        store::MatrixRow m{r[0], r[1], static_cast<int>(*level), r[3],
                           "cfg-" + std::to_string(v->version + 1)};
        GJ_TRY(check_matrix_row(m, *c, line));
        if (!keys.insert(m.category).second) return invalid("duplicate_row", "category", line);
        rows.push_back(std::move(m));
      }
      if (!keys.count("*")) return invalid("default_row_required", "category");
      GJ_TRY(store::config::replace_matrix(s, rows));
    } else if (kind == ConfigKind::kSla) {
      std::vector<store::SlaTierRow> rows;
      int defaults = 0;
      for (size_t i = 0; i < table->rows.size(); ++i) {
        const auto& r = table->rows[i];
        int line = int(i) + 2;
        auto ra = to_int(r[3], "response_amount", line);
        if (!ra.ok()) return ra.error();
        auto sa = to_int(r[5], "resolution_amount", line);
        if (!sa.ok()) return sa.error();
        auto wf = to_double(r[7], "warn_fraction", line);
        if (!wf.ok()) return wf.error();
        auto wm = to_int(r[8].empty() ? "0" : r[8], "warn_minutes", line);
        if (!wm.ok()) return wm.error();
        if (r[9] != "0" && r[9] != "1" && !r[9].empty())
          return invalid("not_a_number", "is_default", line);
        store::SlaTierRow t{r[0], r[1], r[2], *ra, r[4], *sa, r[6], *wf, *wm, r[9] == "1"};
        GJ_TRY(check_tier(t, line));
        if (!keys.insert(t.code).second) return invalid("duplicate_row", "code", line);
        defaults += t.is_default;
        rows.push_back(std::move(t));
      }
      if (defaults != 1) return invalid("default_tier_required", "is_default");
      // Every tier still named by a category, a matrix row or a ticket stays.
      std::set<std::string> used;
      for (const auto& cat : c->category_rows) used.insert(cat.sla_tier);
      for (const auto& m : c->matrix)
        if (!m.sla_tier.empty()) used.insert(m.sla_tier);
      auto in_use = store::config::tiers_in_use(s);
      if (!in_use.ok()) return in_use.error();
      used.insert(in_use->begin(), in_use->end());
      for (const auto& u : used)
        if (!keys.count(u)) return invalid("tier_in_use", u);
      GJ_TRY(store::config::replace_tiers(s, rows));
    } else {
      std::vector<store::config::HolidayRow> rows;
      for (size_t i = 0; i < table->rows.size(); ++i) {
        const auto& r = table->rows[i];
        int line = int(i) + 2;
        store::config::HolidayRow h{r[0], r[1]};
        GJ_TRY(check_holiday(h, line));
        if (!keys.insert(h.day).second) return invalid("duplicate_row", "day", line);
        rows.push_back(std::move(h));
      }
      GJ_TRY(store::config::replace_holidays(s, rows));
    }
    return json{{"rows", count}}.dump();
  }));
  return count;
}

// ---- the watch ----

std::optional<int64_t> ConfigWatch::poll(store::Database& db, store::Session* in) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    if (version_ && now - last_ < interval_) return version_;
  }
  // The read runs outside the lock: a slow store must not queue every intake behind it.
  std::optional<int64_t> v;
  auto read = [&](Session& s) -> Status {
    auto r = store::config::version(s);
    if (r.ok()) v = r->version;
    return {};
  };
  (void)(in ? read(*in) : db.read(read));
  std::lock_guard lock(mu_);
  if (v) {
    version_ = v;
    last_ = now;
  }
  return version_;
}

void ConfigWatch::force() {
  std::lock_guard lock(mu_);
  last_ = {};
}

void ConfigWatch::set_interval(std::chrono::milliseconds interval) {
  std::lock_guard lock(mu_);
  interval_ = interval;
}

}  // namespace gj::app
