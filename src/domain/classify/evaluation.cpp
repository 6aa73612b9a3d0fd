#include "domain/classify/evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "domain/classify/classifier.hpp"

namespace gj::classify {

std::vector<int> stratified_folds(const std::vector<std::string>& labels, int k, uint64_t seed) {
  std::map<std::string, std::vector<size_t>> by_class;
  for (size_t i = 0; i < labels.size(); ++i) by_class[labels[i]].push_back(i);
  std::vector<int> fold(labels.size(), 0);
  SplitMix64 rng(seed);
  int next = 0;
  for (auto& [name, idx] : by_class) {
    deterministic_shuffle(idx, rng);
    for (size_t i : idx) {
      fold[i] = next;
      next = (next + 1) % k;
    }
  }
  return fold;
}

Scores score(const std::vector<std::string>& truth, const std::vector<std::string>& predicted) {
  std::set<std::string> names(truth.begin(), truth.end());
  names.insert(predicted.begin(), predicted.end());
  std::map<std::string, int> tp, fp, fn;
  size_t correct = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] == predicted[i]) {
      ++tp[truth[i]];
      ++correct;
    } else {
      ++fn[truth[i]];
      ++fp[predicted[i]];
    }
  }
  Scores s;
  s.n = truth.size();
  for (const auto& name : names) {
    CategoryScore c;
    c.category = name;
    int t = tp[name], p = t + fp[name], a = t + fn[name];
    c.support = a;
    c.precision = p ? static_cast<double>(t) / p : 0;
    c.recall = a ? static_cast<double>(t) / a : 0;
    c.f1 = c.precision + c.recall > 0 ? 2 * c.precision * c.recall / (c.precision + c.recall) : 0;
    s.macro_f1 += c.f1;
    s.categories.push_back(c);
  }
  if (!names.empty()) s.macro_f1 /= static_cast<double>(names.size());
  s.accuracy = truth.empty() ? 0 : static_cast<double>(correct) / truth.size();
  return s;
}

Result<CrossValidation> cross_validate(const std::vector<Example>& examples,
                                       const std::vector<int>& fold_of, const TrainOptions& options,
                                       const std::function<void(int, int)>& progress) {
  if (fold_of.size() != examples.size())
    return make_error(ErrorCode::kInvalidInput, "one fold number is needed per example");
  int k = 0;
  for (int f : fold_of) {
    if (f < 0) return make_error(ErrorCode::kInvalidInput, "fold numbers must be >= 0");
    k = std::max(k, f + 1);
  }
  if (k < 2) return make_error(ErrorCode::kInvalidInput, "cross-validation needs >= 2 folds");

  CrossValidation cv;
  cv.folds = k;
  cv.predicted.assign(examples.size(), {});
  cv.confidence.assign(examples.size(), 0);
  double loss = 0;
  for (int f = 0; f < k; ++f) {
    if (progress) progress(f, k);
    std::vector<Example> train;
    for (size_t i = 0; i < examples.size(); ++i)
      if (fold_of[i] != f) train.push_back(examples[i]);
    auto clf = Classifier::train(train, options);
    if (!clf.ok()) {
      Error e = clf.error();
      e.detail = "fold " + std::to_string(f + 1) + ": " + e.detail;
      return e;
    }
    for (size_t i = 0; i < examples.size(); ++i) {
      if (fold_of[i] != f) continue;
      auto sug = clf->predict(examples[i].subject, examples[i].detail);
      cv.predicted[i] = sug.front().category;
      cv.confidence[i] = sug.front().confidence;
      double p_true = 1e-15;  // a category absent from this fold's training data
      for (const auto& s : sug)
        if (s.category == examples[i].category) p_true = std::max(s.confidence, 1e-15);
      loss -= std::log(p_true);
    }
  }
  std::vector<std::string> truth;
  for (const auto& e : examples) truth.push_back(e.category);
  cv.scores = score(truth, cv.predicted);
  double sum = 0;
  for (double c : cv.confidence) sum += c;
  cv.mean_confidence = examples.empty() ? 0 : sum / examples.size();
  cv.log_loss = examples.empty() ? 0 : loss / examples.size();
  return cv;
}

}  // namespace gj::classify
