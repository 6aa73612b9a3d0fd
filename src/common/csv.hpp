// RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. A UTF-8 BOM is skipped.
// Used for division imports, classifier training files, facility imports and exports.
#pragma once

#include <functional>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace gj::csv {

using Record = std::vector<std::string>;

class Reader {
 public:
  explicit Reader(std::istream& in) : in_(in) {}
  // Reads the next record; false at end of input. A quote left open at end of input is an
  // error (kInvalidInput) reported through error().
  bool next(Record& out);
  const std::string& error() const { return error_; }
  size_t line() const { return line_; }  // 1-based line where the last record started

 private:
  std::istream& in_;
  std::string error_;
  size_t line_ = 0, cur_line_ = 1;
  bool first_ = true;
};

// A whole file with a header row: rows as records, columns found by header name.
struct Table {
  Record header;
  std::vector<Record> rows;
  // Index of a column by header name, or -1.
  int column(std::string_view name) const;
};

Result<Table> read_file(const std::string& path);
Result<Table> read_stream(std::istream& in);

// Quotes a field when it holds a comma, quote, CR or LF.
std::string escape(std::string_view field);
std::string format_record(const Record& r);

}  // namespace gj::csv
