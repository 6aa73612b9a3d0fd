// Exports 导出 of the command centre 指挥中心: any list and any metric table as an Excel
// workbook, written row by row to a file (constant memory, fine for 100k rows) so the HTTP
// adapter and the CLI share it. Every export is scoped like the list it mirrors (a village
// cadre gets only its area), masks personal data as the list does, and is audited
// (export.requests, export.metrics, …) with its filters and row count.
#pragma once

#include <functional>
#include <string>

#include "app/app.hpp"
#include "common/error.hpp"

namespace gj::app {

struct RequestExportQuery {
  // The filters of GET /api/v1/requests …
  std::string status;
  bool mine = false;
  bool callback_due = false;  // the call-back queue 待回访
  bool deadline_order = false;
  // … and, for exports, an area inside the caller's scope and received months (YYYY-MM).
  std::string area, from, to;
};

struct ExportResult {
  int64_t rows = 0;  // data rows written (all sheets)
};

// Called every few thousand rows and at the end: (rows written, rows expected or -1).
using ExportProgress = std::function<void(int64_t done, int64_t total)>;

class ExportService {
 public:
  explicit ExportService(App& app) : app_(app) {}

  // Every ticket of the caller's scope matching the filters (not a page), newest first (or by
  // deadline), requester name and phone masked.
  Result<ExportResult> requests_xlsx(const auth::Principal& p, const RequestExportQuery& q,
                                     Lang lang, const std::string& path,
                                     const ExportProgress& progress = {});
  // The metric table of an area per unit and the rankings, as RequestsService::metrics
  // computes them for GET /metrics.
  Result<ExportResult> metrics_xlsx(const auth::Principal& p, const std::string& area,
                                    const std::string& from, const std::string& to, Lang lang,
                                    const std::string& path, const ExportProgress& progress = {});
  // Administrators: the users list (masked phones) and the audit log of their scope.
  Result<ExportResult> users_xlsx(const auth::Principal& p, const store::UserFilter& f, Lang lang,
                                  const std::string& path);
  Result<ExportResult> audit_xlsx(const auth::Principal& p, const store::AuditFilter& f, Lang lang,
                                  const std::string& path);

 private:
  Status audit(const auth::Principal& p, const std::string& what, const std::string& detail);
  App& app_;
};

// "YYYY-MM" → [start, end) in epoch ms, China time (UTC+8); kInvalidInput naming `field`.
Result<std::pair<int64_t, int64_t>> month_range(const std::string& month, const char* field);
// "2026-11" → "2026-10".
std::string previous_month(const std::string& month);
// "2026-11-28 16:05" in China time.
std::string china_time(int64_t epoch_ms);

}  // namespace gj::app
