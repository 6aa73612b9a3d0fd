// One-vs-rest L2-regularised L2-loss linear SVM trained by dual coordinate descent
// (Hsieh et al., ICML 2008; the LIBLINEAR solver behind sklearn's LinearSVC). Linear SVMs are the
// strongest simple learners for sparse text features with few examples, and train in
// milliseconds on a county's requests.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "domain/classify/text_features.hpp"

namespace gj::classify {

struct SvmOptions {
  double c = 1.0;        // inverse regularisation strength
  bool balanced = true;  // weight each example by n / (k * n_class): small categories count
  double tolerance = 1e-3;
  int max_iterations = 1000;
  uint64_t seed = 42;  // order of coordinate updates; fixed so training is reproducible
};

// Weights for every class over n_features plus a bias (an extra always-1 feature, regularised as
// LIBLINEAR does).
struct LinearModel {
  int n_features = 0;
  int n_classes = 0;
  // Single precision: plenty for a linear text model, and half the memory of a server holding a
  // model with hundreds of thousands of n-grams for dozens of categories.
  std::vector<float> weights;  // row-major [class][feature]
  std::vector<double> bias;    // [class]

  double margin(int cls, const SparseVector& x) const;
  std::vector<double> margins(const SparseVector& x) const;
};

// labels[i] in [0, n_classes). progress(cls) is called before each class is trained.
LinearModel train_linear_svm(const std::vector<SparseVector>& x, const std::vector<int>& labels,
                             int n_classes, int n_features, const SvmOptions& options,
                             const std::function<void(int)>& progress = {});

// A small deterministic generator (SplitMix64) so results do not depend on the standard
// library's distribution implementations.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next();
  // Uniform-ish integer in [0, n).
  uint64_t below(uint64_t n) { return next() % n; }

 private:
  uint64_t state_;
};

template <typename T>
void deterministic_shuffle(std::vector<T>& v, SplitMix64& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

}  // namespace gj::classify
