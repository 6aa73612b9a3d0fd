#include "app/category_suggest.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "domain/classify/training_data.hpp"
#include "store/repos/requests_repo.hpp"

namespace gj::app {

namespace cl = gj::classify;
using nlohmann::json;
using store::Session;

CategorySuggestion suggestion_from_row(const store::CategorySuggestionRow& row) {
  CategorySuggestion s;
  s.model_version = row.model_version;
  s.applied = row.applied;
  auto j = json::parse(row.alternatives, nullptr, false);
  if (j.is_array())
    for (const auto& a : j)
      if (a.is_object()) s.top.push_back({a.value("code", ""), a.value("confidence", 0.0), {}, {}});
  if (s.top.empty() || s.top.front().code != row.category)
    s.top.insert(s.top.begin(), {row.category, row.confidence, {}, {}});
  return s;
}

store::CategorySuggestionRow suggestion_to_row(int64_t ticket_id, const CategorySuggestion& s,
                                               int64_t now_ms) {
  store::CategorySuggestionRow r;
  r.ticket_id = ticket_id;
  r.model_version = s.model_version;
  if (!s.top.empty()) {
    r.category = s.top.front().code;
    r.confidence = s.top.front().confidence;
  }
  json alt = json::array();
  for (const auto& c : s.top) alt.push_back({{"code", c.code}, {"confidence", c.confidence}});
  r.alternatives = alt.dump();
  r.applied = s.applied;
  r.created_at = now_ms;
  return r;
}

int64_t CategorySuggester::loaded_version() const {
  std::lock_guard lock(mu_);
  return loaded_ ? loaded_->version : 0;
}

Result<std::shared_ptr<const CategorySuggester::Loaded>> CategorySuggester::current(Session& s) {
  auto v = store::classifier_models::active_version(s);
  if (!v.ok()) return v.error();
  {
    std::lock_guard lock(mu_);
    if (loaded_ && loaded_->version == *v) return loaded_;
  }
  if (*v == 0) return std::shared_ptr<const Loaded>();
  // Deserialise outside the lock: readers keep using the old model meanwhile; the new one is
  // swapped in whole (a shared_ptr), so a request never sees half a model.
  auto row = store::classifier_models::get(s, *v);
  if (!row.ok()) return row.error();
  auto model = cl::Classifier::deserialize(row->model);
  if (!model.ok()) return model.error();
  auto fresh = std::make_shared<Loaded>();
  fresh->version = *v;
  fresh->model = std::move(*model);
  std::lock_guard lock(mu_);
  if (!loaded_ || loaded_->version < fresh->version) loaded_ = fresh;
  return std::shared_ptr<const Loaded>(fresh);
}

Result<std::optional<CategorySuggestion>> CategorySuggester::suggest(Session& s,
                                                                     std::string_view subject,
                                                                     std::string_view text) {
  auto m = current(s);
  if (!m.ok()) return m.error();
  if (!*m) return std::optional<CategorySuggestion>();
  CategorySuggestion out;
  out.model_version = (*m)->version;
  auto all = (*m)->model.predict(subject, text);
  for (size_t i = 0; i < all.size() && i < kTop; ++i)
    out.top.push_back({all[i].category, all[i].confidence, {}, {}});
  return std::optional<CategorySuggestion>(std::move(out));
}

// ---------------------------------------------------------------- learning

namespace {

Result<std::vector<cl::Example>> examples_from_csv(Session& s, const std::string& path,
                                                   std::string& err_detail) {
  auto rows = cl::read_messages_csv(path, true);
  if (!rows.ok()) return rows.error();
  auto cats = store::request_config::categories(s);
  if (!cats.ok()) return cats.error();
  // The file labels by first-level Chinese name 一级分类; the deployment's tree gives the code.
  std::map<std::string, std::string> code_of;
  for (const auto& c : *cats)
    if (c.parent_code.empty()) code_of[c.name_zh] = c.code;
  std::vector<cl::Example> out;
  std::map<std::string, int> unknown;
  for (auto& r : *rows) {
    auto it = code_of.find(r.example.category);
    if (it == code_of.end()) {
      ++unknown[r.example.category];
      continue;
    }
    r.example.category = it->second;
    out.push_back(std::move(r.example));
  }
  if (!unknown.empty()) {
    err_detail = "categories not in this deployment's tree (skipped):";
    for (const auto& [name, n] : unknown) err_detail += " " + name + "×" + std::to_string(n);
  }
  return out;
}

}  // namespace

Result<LearnReport> learn_categories(store::Database& db, const LearnOptions& opt, TimePoint now) {
  auto say = [&](const std::string& m) {
    if (opt.progress) opt.progress(m);
  };
  LearnReport rep;
  rep.source = opt.csv_path.empty() ? "store" : "csv";
  std::vector<cl::Example> examples;
  std::string skipped;
  Status st = db.read([&](Session& s) -> Status {
    if (!opt.csv_path.empty()) {
      auto ex = examples_from_csv(s, opt.csv_path, skipped);
      if (!ex.ok()) return ex.error();
      examples = std::move(*ex);
      return {};
    }
    auto rows = store::closed_requests::list(s);
    if (!rows.ok()) return rows.error();
    for (auto& r : *rows)
      examples.push_back({std::move(r.subject), std::move(r.body), std::move(r.category)});
    return {};
  });
  if (!st.ok()) return st.error();
  if (!skipped.empty()) say(skipped);
  for (const auto& e : examples) ++rep.counts[e.category];
  rep.examples = static_cast<int64_t>(examples.size());
  say("read " + std::to_string(examples.size()) + " labelled requests in " +
      std::to_string(rep.counts.size()) + " categories from " + rep.source);
  if (rep.examples < opt.min_examples)
    return make_error(
        ErrorCode::kInvalidInput,
        "too few closed requests with a category to learn from: " + std::to_string(rep.examples) +
            " (need at least " + std::to_string(opt.min_examples) + ")");
  if (rep.counts.size() < 2)
    return make_error(ErrorCode::kInvalidInput,
                      "all closed requests share one category: nothing to tell apart");
  // Categories with a single example say nothing: the classifier refuses them, so drop them.
  std::vector<cl::Example> usable;
  for (auto& e : examples)
    if (rep.counts[e.category] >= cl::Classifier::kMinExamplesPerCategory)
      usable.push_back(std::move(e));
  for (auto it = rep.counts.begin(); it != rep.counts.end();) {
    if (it->second < cl::Classifier::kMinExamplesPerCategory) {
      say("skipping category " + it->first + " (1 example)");
      it = rep.counts.erase(it);
    } else {
      ++it;
    }
  }
  if (rep.counts.size() < 2)
    return make_error(ErrorCode::kInvalidInput,
                      "fewer than two categories with at least two examples each");
  rep.examples = static_cast<int64_t>(usable.size());

  cl::TrainOptions topt;
  topt.progress = opt.progress;
  json metrics = json::object();
  int min_count = usable.size();
  for (const auto& [c, n] : rep.counts) min_count = std::min(min_count, n);
  if (opt.folds >= 2 && min_count >= opt.folds) {
    std::vector<std::string> labels;
    for (const auto& e : usable) labels.push_back(e.category);
    auto folds = cl::stratified_folds(labels, opt.folds, 0);
    cl::TrainOptions quiet = topt;
    quiet.progress = nullptr;
    auto cv = cl::cross_validate(usable, folds, quiet, [&](int f, int k) {
      say("cross-validation fold " + std::to_string(f + 1) + "/" + std::to_string(k));
    });
    if (!cv.ok()) return cv.error();
    rep.cv = cv->scores;
    rep.folds = opt.folds;
    metrics = {{"cv_macro_f1", cv->scores.macro_f1},
               {"cv_accuracy", cv->scores.accuracy},
               {"cv_mean_confidence", cv->mean_confidence},
               {"folds", opt.folds}};
  } else {
    say("too few examples per category for " + std::to_string(opt.folds) +
        "-fold cross-validation; no score computed");
  }
  auto model = cl::Classifier::train(usable, topt);
  if (!model.ok()) return model.error();
  json counts = json::object();
  for (const auto& [c, n] : rep.counts) counts[c] = n;
  store::ClassifierModelRow row;
  row.trained_at = now.time_since_epoch().count();
  row.examples = rep.examples;
  row.categories = counts.dump();
  row.metrics = metrics.dump();
  row.source = rep.source;
  row.model = model->serialize();
  auto v = db.write_value<int64_t>(
      [&](Session& s) { return store::classifier_models::insert_active(s, row); });
  if (!v.ok()) return v.error();
  rep.version = *v;
  return rep;
}

}  // namespace gj::app
