#include "domain/org/division.hpp"

#include <gtest/gtest.h>

using namespace gj::org;

TEST(Division, levels_follow_the_nbs_zero_padding) {
  EXPECT_EQ(*level_of_code("610000000000"), Level::kProvince);
  EXPECT_EQ(*level_of_code("611000000000"), Level::kCity);
  EXPECT_EQ(*level_of_code("611026000000"), Level::kCounty);
  EXPECT_EQ(*level_of_code("611026001000"), Level::kTownship);
  EXPECT_EQ(*level_of_code("611026001004"), Level::kVillage);
  EXPECT_EQ(*level_of_code("611026001004001"), Level::kGrid);
}

TEST(Division, malformed_codes_are_rejected) {
  EXPECT_FALSE(level_of_code("61102600100").ok());      // 11 digits
  EXPECT_FALSE(level_of_code("61102600100a").ok());     // not digits
  EXPECT_FALSE(level_of_code("000000000000").ok());     // no province
  EXPECT_FALSE(level_of_code("611026001004000").ok());  // grid 000
  EXPECT_FALSE(level_of_code("").ok());
  EXPECT_FALSE(level_of_code("'; DROP TABLE x;--").ok());
}

TEST(Division, scope_contains_itself_and_everything_below_and_nothing_beside) {
  EXPECT_TRUE(in_scope("611026001004001", "611026000000"));
  EXPECT_TRUE(in_scope("611026001000", "611026001000"));
  EXPECT_TRUE(in_scope("611026101003", "611026000000"));
  EXPECT_FALSE(in_scope("611026101003", "611026001000"));  // another township
  EXPECT_FALSE(in_scope("611022001004", "611026000000"));  // another county
  EXPECT_FALSE(in_scope("611000000000", "611026000000"));  // above
  EXPECT_TRUE(in_scope("611026000000", "610000000000"));
}

TEST(Division, scope_range_brackets_exactly_the_scope) {
  auto [lo, hi] = scope_range("611026001000");
  EXPECT_EQ(lo, "611026001");
  EXPECT_EQ(hi, "611026002");
  EXPECT_TRUE("611026001999999" < hi);
  EXPECT_FALSE("611026002000" < hi);
}

TEST(Division, kinds_are_guessed_from_names) {
  EXPECT_EQ(kind_from_name(Level::kTownship, "乾佑街道"), Kind::kStreet);
  EXPECT_EQ(kind_from_name(Level::kTownship, "营盘镇"), Kind::kTownship);
  EXPECT_EQ(kind_from_name(Level::kTownship, "牛背梁林场"), Kind::kOther);
  EXPECT_EQ(kind_from_name(Level::kVillage, "凤麓社区居委会"), Kind::kCommunity);
  EXPECT_EQ(kind_from_name(Level::kVillage, "朱家湾村委会"), Kind::kVillage);
}

TEST(Division, a_child_must_sit_one_level_below_and_inside_its_parent) {
  Division county{"611026000000", "611000000000", "柞水县", Level::kCounty, Kind::kCounty};
  Division town{"611026001000", "611026000000", "乾佑街道", Level::kTownship, Kind::kStreet};
  EXPECT_TRUE(validate_child(town, &county).ok());
  Division stray{"611022001000", "611026000000", "龙驹寨街道", Level::kTownship, Kind::kStreet};
  EXPECT_FALSE(validate_child(stray, &county).ok());
  EXPECT_FALSE(validate_child(town, nullptr).ok());
  Division wrong_level{"611026001001", "611026000000", "x", Level::kVillage, Kind::kVillage};
  EXPECT_FALSE(validate_child(wrong_level, &county).ok());
  Division unnamed{"611026001000", "611026000000", "", Level::kTownship, Kind::kStreet};
  EXPECT_EQ(validate_child(unnamed, &county).error().code, gj::ErrorCode::kMissingField);
}
