#include "domain/classify/category_tree.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace gj::classify {
namespace {

Result<CategoryTree> tree_from(const std::string& text) {
  std::istringstream in(text);
  auto t = csv::read_stream(in);
  if (!t.ok()) return t.error();
  return CategoryTree::from_table(*t);
}

TEST(CategoryTree, the_shipped_default_tree_is_valid_and_covers_the_common_first_level_areas) {
  auto tree = CategoryTree::load(GJ_SOURCE_DIR "/data/categories/default.csv");
  ASSERT_TRUE(tree.ok()) << tree.error().detail;
  auto roots = tree->children("");
  EXPECT_GE(roots.size(), 10u);
  // Generic government category names used by 12345 hotlines (and by the sample data's labels).
  for (const char* name :
       {"城乡建设", "劳动和社会保障", "教育文体", "商贸旅游", "卫生计生", "环境保护", "交通运输"})
    EXPECT_NE(tree->find_l1_by_name(name), nullptr) << name;
  for (const auto& c : tree->all()) {
    EXPECT_FALSE(c.name_en.empty()) << c.code;
    EXPECT_FALSE(tree->effective_unit_type(c.code).empty()) << c.code;
    if (c.level == 1) {
      EXPECT_FALSE(tree->children(c.code).empty()) << c.code;
    }
  }
}

TEST(CategoryTree, children_inherit_tier_and_unit_type_from_their_parent) {
  auto tree = tree_from(
      "code,parent_code,name_zh,name_en,sla_tier,unit_type\n"
      "01,,城乡建设,Urban and rural construction,standard,住建部门\n"
      "0101,01,供水,Water supply,urgent,\n"
      "010101,0101,停水,Water outage,,\n");
  ASSERT_TRUE(tree.ok()) << tree.error().detail;
  EXPECT_EQ(tree->find("010101")->level, 3);
  EXPECT_EQ(tree->effective_sla_tier("010101"), "urgent");
  EXPECT_EQ(tree->effective_unit_type("010101"), "住建部门");
  EXPECT_EQ(tree->children("01").size(), 1u);
}

TEST(CategoryTree, an_unknown_parent_is_rejected) {
  auto t = tree_from("code,parent_code,name_zh,name_en\n0101,01,供水,Water\n");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::kInvalidCode);
  EXPECT_NE(t.error().detail.find("parent 01 is unknown"), std::string::npos);
}

TEST(CategoryTree, duplicate_codes_and_sibling_names_are_rejected) {
  EXPECT_FALSE(tree_from("code,parent_code,name_zh,name_en\n01,,甲,A\n01,,乙,B\n").ok());
  EXPECT_FALSE(tree_from("code,parent_code,name_zh,name_en\n01,,甲,A\n02,,甲,B\n").ok());
}

TEST(CategoryTree, a_fourth_level_and_an_unknown_tier_are_rejected) {
  EXPECT_FALSE(
      tree_from("code,parent_code,name_zh,name_en\n1,,a,a\n2,1,b,b\n3,2,c,c\n4,3,d,d\n").ok());
  EXPECT_FALSE(tree_from("code,parent_code,name_zh,name_en,sla_tier\n1,,a,a,whenever\n").ok());
}

TEST(CategoryTree, missing_columns_are_rejected) {
  auto t = tree_from("code,name_zh\n1,a\n");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::kMissingField);
}

}  // namespace
}  // namespace gj::classify
