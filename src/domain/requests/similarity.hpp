// Chinese text similarity without word segmentation: character bigrams over NFKC-casefolded
// text (ICU), keeping letters and digits only. Full-width "ＡＢＣ１２３" and "abc123" fold alike;
// punctuation and spaces do not count. Good enough to suggest duplicates and to cluster hot
// issues; the classifier module does the heavier lifting.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gj::requests {

// NFKC_Casefold, then only code points that are letters or digits (Han included).
std::u32string fold_text(std::string_view utf8);

// Sorted (bigram key, count) pairs; a one-character text becomes a single unigram.
struct TextProfile {
  std::vector<std::pair<uint64_t, uint32_t>> grams;
  double norm = 0;  // Euclidean norm of the counts
  bool empty() const { return grams.empty(); }
};
TextProfile make_profile(std::string_view utf8);

double cosine_similarity(const TextProfile& a, const TextProfile& b);   // over counts, 0..1
double jaccard_similarity(const TextProfile& a, const TextProfile& b);  // over sets, 0..1

}  // namespace gj::requests
