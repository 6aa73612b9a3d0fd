#include "domain/classify/classifier.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "domain/classify/evaluation.hpp"

namespace gj::classify {

namespace {

constexpr std::string_view kMagic = "gongjian-classifier";
constexpr double kDefaultScale = 5.0;  // used when there is too little data to calibrate

std::string format_double(double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest text that reads back exactly
  return std::string(buf, r.ptr);
}

// Weights and idf are single precision values held in doubles (see train()).
std::string format_float(double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, static_cast<float>(v));
  return std::string(buf, r.ptr);
}

bool parse_float(std::string_view s, double& out) {
  float f = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), f);
  out = f;
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && std::isfinite(f);
}

bool parse_float(std::string_view s, float& out) {
  double d = 0;
  if (!parse_float(s, d)) return false;
  out = static_cast<float>(d);
  return true;
}

bool parse_double(std::string_view s, double& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && std::isfinite(out);
}

bool parse_int(std::string_view s, long long& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// Category names and n-grams may in principle hold tabs or newlines; escape them so the file
// stays one record per line.
std::string escape_field(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

bool unescape_field(std::string_view s, std::string& out) {
  out.clear();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out.push_back(s[i]);
      continue;
    }
    if (++i == s.size()) return false;
    switch (s[i]) {
      case '\\':
        out.push_back('\\');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      default:
        return false;
    }
  }
  return true;
}

uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    if (p == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, p - start));
    start = p + 1;
  }
}

Error bad_model(const std::string& what) {
  return make_error(ErrorCode::kInvalidInput, "invalid classifier model file: " + what);
}

}  // namespace

std::vector<double> softmax(const std::vector<double>& margins, double scale) {
  std::vector<double> p(margins.size());
  if (margins.empty()) return p;
  double mx = *std::max_element(margins.begin(), margins.end());
  double sum = 0;
  for (size_t i = 0; i < margins.size(); ++i) sum += p[i] = std::exp(scale * (margins[i] - mx));
  for (double& x : p) x /= sum;
  return p;
}

double fit_confidence_scale(const std::vector<std::vector<double>>& margins,
                            const std::vector<int>& labels) {
  if (margins.empty()) return kDefaultScale;
  auto nll = [&](double log_s) {
    double s = std::exp(log_s), total = 0;
    for (size_t i = 0; i < margins.size(); ++i) {
      double p = softmax(margins[i], s)[labels[i]];
      total -= std::log(std::max(p, 1e-300));
    }
    return total / margins.size();
  };
  // Golden-section search over log(scale) in [ln 0.1, ln 200]; the NLL is unimodal in s.
  double a = std::log(0.1), b = std::log(200.0);
  const double g = (std::sqrt(5.0) - 1) / 2;
  double c = b - g * (b - a), d = a + g * (b - a);
  double fc = nll(c), fd = nll(d);
  for (int it = 0; it < 60; ++it) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = nll(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = nll(d);
    }
  }
  return std::exp((a + b) / 2);
}

Result<Classifier> Classifier::train(const std::vector<Example>& examples,
                                     const TrainOptions& options) {
  auto say = [&](const std::string& s) {
    if (options.progress) options.progress(s);
  };
  if (examples.empty())
    return make_error(ErrorCode::kInvalidInput, "no training examples", "examples");
  if (options.features.min_n < 1 || options.features.max_n < options.features.min_n ||
      options.features.max_n > 5)
    return make_error(ErrorCode::kBadRequest, "n-gram range must satisfy 1 <= min <= max <= 5");
  if (!(options.svm.c > 0) || !(options.features.subject_weight >= 0))
    return make_error(ErrorCode::kBadRequest, "C must be > 0 and the subject weight >= 0");

  std::map<std::string, int> count;
  for (size_t i = 0; i < examples.size(); ++i) {
    if (examples[i].category.empty())
      return make_error(ErrorCode::kInvalidInput,
                        "example " + std::to_string(i + 1) + " has no category", "category");
    ++count[examples[i].category];
  }
  if (count.size() < 2)
    return make_error(ErrorCode::kInvalidInput,
                      "training needs at least 2 categories; found " + std::to_string(count.size()),
                      "category");
  for (const auto& [name, n] : count) {
    if (n < kMinExamplesPerCategory)
      return make_error(ErrorCode::kInvalidInput,
                        "category '" + name + "' has only " + std::to_string(n) +
                            " example; every category needs at least " +
                            std::to_string(kMinExamplesPerCategory) +
                            " (add examples or merge it into its parent category)",
                        "category");
  }

  Classifier clf;
  clf.svm_ = options.svm;
  clf.examples_ = examples.size();
  for (const auto& [name, n] : count) clf.categories_.push_back(name);  // sorted: deterministic
  std::map<std::string, int> class_index;
  for (size_t i = 0; i < clf.categories_.size(); ++i)
    class_index[clf.categories_[i]] = static_cast<int>(i);
  std::vector<int> labels;
  labels.reserve(examples.size());
  for (const auto& e : examples) labels.push_back(class_index[e.category]);

  // Temperature first, from models trained on part of the data and scored on the rest: margins
  // on training examples themselves are over-confident.
  int min_count = count.begin()->second;
  for (const auto& [name, n] : count) min_count = std::min(min_count, n);
  int folds = std::min(options.calibration_folds, min_count);
  clf.scale_ = kDefaultScale;
  if (folds >= 2) {
    say("calibrating confidence on " + std::to_string(folds) + " held-out folds");
    std::vector<std::string> label_names;
    for (const auto& e : examples) label_names.push_back(e.category);
    std::vector<int> fold_of = stratified_folds(label_names, folds, options.svm.seed);
    std::vector<std::vector<double>> held_margins;
    std::vector<int> held_labels;
    for (int f = 0; f < folds; ++f) {
      std::vector<Example> part;
      for (size_t i = 0; i < examples.size(); ++i)
        if (fold_of[i] != f) part.push_back(examples[i]);
      TrainOptions inner = options;
      inner.calibration_folds = 0;
      inner.progress = nullptr;
      auto sub = train(part, inner);
      if (!sub.ok()) return sub.error();
      for (size_t i = 0; i < examples.size(); ++i) {
        if (fold_of[i] != f) continue;
        // The sub-model may lack no category (every fold keeps >= 1 of each), but map by name
        // to be safe.
        auto m = sub->margins(examples[i].subject, examples[i].detail);
        std::vector<double> full(clf.categories_.size(), -1.0);
        for (size_t k = 0; k < sub->categories().size(); ++k)
          full[class_index[sub->categories()[k]]] = m[k];
        held_margins.push_back(std::move(full));
        held_labels.push_back(labels[i]);
      }
    }
    clf.scale_ = fit_confidence_scale(held_margins, held_labels);
  }

  say("building features from " + std::to_string(examples.size()) + " examples");
  clf.vectorizer_ = TfidfVectorizer(options.features);
  std::vector<std::pair<std::string, std::string>> docs;
  docs.reserve(examples.size());
  for (const auto& e : examples) docs.emplace_back(e.subject, e.detail);
  clf.vectorizer_.fit(docs);
  std::vector<SparseVector> x;
  x.reserve(examples.size());
  for (const auto& e : examples) x.push_back(clf.vectorizer_.transform(e.subject, e.detail));
  say(std::to_string(clf.vectorizer_.size()) + " features; training " +
      std::to_string(clf.categories_.size()) + " one-vs-rest SVMs");
  clf.model_ =
      train_linear_svm(x, labels, static_cast<int>(clf.categories_.size()),
                       static_cast<int>(clf.vectorizer_.size()), options.svm, [&](int c) {
                         say("  category " + std::to_string(c + 1) + "/" +
                             std::to_string(clf.categories_.size()) + ": " + clf.categories_[c]);
                       });
  return clf;
}

std::vector<double> Classifier::margins(std::string_view subject, std::string_view detail) const {
  return model_.margins(vectorizer_.transform(subject, detail));
}

std::vector<Suggestion> Classifier::predict(std::string_view subject,
                                            std::string_view detail) const {
  std::vector<double> p = softmax(margins(subject, detail), scale_);
  std::vector<Suggestion> out;
  out.reserve(p.size());
  for (size_t i = 0; i < p.size(); ++i) out.push_back({categories_[i], p[i]});
  // Stable: ties keep the (sorted) category order, so output is deterministic.
  std::stable_sort(out.begin(), out.end(), [](const Suggestion& a, const Suggestion& b) {
    return a.confidence > b.confidence;
  });
  return out;
}

std::string Classifier::serialize() const {
  std::string s;
  const auto& fo = vectorizer_.options();
  s += std::string(kMagic) + " " + std::to_string(kFormatVersion) + "\n";
  s += "ngram\t" + std::to_string(fo.min_n) + "\t" + std::to_string(fo.max_n) + "\n";
  s += "subject_weight\t" + format_double(fo.subject_weight) + "\n";
  s += "min_df\t" + std::to_string(fo.min_df) + "\n";
  s += "svm\t" + format_double(svm_.c) + "\t" + (svm_.balanced ? "balanced" : "unweighted") + "\t" +
       std::to_string(svm_.seed) + "\n";
  s += "confidence_scale\t" + format_double(scale_) + "\n";
  s += "examples\t" + std::to_string(examples_) + "\n";
  s += "categories\t" + std::to_string(categories_.size()) + "\n";
  for (const auto& c : categories_) s += "category\t" + escape_field(c) + "\n";
  s += "bias";
  for (double b : model_.bias) s += "\t" + format_float(b);
  s += "\n";
  s += "features\t" + std::to_string(vectorizer_.size()) + "\n";
  const auto& terms = vectorizer_.terms();
  const auto& idf = vectorizer_.idf();
  for (size_t j = 0; j < terms.size(); ++j) {
    s += escape_field(terms[j]);
    s += "\t" + format_float(idf[j]);
    for (int c = 0; c < model_.n_classes; ++c)
      s += "\t" + format_float(model_.weights[static_cast<size_t>(c) * model_.n_features + j]);
    s += "\n";
  }
  char sum[40];
  std::snprintf(sum, sizeof sum, "checksum\t%016llx\n",
                static_cast<unsigned long long>(fnv1a64(s)));
  s += sum;
  return s;
}

Result<Classifier> Classifier::deserialize(std::string_view data) {
  if (data.substr(0, kMagic.size()) != kMagic)
    return bad_model("not a gongjian classifier model (it does not start with '" +
                     std::string(kMagic) + "')");
  size_t eol = data.find('\n');
  if (eol == std::string_view::npos) return bad_model("truncated after the first line");
  {
    long long version = 0;
    std::string_view v = data.substr(kMagic.size(), eol - kMagic.size());
    if (v.empty() || v[0] != ' ' || !parse_int(v.substr(1), version))
      return bad_model("unreadable format version on the first line");
    if (version != kFormatVersion)
      return bad_model("format version " + std::to_string(version) +
                       " is not supported (this build reads version " +
                       std::to_string(kFormatVersion) + "); retrain with this version");
  }
  // The checksum line closes the file: without it the file was cut short.
  size_t ck = data.rfind("\nchecksum\t");
  if (ck == std::string_view::npos) return bad_model("truncated (no checksum line at the end)");
  std::string_view body = data.substr(0, ck + 1);
  std::string_view tail = data.substr(ck + 10);
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.remove_suffix(1);
  char expect[20];
  std::snprintf(expect, sizeof expect, "%016llx", static_cast<unsigned long long>(fnv1a64(body)));
  if (tail != expect) return bad_model("checksum mismatch: the file is damaged or was edited");

  std::vector<std::string_view> lines = split(body.substr(0, body.size() - 1), '\n');
  size_t ln = 1;  // lines[0] is the magic line
  auto next_fields = [&](std::string_view key, size_t min_fields,
                         std::vector<std::string_view>& f) -> bool {
    if (ln >= lines.size()) return false;
    f = split(lines[ln], '\t');
    if (f[0] != key || f.size() < min_fields) return false;
    ++ln;
    return true;
  };
  auto missing = [&](std::string_view key) {
    return bad_model("expected '" + std::string(key) + "' on line " + std::to_string(ln + 1));
  };

  std::vector<std::string_view> f;
  long long iv = 0, iv2 = 0;
  TfidfVectorizer::Options fo;
  Classifier clf;
  if (!next_fields("ngram", 3, f) || !parse_int(f[1], iv) || !parse_int(f[2], iv2) || iv < 1 ||
      iv2 < iv || iv2 > 5)
    return missing("ngram");
  fo.min_n = static_cast<int>(iv);
  fo.max_n = static_cast<int>(iv2);
  if (!next_fields("subject_weight", 2, f) || !parse_double(f[1], fo.subject_weight))
    return missing("subject_weight");
  if (!next_fields("min_df", 2, f) || !parse_int(f[1], iv) || iv < 1) return missing("min_df");
  fo.min_df = static_cast<int>(iv);
  if (!next_fields("svm", 4, f) || !parse_double(f[1], clf.svm_.c)) return missing("svm");
  clf.svm_.balanced = f[2] == "balanced";
  {
    auto r = std::from_chars(f[3].data(), f[3].data() + f[3].size(), clf.svm_.seed);
    if (r.ec != std::errc()) return missing("svm");
  }
  if (!next_fields("confidence_scale", 2, f) || !parse_double(f[1], clf.scale_) ||
      !(clf.scale_ > 0))
    return missing("confidence_scale");
  if (!next_fields("examples", 2, f) || !parse_int(f[1], iv) || iv < 0) return missing("examples");
  clf.examples_ = static_cast<size_t>(iv);
  if (!next_fields("categories", 2, f) || !parse_int(f[1], iv) || iv < 2 || iv > 100000)
    return missing("categories");
  const int k = static_cast<int>(iv);
  for (int c = 0; c < k; ++c) {
    std::string name;
    if (!next_fields("category", 2, f) || !unescape_field(f[1], name) || name.empty())
      return missing("category");
    clf.categories_.push_back(std::move(name));
  }
  if (!next_fields("bias", static_cast<size_t>(k) + 1, f) || f.size() != static_cast<size_t>(k) + 1)
    return missing("bias");
  clf.model_.n_classes = k;
  clf.model_.bias.resize(k);
  for (int c = 0; c < k; ++c)
    if (!parse_float(f[c + 1], clf.model_.bias[c])) return missing("bias");
  if (!next_fields("features", 2, f) || !parse_int(f[1], iv) || iv < 0 ||
      static_cast<size_t>(iv) != lines.size() - ln)
    return bad_model("the feature count does not match the number of feature lines");
  const size_t n = static_cast<size_t>(iv);
  std::vector<std::string> terms(n);
  std::vector<double> idf(n);
  clf.model_.n_features = static_cast<int>(n);
  clf.model_.weights.assign(n * k, 0.0f);
  for (size_t j = 0; j < n; ++j, ++ln) {
    f = split(lines[ln], '\t');
    if (f.size() != static_cast<size_t>(k) + 2 || !unescape_field(f[0], terms[j]) ||
        !parse_float(f[1], idf[j]))
      return bad_model("malformed feature on line " + std::to_string(ln + 1));
    for (int c = 0; c < k; ++c)
      if (!parse_float(f[c + 2], clf.model_.weights[static_cast<size_t>(c) * n + j]))
        return bad_model("malformed weight on line " + std::to_string(ln + 1));
  }
  clf.vectorizer_ = TfidfVectorizer::from_vocabulary(fo, std::move(terms), std::move(idf));
  return clf;
}

Status Classifier::save(const std::string& path) const {
  // Write beside the target and rename, so a crash never leaves a half-written model in place.
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return make_error(ErrorCode::kIo, "cannot write " + tmp);
    std::string s = serialize();
    out.write(s.data(), static_cast<std::streamsize>(s.size()));
    out.flush();
    if (!out) return make_error(ErrorCode::kIo, "cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return make_error(ErrorCode::kIo, "cannot rename " + tmp + " to " + path);
  }
  return {};
}

Result<Classifier> Classifier::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIo, "cannot open model file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return make_error(ErrorCode::kIo, "cannot read model file " + path);
  auto r = deserialize(ss.str());
  if (!r.ok()) {
    Error e = r.error();
    e.detail = path + ": " + e.detail;
    return e;
  }
  return r;
}

}  // namespace gj::classify
