// Repositories of category suggestion 分类建议 (migration 0006): stored classifier model
// versions (one active), the closed requests they learn from, and the suggestion made for each
// ticket. Typed functions over a Session, run inside the caller's transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"

namespace gj::store {

struct ClassifierModelRow {
  int64_t version = 0;
  int64_t trained_at = 0;  // epoch ms
  int64_t examples = 0;
  std::string categories;  // JSON {code: count}
  std::string metrics;     // JSON
  std::string source;      // store | csv
  std::string model;       // Classifier::serialize(); empty in summaries
  bool active = false;
};

// One closed request as a training example: its text and final category code.
struct ClosedRequestRow {
  int64_t id = 0;
  std::string subject, body, category;
};

struct CategorySuggestionRow {
  int64_t ticket_id = 0, model_version = 0;
  std::string category;
  double confidence = 0;
  std::string alternatives;  // JSON [{"code":…, "confidence":…}], most likely first
  bool applied = false;      // intake set the ticket's category from it
  int64_t created_at = 0;
};

namespace classifier_models {
// Stores a model and makes it the only active one; returns its version.
Result<int64_t> insert_active(Session& s, const ClassifierModelRow& row);
// The active version, or 0 when none: a cheap check before using a cached model.
Result<int64_t> active_version(Session& s);
// The model with its bytes; kNotFound when absent.
Result<ClassifierModelRow> get(Session& s, int64_t version);
// Versions, newest first, without the model text.
Result<std::vector<ClassifierModelRow>> list(Session& s);
}  // namespace classifier_models

namespace closed_requests {
// Requests whose handling ended with a confirmed category 已办结/回访/已评价, oldest first.
Result<std::vector<ClosedRequestRow>> list(Session& s);
}  // namespace closed_requests

namespace ticket_category {
// Sets a ticket's category column (tickets::update leaves it alone: routing fixed it at intake).
Status set(Session& s, int64_t ticket_id, const std::string& category);
}  // namespace ticket_category

namespace category_suggestions {
Status put(Session& s, const CategorySuggestionRow& row);
Result<std::optional<CategorySuggestionRow>> get(Session& s, int64_t ticket_id);
}  // namespace category_suggestions

}  // namespace gj::store
