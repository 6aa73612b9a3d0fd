#include <gtest/gtest.h>

#include <cmath>

#include "domain/classify/text_features.hpp"

namespace gj::classify {
namespace {

TEST(TextFeatures, full_width_letters_and_digits_fold_like_half_width_ones) {
  // NFKC maps ＡＢ１２ to AB12; then Latin and digit runs fold to one marker each.
  EXPECT_EQ(to_utf8(normalise_text("Ａ市１２３号")), to_utf8(normalise_text("B市45号")));
  EXPECT_EQ(to_utf8(normalise_text("A2区")), "a0区");
}

TEST(TextFeatures, whitespace_tabs_and_newlines_are_dropped) {
  EXPECT_EQ(to_utf8(normalise_text("\n\t\t\t小区 停水\u3000三天\r\n")), "小区停水三天");
}

TEST(TextFeatures, invalid_utf8_does_not_throw) {
  EXPECT_NO_THROW(normalise_text(std::string("\xff\xfe") + "供水"));
}

TEST(TextFeatures, character_ngrams_cover_each_length_with_a_block_prefix) {
  auto g = char_ngrams(normalise_text("停水了"), 1, 2, 's');
  std::vector<std::string> want{"s停", "s水", "s了", "s停水", "s水了"};
  EXPECT_EQ(g, want);
  EXPECT_TRUE(char_ngrams(normalise_text("水"), 2, 2, 'd').empty());
}

TEST(TextFeatures, tfidf_vectors_are_unit_length_with_sorted_indices) {
  TfidfVectorizer v({1, 2, 1.0, 1});
  v.fit({{"停水", "小区停水三天"}, {"噪音", "工地夜间施工噪音"}, {"停电", "小区停电"}});
  auto x = v.transform("停水", "小区停水两天");
  double n2 = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    n2 += x[i].second * x[i].second;
    if (i) {
      EXPECT_LT(x[i - 1].first, x[i].first);
    }
  }
  EXPECT_NEAR(n2, 1.0, 1e-12);
}

TEST(TextFeatures, rarer_terms_weigh_more_and_unseen_terms_weigh_nothing) {
  TfidfVectorizer v({1, 1, 1.0, 1});
  v.fit({{"", "水电"}, {"", "水路"}, {"", "水气"}});
  // idf: 水 in all 3 docs → ln(4/4)+1 = 1; 电 in 1 doc → ln(4/2)+1.
  const auto& terms = v.terms();
  for (size_t i = 0; i < terms.size(); ++i) {
    if (terms[i] == "d水") EXPECT_DOUBLE_EQ(v.idf()[i], 1.0);
    if (terms[i] == "d电")
      EXPECT_NEAR(v.idf()[i], std::log(2.0) + 1.0, 1e-6);  // stored in single precision
  }
  auto x = v.transform("", "水电火");  // 火 never seen
  ASSERT_EQ(x.size(), 2u);
  double w_water = 0, w_power = 0;
  for (auto [i, val] : x) (terms[i] == "d水" ? w_water : w_power) = val;
  EXPECT_GT(w_power, w_water);
}

TEST(TextFeatures, sublinear_tf_damps_repetition) {
  TfidfVectorizer v({1, 1, 1.0, 1});
  v.fit({{"", "吵路"}, {"", "静"}});
  auto once = v.transform("", "吵路");
  auto many = v.transform("", "吵吵吵吵吵吵吵吵路");
  // With raw tf the 8 repeats would give 吵 eight times 路's weight; 1+ln 8 ≈ 3.08.
  ASSERT_EQ(many.size(), 2u);
  double ratio = many[0].second / many[1].second;
  if (v.terms()[many[0].first] != "d吵") ratio = many[1].second / many[0].second;
  EXPECT_NEAR(ratio, 1.0 + std::log(8.0), 1e-9);
  EXPECT_EQ(once.size(), 2u);
}

TEST(TextFeatures, ngrams_in_fewer_than_min_df_documents_are_dropped) {
  TfidfVectorizer v({1, 1, 1.0, 2});
  v.fit({{"", "水电"}, {"", "水路"}, {"", "水气"}});
  ASSERT_EQ(v.size(), 1u);  // only 水 occurs in two or more messages
  EXPECT_EQ(v.terms()[0], "d水");
}

TEST(TextFeatures, subject_and_detail_ngrams_are_separate_features) {
  TfidfVectorizer v({1, 1, 2.0, 1});
  v.fit({{"水", "水"}});
  EXPECT_EQ(v.size(), 2u);  // s水 and d水
  auto x = v.transform("水", "水");
  ASSERT_EQ(x.size(), 2u);
  // Subject block scaled by 2 before the final normalisation: weights 2:1.
  double s = v.terms()[x[0].first][0] == 's' ? x[0].second : x[1].second;
  double d = v.terms()[x[0].first][0] == 'd' ? x[0].second : x[1].second;
  EXPECT_NEAR(s / d, 2.0, 1e-12);
}

}  // namespace
}  // namespace gj::classify
