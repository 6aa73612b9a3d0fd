#include "domain/classify/category_tree.hpp"

#include <set>

#include "common/text.hpp"

namespace gj::classify {

namespace {

bool known_tier(std::string_view t) {
  return t.empty() || t == "urgent" || t == "standard" || t == "complex";
}

}  // namespace

Result<CategoryTree> CategoryTree::from_table(const csv::Table& table) {
  const int code = table.column("code"), parent = table.column("parent_code"),
            zh = table.column("name_zh"), en = table.column("name_en"),
            tier = table.column("sla_tier"), unit = table.column("unit_type");
  if (code < 0 || parent < 0 || zh < 0 || en < 0)
    return make_error(ErrorCode::kMissingField,
                      "a category tree needs the columns code, parent_code, name_zh, name_en");
  if (table.rows.empty()) return make_error(ErrorCode::kInvalidInput, "the category tree is empty");
  CategoryTree tree;
  std::set<std::pair<std::string, std::string>> sibling_names;
  for (size_t r = 0; r < table.rows.size(); ++r) {
    const auto& rec = table.rows[r];
    const std::string where = "category row " + std::to_string(r + 1);
    if (rec.size() != table.header.size())
      return make_error(ErrorCode::kInvalidInput, where + " has the wrong number of fields");
    Category c;
    c.code = trim(rec[code]);
    c.parent_code = trim(rec[parent]);
    c.name_zh = trim(rec[zh]);
    c.name_en = trim(rec[en]);
    if (tier >= 0) c.sla_tier = trim(rec[tier]);
    if (unit >= 0) c.unit_type = trim(rec[unit]);
    if (c.code.empty() || c.name_zh.empty())
      return make_error(ErrorCode::kMissingField, where + " needs a code and a name_zh");
    if (tree.by_code_.count(c.code))
      return make_error(ErrorCode::kAlreadyExists, where + ": code " + c.code + " appears twice",
                        "code");
    if (!known_tier(c.sla_tier))
      return make_error(ErrorCode::kInvalidInput,
                        where + ": sla_tier must be urgent, standard or complex", "sla_tier");
    if (!c.parent_code.empty()) {
      const Category* p = tree.find(c.parent_code);
      if (!p)
        return make_error(ErrorCode::kInvalidCode,
                          where + ": parent " + c.parent_code +
                              " is unknown (parents must be listed before their children)",
                          "parent_code");
      c.level = p->level + 1;
      if (c.level > kMaxDepth)
        return make_error(ErrorCode::kInvalidInput,
                          where + ": deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    if (!sibling_names.insert({c.parent_code, c.name_zh}).second)
      return make_error(ErrorCode::kAlreadyExists,
                        where + ": name " + c.name_zh + " is used twice under one parent",
                        "name_zh");
    tree.by_code_.emplace(c.code, tree.categories_.size());
    tree.categories_.push_back(std::move(c));
  }
  return tree;
}

Result<CategoryTree> CategoryTree::load(const std::string& path) {
  auto table = csv::read_file(path);
  if (!table.ok()) {
    Error e = table.error();
    e.detail = path + ": " + e.detail;
    return e;
  }
  auto tree = from_table(*table);
  if (!tree.ok()) {
    Error e = tree.error();
    e.detail = path + ": " + e.detail;
    return e;
  }
  return tree;
}

const Category* CategoryTree::find(std::string_view code) const {
  auto it = by_code_.find(std::string(code));
  return it == by_code_.end() ? nullptr : &categories_[it->second];
}

const Category* CategoryTree::find_l1_by_name(std::string_view name_zh) const {
  for (const auto& c : categories_)
    if (c.level == 1 && c.name_zh == name_zh) return &c;
  return nullptr;
}

std::vector<const Category*> CategoryTree::children(std::string_view parent_code) const {
  std::vector<const Category*> out;
  for (const auto& c : categories_)
    if (c.parent_code == parent_code) out.push_back(&c);
  return out;
}

std::string CategoryTree::effective_sla_tier(std::string_view code) const {
  for (const Category* c = find(code); c; c = find(c->parent_code))
    if (!c->sla_tier.empty()) return c->sla_tier;
  return "standard";
}

std::string CategoryTree::effective_unit_type(std::string_view code) const {
  for (const Category* c = find(code); c; c = find(c->parent_code))
    if (!c->unit_type.empty()) return c->unit_type;
  return {};
}

}  // namespace gj::classify
