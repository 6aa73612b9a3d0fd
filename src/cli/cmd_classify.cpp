// `gongjian classify train|predict|eval`: learn category suggestions 分类建议 from closed
// requests, suggest categories for a CSV of messages, and measure the classifier by k-fold
// cross-validation.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "app/category_suggest.hpp"
#include "cli/command.hpp"
#include "cli/store_options.hpp"
#include "common/clock.hpp"
#include "common/csv.hpp"
#include "domain/classify/classifier.hpp"
#include "domain/classify/evaluation.hpp"
#include "domain/classify/training_data.hpp"

namespace gj::cli {
namespace {

namespace cl = gj::classify;

const char* kUsage =
    "usage:\n"
    "  gongjian classify train   --csv FILE --model OUT [--c C] [--seed N] [--quiet]\n"
    "  gongjian classify predict --model FILE --csv FILE --out PRED.csv [--with-confidence]\n"
    "  gongjian classify eval    --csv FILE [--folds K --seed N | --folds-file FILE]\n"
    "                            [--c C] [--out PRED.csv]\n"
    "  gongjian classify learn   [--db PATH | --postgres URL] [--min-examples N] [--folds K]\n"
    "                            [--csv FILE]\n"
    "\n"
    "learn trains on the store's closed requests (completed, in callback or rated, with their\n"
    "category codes) and stores a new active model version that intake and ticket details use\n"
    "for category suggestions; running servers pick it up without a restart. --csv seeds a new\n"
    "deployment from a labelled file instead (一级分类 names mapped to the tree's L1 codes).\n"
    "Refuses (exit 1) with fewer than --min-examples (default 20) or a single category.\n"
    "\n"
    "CSV columns (UTF-8, RFC 4180): 留言编号, 留言主题, 留言详情 and, for train/eval, 一级分类.\n"
    "predict writes 留言编号,预测分类 (plus 置信度 with --with-confidence).\n"
    "A folds file has columns 留言编号 (or id) and fold (0-based).\n"
    "Options: --c is the SVM regularisation constant (default 1), --seed fixes the training\n"
    "order and fold shuffle (default 42 for train, 0 for eval folds).\n"
    "Experiments only: --min-df N, --max-n N, --subject-weight W, --unweighted.\n";

int fail(const Error& e) {
  std::cerr << "gongjian classify: " << e.detail;
  if (e.detail.empty()) std::cerr << e.message(Lang::kEn);
  std::cerr << "\n";
  return 1;
}

bool parse_options(const Args& args, cl::TrainOptions& opt, std::string& err) {
  std::string c = flag_value(args, "--c");
  if (!c.empty()) {
    try {
      opt.svm.c = std::stod(c);
    } catch (...) {
      err = "--c needs a number";
      return false;
    }
    if (!(opt.svm.c > 0)) {
      err = "--c must be > 0";
      return false;
    }
  }
  // Advanced knobs, for experiments; the defaults are the measured choice (docs/classify.md).
  try {
    opt.features.min_df =
        std::stoi(flag_value(args, "--min-df", std::to_string(opt.features.min_df)));
    opt.features.max_n = std::stoi(flag_value(args, "--max-n", std::to_string(opt.features.max_n)));
    opt.features.subject_weight = std::stod(
        flag_value(args, "--subject-weight", std::to_string(opt.features.subject_weight)));
  } catch (...) {
    err = "--min-df, --max-n and --subject-weight need numbers";
    return false;
  }
  if (has_flag(args, "--unweighted")) opt.svm.balanced = false;
  std::string seed = flag_value(args, "--seed");
  if (!seed.empty()) {
    try {
      opt.svm.seed = std::stoull(seed);
    } catch (...) {
      err = "--seed needs a non-negative integer";
      return false;
    }
  }
  return true;
}

std::string fmt(double v, int digits = 3) {
  char b[32];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

// Pads by display width: CJK characters take two columns in a terminal.
std::string pad(const std::string& s, size_t width) {
  size_t w = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    w += len >= 3 ? 2 : 1;
    i += len;
  }
  return s + std::string(w < width ? width - w : 1, ' ');
}

int run_train(const Args& args) {
  std::string csv_path = flag_value(args, "--csv"), model = flag_value(args, "--model");
  if (csv_path.empty() || model.empty())
    return usage_error("train needs --csv and --model", kUsage);
  cl::TrainOptions opt;
  std::string err;
  if (!parse_options(args, opt, err)) return usage_error(err, kUsage);
  const bool quiet = has_flag(args, "--quiet");
  if (!quiet) opt.progress = [](std::string_view s) { std::cerr << "classify: " << s << "\n"; };

  auto t0 = std::chrono::steady_clock::now();
  auto rows = cl::read_messages_csv(csv_path, true);
  if (!rows.ok()) return fail(rows.error());
  std::vector<cl::Example> examples;
  for (auto& r : *rows) examples.push_back(std::move(r.example));
  if (!quiet) std::cerr << "classify: read " << examples.size() << " labelled messages\n";
  auto clf = cl::Classifier::train(examples, opt);
  if (!clf.ok()) return fail(clf.error());
  auto st = clf->save(model);
  if (!st.ok()) return fail(st.error());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!quiet)
    std::cerr << "classify: wrote " << model << " (" << clf->categories().size() << " categories, "
              << clf->feature_count() << " features, confidence scale "
              << fmt(clf->confidence_scale(), 2) << ") in " << fmt(secs, 1) << " s\n";
  return 0;
}

int run_predict(const Args& args) {
  std::string model = flag_value(args, "--model"), csv_path = flag_value(args, "--csv"),
              out_path = flag_value(args, "--out");
  if (model.empty() || csv_path.empty() || out_path.empty())
    return usage_error("predict needs --model, --csv and --out", kUsage);
  const bool with_conf = has_flag(args, "--with-confidence");
  auto clf = cl::Classifier::load(model);
  if (!clf.ok()) return fail(clf.error());
  auto rows = cl::read_messages_csv(csv_path, false);
  if (!rows.ok()) return fail(rows.error());

  std::string out;
  csv::Record header{cl::kIdColumn, cl::kPredictedColumn};
  if (with_conf) header.push_back(cl::kConfidenceColumn);
  out += csv::format_record(header) + "\n";
  for (const auto& r : *rows) {
    auto s = clf->predict(r.example.subject, r.example.detail);
    csv::Record rec{r.id, s.front().category};
    if (with_conf) rec.push_back(fmt(s.front().confidence, 4));
    out += csv::format_record(rec) + "\n";
  }
  std::ofstream f(out_path, std::ios::binary | std::ios::trunc);
  if (!f) return fail(make_error(ErrorCode::kIo, "cannot write " + out_path));
  f << out;
  f.flush();
  if (!f) return fail(make_error(ErrorCode::kIo, "cannot write " + out_path));
  std::cerr << "classify: wrote " << rows->size() << " predictions to " << out_path << "\n";
  return 0;
}

int run_eval(const Args& args) {
  std::string csv_path = flag_value(args, "--csv"), folds_file = flag_value(args, "--folds-file");
  if (csv_path.empty()) return usage_error("eval needs --csv", kUsage);
  cl::TrainOptions opt;
  std::string err;
  if (!parse_options(args, opt, err)) return usage_error(err, kUsage);
  int k = 5;
  uint64_t fold_seed = 0;
  try {
    k = std::stoi(flag_value(args, "--folds", "5"));
    fold_seed = std::stoull(flag_value(args, "--seed", "0"));
  } catch (...) {
    return usage_error("--folds and --seed need integers", kUsage);
  }
  if (k < 2) return usage_error("--folds must be at least 2", kUsage);

  auto rows = cl::read_messages_csv(csv_path, true);
  if (!rows.ok()) return fail(rows.error());
  std::vector<int> fold_of;
  std::vector<cl::Example> examples;
  std::vector<std::string> labels;
  for (const auto& r : *rows) {
    examples.push_back(r.example);
    labels.push_back(r.example.category);
  }
  if (!folds_file.empty()) {
    auto f = cl::read_folds_csv(folds_file, *rows);
    if (!f.ok()) return fail(f.error());
    fold_of = std::move(*f);
  } else {
    fold_of = cl::stratified_folds(labels, k, fold_seed);
  }
  auto t0 = std::chrono::steady_clock::now();
  auto cv = cl::cross_validate(examples, fold_of, opt, [](int f, int n) {
    std::cerr << "classify: fold " << f + 1 << "/" << n << "\n";
  });
  if (!cv.ok()) return fail(cv.error());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const auto& s = cv->scores;
  std::cout << cv->folds << "-fold cross-validation on " << s.n << " messages ("
            << (folds_file.empty() ? "stratified, seed " + std::to_string(fold_seed)
                                   : "folds from " + folds_file)
            << ")\n\n";
  std::cout << pad("category", 18) << pad("precision", 11) << pad("recall", 8) << pad("F1", 7)
            << "support\n";
  for (const auto& c : s.categories)
    std::cout << pad(c.category, 18) << pad(fmt(c.precision), 11) << pad(fmt(c.recall), 8)
              << pad(fmt(c.f1), 7) << c.support << "\n";
  std::cout << "\nmacro_f1 " << fmt(s.macro_f1, 4) << "\naccuracy " << fmt(s.accuracy, 4)
            << "\nmean_confidence " << fmt(cv->mean_confidence, 4) << "\nlog_loss "
            << fmt(cv->log_loss, 4) << "\nseconds " << fmt(secs, 2) << "\n";

  std::string out_path = flag_value(args, "--out");
  if (!out_path.empty()) {
    std::ofstream f(out_path, std::ios::binary | std::ios::trunc);
    f << csv::format_record(
             {cl::kIdColumn, cl::kCategoryColumn, cl::kPredictedColumn, cl::kConfidenceColumn})
      << "\n";
    for (size_t i = 0; i < rows->size(); ++i)
      f << csv::format_record(
               {(*rows)[i].id, labels[i], cv->predicted[i], fmt(cv->confidence[i], 4)})
        << "\n";
    if (!f) return fail(make_error(ErrorCode::kIo, "cannot write " + out_path));
  }
  return 0;
}

int run_learn(const Args& args) {
  app::LearnOptions opt;
  try {
    opt.min_examples = std::stoi(flag_value(args, "--min-examples", "20"));
    opt.folds = std::stoi(flag_value(args, "--folds", "5"));
  } catch (...) {
    return usage_error("--min-examples and --folds need integers", kUsage);
  }
  if (opt.min_examples < 2 || opt.folds < 0) return usage_error("--min-examples >= 2", kUsage);
  opt.csv_path = flag_value(args, "--csv");
  opt.progress = [](std::string_view s) { std::cerr << "classify: " << s << "\n"; };
  auto db = open_store(args);
  if (!db) return 1;
  SystemClock clock;
  auto rep = app::learn_categories(*db, opt, clock.now());
  db->close();
  if (!rep.ok()) return fail(rep.error());
  std::cout << "model version " << rep->version << " active (" << rep->examples << " examples from "
            << rep->source << ", " << rep->counts.size() << " categories)\n";
  std::cout << pad("category", 12) << "examples\n";
  for (const auto& [code, n] : rep->counts) std::cout << pad(code, 12) << n << "\n";
  if (rep->cv)
    std::cout << rep->folds << "-fold CV: macro-F1 " << fmt(rep->cv->macro_f1) << ", accuracy "
              << fmt(rep->cv->accuracy) << "\n";
  else
    std::cout << "CV: not computed (too few examples per category)\n";
  return 0;
}

int run(const Args& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  Args rest(args.begin() + 1, args.end());
  if (has_flag(rest, "--help") || has_flag(rest, "-h")) {
    std::cout << kUsage;
    return 0;
  }
  if (args[0] == "train") return run_train(rest);
  if (args[0] == "predict") return run_predict(rest);
  if (args[0] == "eval") return run_eval(rest);
  if (args[0] == "learn") return run_learn(rest);
  return usage_error("unknown classify action '" + args[0] + "'", kUsage);
}

Registrar reg("classify", "train, apply and evaluate the request category classifier", run);

}  // namespace
}  // namespace gj::cli
