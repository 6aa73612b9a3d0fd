#include "report/xlsx.hpp"

#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace gj::report {

namespace {
// Excel counts days from 1899-12-30; China time is UTC+8 all year.
double excel_date(double epoch_ms) {
  return (epoch_ms + 8.0 * 3600 * 1000) / 86400000.0 + 25569.0;
}

std::string sheet_name(const std::string& name) {
  // Excel allows 31 characters (UTF-16 units; ours are BMP) and none of []:*?/\ .
  std::string out;
  int chars = 0;
  for (size_t i = 0; i < name.size() && chars < 31;) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    std::string ch = name.substr(i, n);
    if (ch.size() == 1 && std::string("[]:*?/\\").find(ch[0]) != std::string::npos) ch = "_";
    out += ch;
    i += n;
    ++chars;
  }
  return out.empty() ? "Sheet" : out;
}
}  // namespace

XlsxWriter::XlsxWriter(const std::string& path) {
  lxw_workbook_options opt = {};
  opt.constant_memory = LXW_TRUE;
  const char* tmp = std::getenv("TMPDIR");
  opt.tmpdir = const_cast<char*>(tmp && *tmp ? tmp : "/tmp");
  wb_ = workbook_new_opt(path.c_str(), &opt);
  if (!wb_) return;
  head_ = workbook_add_format(wb_);
  format_set_bold(head_);
  format_set_bg_color(head_, 0xDDEBF7);
  format_set_border(head_, LXW_BORDER_THIN);
  format_set_text_wrap(head_);
  pct_ = workbook_add_format(wb_);
  format_set_num_format(pct_, "0.0%");
  date_ = workbook_add_format(wb_);
  format_set_num_format(date_, "yyyy-mm-dd hh:mm");
  int_ = workbook_add_format(wb_);
  format_set_num_format(int_, "0");
  num_ = workbook_add_format(wb_);
  format_set_num_format(num_, "0.0");
}

XlsxWriter::~XlsxWriter() {
  if (wb_) workbook_close(wb_);  // an abandoned writer still releases its temp files
}

void XlsxWriter::sheet(const std::string& name, std::vector<Column> columns) {
  if (!wb_) return;
  ws_ = workbook_add_worksheet(wb_, sheet_name(name).c_str());
  cols_ = std::move(columns);
  next_row_ = 0;
  for (size_t c = 0; c < cols_.size(); ++c) {
    worksheet_set_column(ws_, c, c, cols_[c].width, nullptr);
    worksheet_write_string(ws_, 0, c, cols_[c].header.c_str(), head_);
  }
  worksheet_freeze_panes(ws_, 1, 0);
  next_row_ = 1;
}

void XlsxWriter::row(const std::vector<Cell>& cells) {
  if (!ws_) return;
  for (size_t c = 0; c < cells.size(); ++c) {
    const Cell& v = cells[c];
    CellKind k = c < cols_.size() ? cols_[c].kind : CellKind::kText;
    if (v.text) {
      worksheet_write_string(ws_, next_row_, c, v.text->c_str(), nullptr);
    } else if (v.number) {
      lxw_format* f = k == CellKind::kPercent    ? pct_
                      : k == CellKind::kDateTime ? date_
                      : k == CellKind::kInteger  ? int_
                      : k == CellKind::kNumber   ? num_
                                                 : nullptr;
      double x = k == CellKind::kDateTime ? excel_date(*v.number) : *v.number;
      worksheet_write_number(ws_, next_row_, c, x, f);
    }
  }
  ++next_row_;
  ++rows_;
}

void XlsxWriter::note_sheet(const std::string& name,
                            const std::vector<std::pair<std::string, std::string>>& lines) {
  if (!wb_) return;
  lxw_worksheet* ws = workbook_add_worksheet(wb_, sheet_name(name).c_str());
  worksheet_set_column(ws, 0, 0, 18, head_);
  worksheet_set_column(ws, 1, 1, 60, nullptr);
  for (size_t i = 0; i < lines.size(); ++i) {
    worksheet_write_string(ws, i, 0, lines[i].first.c_str(), head_);
    worksheet_write_string(ws, i, 1, lines[i].second.c_str(), nullptr);
  }
  ws_ = nullptr;  // rows go to a data sheet only
}

Status XlsxWriter::close() {
  if (!wb_) return make_error(ErrorCode::kInternal, "cannot start the workbook");
  lxw_error err = workbook_close(wb_);
  wb_ = nullptr;
  ws_ = nullptr;
  if (err != LXW_NO_ERROR)
    return make_error(ErrorCode::kInternal,
                      std::string("cannot write the workbook: ") + lxw_strerror(err));
  return {};
}

Result<std::string> temp_path(const char* stem, const char* suffix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + stem + "_XXXXXX" + suffix;
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  int fd = ::mkstemps(buf.data(), static_cast<int>(std::string(suffix).size()));
  if (fd < 0) return make_error(ErrorCode::kInternal, "cannot create a temporary file");
  ::close(fd);
  return std::string(buf.data());
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kInternal, "cannot read " + path);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return bytes;
}

}  // namespace gj::report
