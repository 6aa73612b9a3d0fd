#include "domain/requests/similarity.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cmath>

namespace gj::requests {

std::u32string fold_text(std::string_view utf8) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCCasefoldInstance(status);
  icu::UnicodeString src = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  icu::UnicodeString folded = U_SUCCESS(status) ? nfkc->normalize(src, status) : src;
  if (U_FAILURE(status)) folded = src;  // invalid input: compare it unfolded, never throw
  std::u32string out;
  out.reserve(static_cast<size_t>(folded.length()));
  for (int32_t i = 0; i < folded.length();) {
    UChar32 c = folded.char32At(i);
    i += U16_LENGTH(c);
    if (u_isalnum(c)) out.push_back(static_cast<char32_t>(c));
  }
  return out;
}

TextProfile make_profile(std::string_view utf8) {
  std::u32string s = fold_text(utf8);
  TextProfile p;
  std::vector<uint64_t> keys;
  if (s.size() == 1) {
    keys.push_back((uint64_t{1} << 42) | s[0]);  // unigram, kept apart from every bigram
  } else {
    keys.reserve(s.size());
    for (size_t i = 0; i + 1 < s.size(); ++i)
      keys.push_back((uint64_t(s[i]) << 21) | uint64_t(s[i + 1]));
  }
  std::sort(keys.begin(), keys.end());
  double sq = 0;
  for (size_t i = 0; i < keys.size();) {
    size_t j = i;
    while (j < keys.size() && keys[j] == keys[i]) ++j;
    uint32_t n = static_cast<uint32_t>(j - i);
    p.grams.emplace_back(keys[i], n);
    sq += double(n) * n;
    i = j;
  }
  p.norm = std::sqrt(sq);
  return p;
}

double cosine_similarity(const TextProfile& a, const TextProfile& b) {
  if (a.empty() || b.empty()) return 0;
  const TextProfile& small = a.grams.size() <= b.grams.size() ? a : b;
  const TextProfile& large = &small == &a ? b : a;
  double dot = 0;
  if (large.grams.size() > 8 * small.grams.size()) {
    // A short text against a large profile (a hot-issue cluster): search, do not walk.
    auto lo = large.grams.begin();
    for (const auto& g : small.grams) {
      lo = std::lower_bound(lo, large.grams.end(), g.first,
                            [](const auto& x, uint64_t key) { return x.first < key; });
      if (lo == large.grams.end()) break;
      if (lo->first == g.first) dot += double(g.second) * lo->second;
    }
  } else {
    size_t i = 0, j = 0;
    while (i < a.grams.size() && j < b.grams.size()) {
      if (a.grams[i].first < b.grams[j].first) {
        ++i;
      } else if (a.grams[i].first > b.grams[j].first) {
        ++j;
      } else {
        dot += double(a.grams[i].second) * b.grams[j].second;
        ++i;
        ++j;
      }
    }
  }
  return std::min(1.0, dot / (a.norm * b.norm));
}

double jaccard_similarity(const TextProfile& a, const TextProfile& b) {
  if (a.empty() || b.empty()) return 0;
  size_t inter = 0, i = 0, j = 0;
  while (i < a.grams.size() && j < b.grams.size()) {
    if (a.grams[i].first < b.grams[j].first) {
      ++i;
    } else if (a.grams[i].first > b.grams[j].first) {
      ++j;
    } else {
      ++inter;
      ++i;
      ++j;
    }
  }
  size_t uni = a.grams.size() + b.grams.size() - inter;
  return uni == 0 ? 0 : double(inter) / double(uni);
}

}  // namespace gj::requests
