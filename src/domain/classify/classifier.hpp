// Category suggestion 分类建议 for incoming requests, learnt from a deployment's own closed
// requests. Staff always see the top suggestions with a confidence and choose or override; the
// classifier never files a request on its own.
//
// Method (docs/classify.md): normalised character 1–2-grams of subject and detail, TF-IDF with
// sublinear tf, a class-balanced one-vs-rest linear SVM, and a softmax over the SVM margins whose
// temperature is fitted on out-of-fold margins so the confidence reads as a probability.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "domain/classify/linear_svm.hpp"
#include "domain/classify/text_features.hpp"

namespace gj::classify {

// One closed request: subject 留言主题/标题, detail 留言详情/内容, and its final category.
struct Example {
  std::string subject;
  std::string detail;
  std::string category;
};

struct Suggestion {
  std::string category;
  double confidence = 0;  // calibrated probability in [0, 1]; all suggestions sum to 1
};

struct TrainOptions {
  TfidfVectorizer::Options features;
  SvmOptions svm;
  // Folds used to fit the confidence temperature on held-out margins (fewer if a category has
  // fewer examples; 0 or 1 keeps the default temperature).
  int calibration_folds = 3;
  std::function<void(std::string_view)> progress;  // human-readable steps, for stderr
};

class Classifier {
 public:
  static constexpr int kFormatVersion = 1;
  // Every category needs this many examples: with one, nothing can be said about it.
  static constexpr int kMinExamplesPerCategory = 2;

  Classifier() = default;

  // Deterministic: the same examples and options give the same model file byte for byte.
  static Result<Classifier> train(const std::vector<Example>& examples,
                                  const TrainOptions& options = {});

  // All categories, most likely first.
  std::vector<Suggestion> predict(std::string_view subject, std::string_view detail) const;
  // Raw one-vs-rest SVM margins in categories() order (for evaluation and calibration).
  std::vector<double> margins(std::string_view subject, std::string_view detail) const;

  // Versioned text model file with a checksum; see docs/classify.md for the layout.
  std::string serialize() const;
  static Result<Classifier> deserialize(std::string_view data);
  Status save(const std::string& path) const;
  static Result<Classifier> load(const std::string& path);

  const std::vector<std::string>& categories() const { return categories_; }
  size_t feature_count() const { return vectorizer_.size(); }
  size_t example_count() const { return examples_; }
  double confidence_scale() const { return scale_; }

 private:
  TfidfVectorizer vectorizer_;
  LinearModel model_;
  std::vector<std::string> categories_;
  SvmOptions svm_;
  double scale_ = 1.0;  // softmax(scale * margin): 1 / temperature
  size_t examples_ = 0;
};

// Softmax of scale * margins (numerically stable).
std::vector<double> softmax(const std::vector<double>& margins, double scale);

// The scale s minimising the mean negative log-likelihood of softmax(s * margins) for the true
// labels (temperature scaling, Guo et al. 2017): one parameter, so it cannot overfit.
double fit_confidence_scale(const std::vector<std::vector<double>>& margins,
                            const std::vector<int>& labels);

}  // namespace gj::classify
