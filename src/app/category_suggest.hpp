// Category suggestion 分类建议 in the product: the classifier (src/domain/classify) learnt from
// the deployment's own closed requests, stored as versioned models in the database, loaded once
// per process and swapped when a newer version becomes active. Staff always see the suggestion
// with its confidence and may override it; without a model everything works without one.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/classify/classifier.hpp"
#include "domain/classify/evaluation.hpp"
#include "store/db.hpp"
#include "store/repos/classifier_repo.hpp"

namespace gj::app {

struct ScoredCategory {
  std::string code;
  double confidence = 0;
  std::string name_zh, name_en;  // filled from the deployment's tree by the service
};

// The suggestion for one text: the most likely categories (at most 3), most likely first.
struct CategorySuggestion {
  int64_t model_version = 0;
  std::vector<ScoredCategory> top;
  bool applied = false;  // intake set the ticket's category from it
};

// Parses a stored suggestion row back to the view (alternatives JSON).
CategorySuggestion suggestion_from_row(const store::CategorySuggestionRow& row);
// The row to store for a ticket.
store::CategorySuggestionRow suggestion_to_row(int64_t ticket_id, const CategorySuggestion& s,
                                               int64_t now_ms);

class CategorySuggester {
 public:
  static constexpr double kDefaultThreshold = 0.6;
  static constexpr size_t kTop = 3;

  // The suggestion of the active model, or nullopt when the store has no model. Reads the
  // active version (one indexed query) and reloads the model only when it changed, so a model
  // stored by `classify learn` on another process is picked up without a restart.
  Result<std::optional<CategorySuggestion>> suggest(store::Session& s, std::string_view subject,
                                                    std::string_view text);
  // The version currently loaded in memory (0: none yet).
  int64_t loaded_version() const;

 private:
  struct Loaded {
    int64_t version = 0;
    classify::Classifier model;
  };
  Result<std::shared_ptr<const Loaded>> current(store::Session& s);

  mutable std::mutex mu_;
  std::shared_ptr<const Loaded> loaded_;
};

struct LearnOptions {
  int min_examples = 20;  // fewer closed requests than this: refuse
  int folds = 5;          // k-fold CV when every category has at least this many examples
  std::string csv_path;   // seed from a labelled CSV (一级分类 names mapped to L1 codes)
  std::function<void(std::string_view)> progress;
};

struct LearnReport {
  int64_t version = 0;
  int64_t examples = 0;
  std::map<std::string, int> counts;   // category code → examples
  std::optional<classify::Scores> cv;  // when there were enough examples per category
  int folds = 0;
  std::string source;  // store | csv
};

// Trains on the store's closed requests (or the CSV) and stores a new active model version.
// kInvalidInput with a clear message when there are too few examples or a single category.
Result<LearnReport> learn_categories(store::Database& db, const LearnOptions& options,
                                     TimePoint now);

}  // namespace gj::app
