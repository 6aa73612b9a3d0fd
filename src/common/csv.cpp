#include "common/csv.hpp"

#include <fstream>

namespace gj::csv {

bool Reader::next(Record& out) {
  out.clear();
  std::string field;
  bool in_quotes = false, any = false, field_was_quoted = false;
  line_ = cur_line_;
  int c;
  while ((c = in_.get()) != EOF) {
    any = true;
    if (first_) {
      first_ = false;
      if (c == 0xEF && in_.peek() == 0xBB) {  // UTF-8 BOM
        in_.get();
        if (in_.peek() == 0xBF) {
          in_.get();
          continue;
        }
      }
    }
    char ch = static_cast<char>(c);
    if (in_quotes) {
      if (ch == '"') {
        if (in_.peek() == '"') {
          in_.get();
          field.push_back('"');
        } else {
          in_quotes = false;
        }
      } else {
        if (ch == '\n') ++cur_line_;
        field.push_back(ch);
      }
      continue;
    }
    if (ch == '"' && field.empty() && !field_was_quoted) {
      in_quotes = true;
      field_was_quoted = true;
    } else if (ch == ',') {
      out.push_back(std::move(field));
      field.clear();
      field_was_quoted = false;
    } else if (ch == '\r') {
      if (in_.peek() == '\n') continue;
      ++cur_line_;
      break;
    } else if (ch == '\n') {
      ++cur_line_;
      break;
    } else {
      field.push_back(ch);
    }
  }
  if (in_quotes) {
    error_ = "unterminated quoted field starting on line " + std::to_string(line_);
    return false;
  }
  if (!any) return false;
  out.push_back(std::move(field));
  return true;
}

int Table::column(std::string_view name) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  return -1;
}

Result<Table> read_stream(std::istream& in) {
  Reader reader(in);
  Table t;
  Record r;
  if (!reader.next(t.header)) {
    if (!reader.error().empty()) return make_error(ErrorCode::kInvalidInput, reader.error());
    return make_error(ErrorCode::kInvalidInput, "empty CSV file (no header row)");
  }
  while (reader.next(r)) {
    if (r.size() == 1 && r[0].empty()) continue;  // blank line
    t.rows.push_back(std::move(r));
  }
  if (!reader.error().empty()) return make_error(ErrorCode::kInvalidInput, reader.error());
  return t;
}

Result<Table> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIo, "cannot open " + path);
  return read_stream(in);
}

std::string escape(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string s = "\"";
  for (char c : field) {
    if (c == '"') s.push_back('"');
    s.push_back(c);
  }
  s.push_back('"');
  return s;
}

std::string format_record(const Record& r) {
  std::string s;
  for (size_t i = 0; i < r.size(); ++i) {
    if (i) s.push_back(',');
    s += escape(r[i]);
  }
  return s;
}

}  // namespace gj::csv
