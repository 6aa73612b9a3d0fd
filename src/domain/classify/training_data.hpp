// Reading requests for training and prediction from CSV in the column layout of the 12345-style
// message exports (留言编号, 留言主题, 留言详情, 一级分类); other columns are ignored.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "domain/classify/classifier.hpp"

namespace gj::classify {

inline constexpr const char* kIdColumn = "留言编号";
inline constexpr const char* kSubjectColumn = "留言主题";
inline constexpr const char* kDetailColumn = "留言详情";
inline constexpr const char* kCategoryColumn = "一级分类";
inline constexpr const char* kPredictedColumn = "预测分类";
inline constexpr const char* kConfidenceColumn = "置信度";

struct MessageRow {
  std::string id;
  Example example;  // category empty when the file has no label column
};

// require_label (training, evaluation): the category column must exist and be non-empty on
// every row, ids must be unique and text valid UTF-8. Errors name the file, the row and the
// missing column.
Result<std::vector<MessageRow>> read_messages_csv(const std::string& path, bool require_label);

// Fold assignments for cross-validation from a CSV with columns (留言编号 or id) and fold, one
// row per message; returns the fold of each row in `rows` order.
Result<std::vector<int>> read_folds_csv(const std::string& path,
                                        const std::vector<MessageRow>& rows);

}  // namespace gj::classify
