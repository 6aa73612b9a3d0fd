#include "domain/classify/linear_svm.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gj::classify {

uint64_t SplitMix64::next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double LinearModel::margin(int cls, const SparseVector& x) const {
  const float* w = &weights[static_cast<size_t>(cls) * n_features];
  double s = bias[cls];
  for (const auto& [i, v] : x)
    if (i < n_features) s += w[i] * v;
  return s;
}

std::vector<double> LinearModel::margins(const SparseVector& x) const {
  std::vector<double> m(n_classes);
  for (int c = 0; c < n_classes; ++c) m[c] = margin(c, x);
  return m;
}

namespace {

// Binary dual coordinate descent for min_w ½‖w‖² + Σ C_i max(0, 1 − y_i wᵀx_i)²,
// with shrinking, following LIBLINEAR's solve_l2r_l1l2_svc.
void solve_binary(const std::vector<SparseVector>& x, const std::vector<signed char>& y,
                  const std::vector<double>& cost, int n_features, const SvmOptions& opt,
                  SplitMix64& rng, double* w, double& b) {
  const size_t l = x.size();
  std::vector<double> alpha(l, 0.0), diag(l), qd(l);
  std::vector<size_t> index(l);
  for (size_t i = 0; i < l; ++i) {
    diag[i] = 0.5 / cost[i];
    double sq = 1.0;  // the bias feature
    for (const auto& [j, v] : x[i]) sq += v * v;
    qd[i] = sq + diag[i];
    index[i] = i;
  }
  std::fill(w, w + n_features, 0.0);
  b = 0;
  size_t active = l;
  double pg_max_old = std::numeric_limits<double>::infinity();
  for (int iter = 0; iter < opt.max_iterations; ++iter) {
    double pg_max_new = -std::numeric_limits<double>::infinity();
    double pg_min_new = std::numeric_limits<double>::infinity();
    for (size_t k = 0; k < active; ++k) std::swap(index[k], index[k + rng.below(active - k)]);
    for (size_t s = 0; s < active; ++s) {
      size_t i = index[s];
      const double yi = y[i];
      double g = b;
      for (const auto& [j, v] : x[i]) g += w[j] * v;
      g = g * yi - 1.0 + alpha[i] * diag[i];
      double pg = 0;
      if (alpha[i] == 0) {
        if (g > pg_max_old) {  // shrink: this example is confidently outside the margin
          --active;
          std::swap(index[s], index[active]);
          --s;
          continue;
        }
        if (g < 0) pg = g;
      } else {
        pg = g;
      }
      pg_max_new = std::max(pg_max_new, pg);
      pg_min_new = std::min(pg_min_new, pg);
      if (std::fabs(pg) > 1e-12) {
        double old = alpha[i];
        alpha[i] = std::max(alpha[i] - g / qd[i], 0.0);
        double d = (alpha[i] - old) * yi;
        for (const auto& [j, v] : x[i]) w[j] += d * v;
        b += d;
      }
    }
    if (pg_max_new - pg_min_new <= opt.tolerance) {
      if (active == l) break;
      active = l;  // converged on the active set: check everything once more
      pg_max_old = std::numeric_limits<double>::infinity();
      continue;
    }
    // With no upper bound on alpha (L2 loss) only examples at alpha = 0 can be shrunk.
    pg_max_old = pg_max_new <= 0 ? std::numeric_limits<double>::infinity() : pg_max_new;
  }
}

}  // namespace

LinearModel train_linear_svm(const std::vector<SparseVector>& x, const std::vector<int>& labels,
                             int n_classes, int n_features, const SvmOptions& options,
                             const std::function<void(int)>& progress) {
  LinearModel m;
  m.n_features = n_features;
  m.n_classes = n_classes;
  m.weights.assign(static_cast<size_t>(n_classes) * n_features, 0.0f);
  m.bias.assign(n_classes, 0.0);
  std::vector<double> w(n_features);  // the solver accumulates in double

  std::vector<int> count(n_classes, 0);
  for (int y : labels) ++count[y];
  std::vector<double> cost(x.size(), options.c);
  if (options.balanced) {
    for (size_t i = 0; i < x.size(); ++i)
      cost[i] = options.c * static_cast<double>(x.size()) / (n_classes * count[labels[i]]);
  }
  SplitMix64 rng(options.seed);
  std::vector<signed char> y(x.size());
  for (int c = 0; c < n_classes; ++c) {
    if (progress) progress(c);
    for (size_t i = 0; i < x.size(); ++i) y[i] = labels[i] == c ? 1 : -1;
    double b = 0;
    solve_binary(x, y, cost, n_features, options, rng, w.data(), b);
    std::copy(w.begin(), w.end(), m.weights.begin() + static_cast<size_t>(c) * n_features);
    m.bias[c] = static_cast<float>(b);  // bias rounded like the weights, so saving is exact
  }
  return m;
}

}  // namespace gj::classify
