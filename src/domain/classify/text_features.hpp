// Text features for request classification: normalised character n-grams weighted by TF-IDF.
// Chinese has no spaces, and character bigrams approximate words well enough on short
// complaints (留言) without a segmentation dictionary that would have to be maintained.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace gj::classify {

// A sparse vector: (feature index, value) sorted by index.
using SparseVector = std::vector<std::pair<int32_t, double>>;

// NFKC (folds full-width ｡Ａ１ to ASCII), drops whitespace and control characters, and folds
// every run of digits to "0" and every run of Latin letters to "a": numbers (amounts, dates,
// phone numbers) and Latin codes (the anonymised A市/A2区 of the sample data, licence plates)
// say nothing about the category but would otherwise spread over many rare n-grams.
std::u32string normalise_text(std::string_view utf8);

// Character n-grams of lengths min_n..max_n (inclusive) of normalised text, as UTF-8 strings,
// each prefixed with `block` so that the same n-gram in subject and detail stays distinct.
std::vector<std::string> char_ngrams(const std::u32string& text, int min_n, int max_n, char block);

std::string to_utf8(const std::u32string& s);

// TF-IDF over two blocks of text (subject 留言主题, detail 留言详情). Each block is weighted with
// sublinear tf (1 + ln tf) and smoothed idf (ln((1+n)/(1+df)) + 1), L2-normalised on its own,
// the subject block scaled by subject_weight, and the whole vector L2-normalised again.
class TfidfVectorizer {
 public:
  struct Options {
    int min_n = 1;
    int max_n = 2;
    double subject_weight = 1.0;
    // Drop n-grams seen in fewer training documents: an n-gram from one message only is mostly a
    // name or a typo, and dropping them shrinks the model about fourfold.
    int min_df = 2;
  };

  TfidfVectorizer() = default;
  explicit TfidfVectorizer(Options options) : options_(options) {}

  // Learns the vocabulary and idf from documents given as (subject, detail).
  void fit(const std::vector<std::pair<std::string, std::string>>& docs);
  SparseVector transform(std::string_view subject, std::string_view detail) const;

  const Options& options() const { return options_; }
  size_t size() const { return terms_.size(); }
  const std::vector<std::string>& terms() const { return terms_; }
  const std::vector<double>& idf() const { return idf_; }

  // Rebuilds a fitted vectorizer from a saved vocabulary (the model file).
  static TfidfVectorizer from_vocabulary(Options options, std::vector<std::string> terms,
                                         std::vector<double> idf);

 private:
  void add_block(const std::u32string& text, char block, double scale, SparseVector& out) const;

  Options options_;
  std::vector<std::string> terms_;
  std::vector<double> idf_;
  std::unordered_map<std::string, int32_t> index_;
};

}  // namespace gj::classify
