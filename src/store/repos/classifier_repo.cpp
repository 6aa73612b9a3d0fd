#include "store/repos/classifier_repo.hpp"

namespace gj::store {
namespace {

constexpr std::string_view kDeactivate = "UPDATE classifier_models SET active = 0 WHERE active = 1";
constexpr std::string_view kInsertModel =
    "INSERT INTO classifier_models (trained_at, examples, categories, metrics, source, model, "
    "active) VALUES ($1, $2, $3, $4, $5, $6, 1) RETURNING version";
constexpr std::string_view kActiveVersion =
    "SELECT COALESCE(MAX(version), 0) FROM classifier_models WHERE active = 1";
constexpr std::string_view kGetModel =
    "SELECT version, trained_at, examples, categories, metrics, source, model, active "
    "FROM classifier_models WHERE version = $1";
constexpr std::string_view kListModels =
    "SELECT version, trained_at, examples, categories, metrics, source, '', active "
    "FROM classifier_models ORDER BY version DESC";
// Closed with a confirmed category: completed 已办结, in callback 回访中 or rated 已评价.
constexpr std::string_view kClosed =
    "SELECT id, subject, body, category FROM tickets "
    "WHERE status IN ('completed', 'callback', 'rated') AND category <> '' ORDER BY id";
constexpr std::string_view kPutSuggestion =
    "INSERT INTO ticket_category_suggestions (ticket_id, model_version, category, confidence, "
    "alternatives, applied, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
    "ON CONFLICT (ticket_id) DO UPDATE SET model_version = excluded.model_version, "
    "category = excluded.category, confidence = excluded.confidence, "
    "alternatives = excluded.alternatives, applied = excluded.applied, "
    "created_at = excluded.created_at";
constexpr std::string_view kGetSuggestion =
    "SELECT ticket_id, model_version, category, confidence, alternatives, applied, created_at "
    "FROM ticket_category_suggestions WHERE ticket_id = $1";

ClassifierModelRow to_model(const Row& r) {
  ClassifierModelRow m;
  m.version = r.i64(0);
  m.trained_at = r.i64(1);
  m.examples = r.i64(2);
  m.categories = r.str(3);
  m.metrics = r.str(4);
  m.source = r.str(5);
  m.model = r.str(6);
  m.active = r.i64(7) != 0;
  return m;
}

}  // namespace

namespace classifier_models {

Result<int64_t> insert_active(Session& s, const ClassifierModelRow& row) {
  GJ_TRY(s.exec(kDeactivate));
  auto r = s.query_one(kInsertModel, {row.trained_at, row.examples, row.categories, row.metrics,
                                      row.source, row.model});
  if (!r.ok()) return r.error();
  return r->i64(0);
}

Result<int64_t> active_version(Session& s) {
  auto r = s.query_one(kActiveVersion);
  if (!r.ok()) return r.error();
  return r->i64(0);
}

Result<ClassifierModelRow> get(Session& s, int64_t version) {
  auto r = s.query_one(kGetModel, {version});
  if (!r.ok()) return r.error();
  return to_model(*r);
}

Result<std::vector<ClassifierModelRow>> list(Session& s) {
  auto rows = s.query(kListModels);
  if (!rows.ok()) return rows.error();
  std::vector<ClassifierModelRow> out;
  for (const auto& r : *rows) out.push_back(to_model(r));
  return out;
}

}  // namespace classifier_models

namespace closed_requests {

Result<std::vector<ClosedRequestRow>> list(Session& s) {
  auto rows = s.query(kClosed);
  if (!rows.ok()) return rows.error();
  std::vector<ClosedRequestRow> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back({r.i64(0), r.str(1), r.str(2), r.str(3)});
  return out;
}

}  // namespace closed_requests

namespace ticket_category {

Status set(Session& s, int64_t ticket_id, const std::string& category) {
  auto n = s.exec("UPDATE tickets SET category = $2 WHERE id = $1", {ticket_id, category});
  if (!n.ok()) return n.error();
  if (*n != 1) return make_error(ErrorCode::kNotFound);
  return {};
}

}  // namespace ticket_category

namespace category_suggestions {

Status put(Session& s, const CategorySuggestionRow& row) {
  GJ_TRY(s.exec(kPutSuggestion,
                {row.ticket_id, row.model_version, row.category, row.confidence, row.alternatives,
                 static_cast<int64_t>(row.applied ? 1 : 0), row.created_at}));
  return {};
}

Result<std::optional<CategorySuggestionRow>> get(Session& s, int64_t ticket_id) {
  auto rows = s.query(kGetSuggestion, {ticket_id});
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::optional<CategorySuggestionRow>();
  const Row& r = rows->front();
  CategorySuggestionRow c;
  c.ticket_id = r.i64(0);
  c.model_version = r.i64(1);
  c.category = r.str(2);
  c.confidence = r.f64(3);
  c.alternatives = r.str(4);
  c.applied = r.i64(5) != 0;
  c.created_at = r.i64(6);
  return std::optional<CategorySuggestionRow>(std::move(c));
}

}  // namespace category_suggestions

}  // namespace gj::store
