// k-fold cross-validation and the scores staff and engineers read: per-category precision,
// recall and F1, macro-F1 (every category counts the same, however rare) and accuracy.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace gj::classify {

struct Example;
struct TrainOptions;

// Fold 0..k-1 for each label, stratified: each category is shuffled (fixed seed) and dealt
// round-robin, continuing the deal across categories so fold sizes differ by at most one.
std::vector<int> stratified_folds(const std::vector<std::string>& labels, int k, uint64_t seed);

struct CategoryScore {
  std::string category;
  double precision = 0, recall = 0, f1 = 0;
  int support = 0;  // examples whose true category this is
};

struct Scores {
  std::vector<CategoryScore> categories;  // sorted by name
  double macro_f1 = 0;
  double accuracy = 0;
  size_t n = 0;
};

// Scores predictions against the truth. Categories are those in either list; a category never
// predicted has precision 0 (as sklearn's zero_division=0).
Scores score(const std::vector<std::string>& truth, const std::vector<std::string>& predicted);

struct CrossValidation {
  Scores scores;                       // over all out-of-fold predictions pooled
  std::vector<std::string> predicted;  // out-of-fold top suggestion per example
  std::vector<double> confidence;      // its confidence
  double mean_confidence = 0;          // compare with accuracy: calibration at a glance
  double log_loss = 0;                 // mean −ln p(true category)
  int folds = 0;
};

// Trains on all folds but one and predicts the held-out fold, for each fold. fold_of[i] in
// [0, k). progress(f, k) is called before each fold.
Result<CrossValidation> cross_validate(const std::vector<Example>& examples,
                                       const std::vector<int>& fold_of, const TrainOptions& options,
                                       const std::function<void(int, int)>& progress = {});

}  // namespace gj::classify
