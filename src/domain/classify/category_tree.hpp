// The category tree 分类目录 a deployment files requests under. Each county configures its own;
// data/categories/default.csv is the product's starting point. Two or three levels: L1 broad
// areas (城乡建设 …), L2 matters (供水 …), optional L3. The classifier learns whichever level a
// deployment's closed requests carry; this tree maps a suggested name back to its code, time
// limit tier and responsible unit type.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/csv.hpp"
#include "common/result.hpp"

namespace gj::classify {

struct Category {
  std::string code;         // stable code, e.g. "05" or "0503"
  std::string parent_code;  // empty for a first-level category
  std::string name_zh;
  std::string name_en;
  std::string sla_tier;   // urgent | standard | complex; empty = inherit from parent
  std::string unit_type;  // responsible unit type 责任单位类型; empty = inherit from parent
  int level = 1;
};

class CategoryTree {
 public:
  static constexpr int kMaxDepth = 3;

  // Columns code, parent_code, name_zh, name_en are required; sla_tier and unit_type optional.
  // Checks: unique codes, parents exist and come earlier, depth <= 3, names unique among
  // siblings, known tiers.
  static Result<CategoryTree> from_table(const csv::Table& table);
  static Result<CategoryTree> load(const std::string& path);

  const std::vector<Category>& all() const { return categories_; }
  const Category* find(std::string_view code) const;
  // First-level category with this Chinese name (the labels a classifier is trained on).
  const Category* find_l1_by_name(std::string_view name_zh) const;
  std::vector<const Category*> children(std::string_view parent_code) const;  // "" = roots
  // Tier and unit type, taken from the nearest ancestor that sets them.
  std::string effective_sla_tier(std::string_view code) const;
  std::string effective_unit_type(std::string_view code) const;

 private:
  std::vector<Category> categories_;
  std::unordered_map<std::string, size_t> by_code_;
};

}  // namespace gj::classify
