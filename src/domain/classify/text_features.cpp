#include "domain/classify/text_features.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <unordered_set>

namespace gj::classify {

namespace {

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

bool is_ascii_letter(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

std::string to_utf8(const std::u32string& s) {
  std::string out;
  out.reserve(s.size() * 3);
  for (char32_t c : s) append_utf8(out, c);
  return out;
}

std::u32string normalise_text(std::string_view utf8) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status)) throw std::runtime_error("ICU NFKC normaliser unavailable");
  // Invalid UTF-8 becomes U+FFFD here rather than failing: a stray byte in one complaint must
  // not stop training on thousands.
  icu::UnicodeString in = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  icu::UnicodeString norm = nfkc->normalize(in, status);
  if (U_FAILURE(status)) norm = in;

  std::u32string out;
  out.reserve(static_cast<size_t>(norm.length()));
  enum { kOther, kDigit, kLatin } run = kOther;
  for (int32_t i = 0; i < norm.length(); i = norm.moveIndex32(i, 1)) {
    UChar32 c = norm.char32At(i);
    if (u_isUWhiteSpace(c) || u_iscntrl(c) || u_charType(c) == U_FORMAT_CHAR) continue;
    if (u_charType(c) == U_DECIMAL_DIGIT_NUMBER) {
      if (run != kDigit) out.push_back(U'0');
      run = kDigit;
    } else if (is_ascii_letter(static_cast<char32_t>(c))) {
      if (run != kLatin) out.push_back(U'a');
      run = kLatin;
    } else {
      out.push_back(static_cast<char32_t>(c));
      run = kOther;
    }
  }
  return out;
}

std::vector<std::string> char_ngrams(const std::u32string& text, int min_n, int max_n, char block) {
  std::vector<std::string> grams;
  for (int n = min_n; n <= max_n; ++n) {
    if (text.size() < static_cast<size_t>(n)) break;
    for (size_t i = 0; i + n <= text.size(); ++i) {
      std::string g(1, block);
      for (int k = 0; k < n; ++k) append_utf8(g, text[i + k]);
      grams.push_back(std::move(g));
    }
  }
  return grams;
}

void TfidfVectorizer::fit(const std::vector<std::pair<std::string, std::string>>& docs) {
  // Sorted map so that feature indices do not depend on hash order: same data, same model file.
  std::map<std::string, int> df;
  for (const auto& [subject, detail] : docs) {
    std::unordered_set<std::string> seen;
    for (auto& g : char_ngrams(normalise_text(subject), options_.min_n, options_.max_n, 's'))
      seen.insert(std::move(g));
    for (auto& g : char_ngrams(normalise_text(detail), options_.min_n, options_.max_n, 'd'))
      seen.insert(std::move(g));
    for (const auto& g : seen) ++df[g];
  }
  terms_.clear();
  idf_.clear();
  index_.clear();
  const double n = static_cast<double>(docs.size());
  for (const auto& [term, count] : df) {
    if (count < options_.min_df) continue;
    index_.emplace(term, static_cast<int32_t>(terms_.size()));
    terms_.push_back(term);
    // Single precision is plenty and keeps the model file small; rounding here, not only when
    // saving, makes a loaded model predict bit for bit like the trained one.
    idf_.push_back(static_cast<float>(std::log((1.0 + n) / (1.0 + count)) + 1.0));
  }
}

TfidfVectorizer TfidfVectorizer::from_vocabulary(Options options, std::vector<std::string> terms,
                                                 std::vector<double> idf) {
  TfidfVectorizer v(options);
  v.terms_ = std::move(terms);
  v.idf_ = std::move(idf);
  for (size_t i = 0; i < v.terms_.size(); ++i)
    v.index_.emplace(v.terms_[i], static_cast<int32_t>(i));
  return v;
}

void TfidfVectorizer::add_block(const std::u32string& text, char block, double scale,
                                SparseVector& out) const {
  std::map<int32_t, int> tf;
  for (const auto& g : char_ngrams(text, options_.min_n, options_.max_n, block)) {
    auto it = index_.find(g);
    if (it != index_.end()) ++tf[it->second];  // n-grams never seen in training carry no weight
  }
  double norm2 = 0;
  size_t start = out.size();
  for (const auto& [idx, count] : tf) {
    double v = (1.0 + std::log(static_cast<double>(count))) * idf_[idx];
    out.emplace_back(idx, v);
    norm2 += v * v;
  }
  if (norm2 > 0) {
    double f = scale / std::sqrt(norm2);
    for (size_t i = start; i < out.size(); ++i) out[i].second *= f;
  }
}

SparseVector TfidfVectorizer::transform(std::string_view subject, std::string_view detail) const {
  SparseVector v;
  add_block(normalise_text(subject), 's', options_.subject_weight, v);
  add_block(normalise_text(detail), 'd', 1.0, v);
  // The 'd' terms sort before the 's' terms in the vocabulary, so the two blocks never share an
  // index; sorting restores index order after appending subject first.
  std::sort(v.begin(), v.end());
  double norm2 = 0;
  for (const auto& [i, x] : v) norm2 += x * x;
  if (norm2 > 0) {
    double f = 1.0 / std::sqrt(norm2);
    for (auto& e : v) e.second *= f;
  }
  return v;
}

}  // namespace gj::classify
