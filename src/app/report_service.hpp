// The monthly report 月度报告 of an area: fills report::MonthlyReport from the metrics and
// hot-issue services and the scoped ticket list, and draws it as a PDF (src/report). Shared by
// GET /api/v1/reports/monthly.pdf and `gongjian report monthly`; audited as an export.
#pragma once

#include <string>

#include "app/app.hpp"
#include "report/monthly.hpp"

namespace gj::app {

class ReportService {
 public:
  explicit ReportService(App& app) : app_(app) {}

  // `area` empty: the caller's scope; `month` "YYYY-MM" (required).
  Result<report::MonthlyReport> monthly(const auth::Principal& p, const std::string& area,
                                        const std::string& month, Lang lang);
  // The same, drawn to `path` (PDF) and audited (export.monthly_report).
  Result<report::MonthlyReport> monthly_pdf(const auth::Principal& p, const std::string& area,
                                            const std::string& month, Lang lang,
                                            const std::string& path);

 private:
  App& app_;
};

}  // namespace gj::app
