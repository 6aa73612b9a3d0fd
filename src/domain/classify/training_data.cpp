#include "domain/classify/training_data.hpp"

#include <charconv>
#include <unordered_map>
#include <unordered_set>

#include "common/csv.hpp"
#include "common/text.hpp"

namespace gj::classify {

namespace {

std::string header_list(const csv::Record& header) {
  std::string s;
  for (const auto& h : header) s += (s.empty() ? "" : ", ") + h;
  return s.empty() ? "(none)" : s;
}

Error with_path(const std::string& path, Error e) {
  e.detail = path + ": " + e.detail;
  return e;
}

}  // namespace

Result<std::vector<MessageRow>> read_messages_csv(const std::string& path, bool require_label) {
  auto table = csv::read_file(path);
  if (!table.ok()) return with_path(path, table.error());
  const int id = table->column(kIdColumn), subject = table->column(kSubjectColumn),
            detail = table->column(kDetailColumn), label = table->column(kCategoryColumn);
  std::string missing;
  for (auto [col, name] : {std::pair{id, kIdColumn}, std::pair{subject, kSubjectColumn},
                           std::pair{detail, kDetailColumn}})
    if (col < 0) missing += std::string(missing.empty() ? "" : ", ") + name;
  if (require_label && label < 0)
    missing += std::string(missing.empty() ? "" : ", ") + kCategoryColumn;
  if (!missing.empty())
    return make_error(
        ErrorCode::kMissingField,
        path + ": missing column(s) " + missing + "; the header has " + header_list(table->header),
        missing);
  if (table->rows.empty())
    return make_error(ErrorCode::kInvalidInput, path + ": no data rows after the header");

  std::vector<MessageRow> rows;
  rows.reserve(table->rows.size());
  std::unordered_set<std::string> ids;
  for (size_t r = 0; r < table->rows.size(); ++r) {
    const auto& rec = table->rows[r];
    const std::string where = path + ": data row " + std::to_string(r + 1);
    if (rec.size() != table->header.size())
      return make_error(ErrorCode::kInvalidInput, where + " has " + std::to_string(rec.size()) +
                                                      " fields but the header has " +
                                                      std::to_string(table->header.size()));
    MessageRow row;
    row.id = trim(rec[id]);
    row.example.subject = rec[subject];
    row.example.detail = rec[detail];
    if (label >= 0) row.example.category = trim(rec[label]);
    if (row.id.empty()) return make_error(ErrorCode::kMissingField, where + " has no " + kIdColumn);
    // Ids must be unique where folds are matched by id (train/eval); prediction just echoes them.
    if (require_label && !ids.insert(row.id).second)
      return make_error(ErrorCode::kInvalidInput,
                        where + ": " + kIdColumn + " " + row.id + " appears twice");
    // Training data must be clean; when predicting, a stray byte is read as U+FFFD instead of
    // refusing the whole batch.
    if (require_label &&
        (!is_valid_utf8(row.example.subject) || !is_valid_utf8(row.example.detail) ||
         !is_valid_utf8(row.example.category)))
      return make_error(ErrorCode::kInvalidUtf8,
                        where + " is not valid UTF-8 (save the file as UTF-8)");
    if (require_label && row.example.category.empty())
      return make_error(ErrorCode::kMissingField,
                        where + " (" + kIdColumn + " " + row.id + ") has no " + kCategoryColumn,
                        kCategoryColumn);
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::vector<int>> read_folds_csv(const std::string& path,
                                        const std::vector<MessageRow>& rows) {
  auto table = csv::read_file(path);
  if (!table.ok()) return with_path(path, table.error());
  int id = table->column(kIdColumn);
  if (id < 0) id = table->column("id");
  const int fold = table->column("fold");
  if (id < 0 || fold < 0)
    return make_error(ErrorCode::kMissingField,
                      path + ": a folds file needs the columns " + kIdColumn +
                          " (or id) and fold; the header has " + header_list(table->header));
  std::unordered_map<std::string, int> fold_of;
  for (size_t r = 0; r < table->rows.size(); ++r) {
    const auto& rec = table->rows[r];
    int f = -1;
    const std::string v = rec.size() > static_cast<size_t>(fold) ? trim(rec[fold]) : "";
    auto res = std::from_chars(v.data(), v.data() + v.size(), f);
    if (rec.size() != table->header.size() || res.ec != std::errc() ||
        res.ptr != v.data() + v.size() || f < 0)
      return make_error(ErrorCode::kInvalidInput,
                        path + ": data row " + std::to_string(r + 1) + " needs a fold number >= 0");
    fold_of[trim(rec[id])] = f;
  }
  std::vector<int> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    auto it = fold_of.find(row.id);
    if (it == fold_of.end())
      return make_error(ErrorCode::kInvalidInput,
                        path + ": no fold for " + kIdColumn + " " + row.id);
    out.push_back(it->second);
  }
  return out;
}

}  // namespace gj::classify
