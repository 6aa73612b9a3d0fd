// A small Excel writer over libxlsxwriter for every export 导出 (coverage, requests, metrics,
// users, audit): one workbook in a file, sheets with a bold frozen header row, column widths,
// percent and date formats, and a note sheet 说明 naming the area, period and time of
// generation. Rows are written in order in libxlsxwriter's constant-memory mode, so 100k rows
// cost a few MB of disk and a flat amount of RAM. No HTTP, no SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"

struct lxw_workbook;
struct lxw_worksheet;
struct lxw_format;

namespace gj::report {

enum class CellKind { kText, kNumber, kInteger, kPercent, kDateTime };

struct Column {
  std::string header;
  double width = 12;
  CellKind kind = CellKind::kText;
};

// One cell: text, a number, or empty (no value: not 0).
struct Cell {
  std::optional<std::string> text;
  std::optional<double> number;
  static Cell of(std::string s) { return {std::move(s), std::nullopt}; }
  static Cell of(double v) { return {std::nullopt, v}; }
  static Cell of(std::optional<double> v) { return {std::nullopt, v}; }
  static Cell empty() { return {}; }
};

class XlsxWriter {
 public:
  // Creates the workbook at `path` (overwritten). Check ok() before writing.
  explicit XlsxWriter(const std::string& path);
  ~XlsxWriter();
  XlsxWriter(const XlsxWriter&) = delete;
  XlsxWriter& operator=(const XlsxWriter&) = delete;

  bool ok() const { return wb_ != nullptr; }
  // Starts a sheet (names are cut to Excel's 31 characters) and writes its header row.
  void sheet(const std::string& name, std::vector<Column> columns);
  // Appends a row to the current sheet; kPercent cells take a fraction (0.953 → 95.3%),
  // kDateTime cells take epoch milliseconds and are shown in China time (UTC+8).
  void row(const std::vector<Cell>& cells);
  int64_t rows_written() const { return rows_; }  // data rows, all sheets
  // A two-column sheet of (label, value) lines: area, period, generated at, filters.
  void note_sheet(const std::string& name,
                  const std::vector<std::pair<std::string, std::string>>& lines);
  // Writes the file; the writer is done afterwards.
  Status close();

 private:
  lxw_workbook* wb_ = nullptr;
  lxw_worksheet* ws_ = nullptr;
  lxw_format *head_ = nullptr, *pct_ = nullptr, *date_ = nullptr, *int_ = nullptr, *num_ = nullptr;
  std::vector<Column> cols_;
  uint32_t next_row_ = 0;
  int64_t rows_ = 0;
};

// A fresh temporary file path under $TMPDIR (created empty, removed by the caller).
Result<std::string> temp_path(const char* stem, const char* suffix);
// The whole file as bytes (for HTTP responses); kInternal when unreadable.
Result<std::string> read_file(const std::string& path);

}  // namespace gj::report
