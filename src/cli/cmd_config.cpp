// gongjian config export|import --kind matrix|sla|holidays --csv FILE: the responsibility
// matrix 责任清单, SLA tiers 时限档 and holiday calendar 节假日 as CSV. An import replaces every
// row of the kind in one transaction (all rows or none), is validated like the API's edits,
// audited, and bumps the config version: running nodes reload within about a second.
#include <fstream>
#include <iostream>

#include "app/app.hpp"
#include "app/config_service.hpp"
#include "cli/command.hpp"
#include "cli/store_options.hpp"

namespace gj::cli {
namespace {

const char* kUsage =
    "usage: gongjian config export --kind KIND [--csv FILE] [--db PATH | --postgres URL]\n"
    "       gongjian config import --kind KIND --csv FILE [--db PATH | --postgres URL]\n"
    "Exports or imports the routing and deadline configuration as CSV with a header row.\n"
    "An import replaces all rows of the kind, or changes nothing when any row is invalid.\n"
    "  --kind KIND   matrix   category,unit_type,level,sla_tier   (责任清单; '*' = default row)\n"
    "                sla      code,name_zh,name_en,response_amount,response_unit,\n"
    "                         resolution_amount,resolution_unit,warn_fraction,warn_minutes,\n"
    "                         is_default   (时限档; units "
    "minutes|hours|calendar_days|working_days)\n"
    "                holidays day,kind   (节假日; kind holiday|workday, YYYY-MM-DD)\n"
    "  --csv FILE    the file to write (export; default standard output) or read (import)\n";

int run(const Args& args) {
  if (has_flag(args, "--help")) {
    std::cout << kUsage << kStoreUsage;
    return 0;
  }
  auto pos = positional(args, {"--db", "--postgres", "--kind", "--csv"});
  if (pos.size() != 1 || (pos[0] != "export" && pos[0] != "import"))
    return usage_error("config: expected export or import", kUsage);
  auto kind = app::parse_config_kind(flag_value(args, "--kind"));
  if (!kind.ok()) return usage_error("config: --kind is matrix, sla or holidays", kUsage);
  std::string file = flag_value(args, "--csv");
  bool import = pos[0] == "import";
  if (import && file.empty()) return usage_error("config import: --csv FILE is required", kUsage);
  auto db = open_store(args);
  if (!db) return 1;
  SystemClock clock;
  RandomIdGenerator ids;
  int rc = 0;
  {
    app::App application(*db, clock, ids);
    app::ConfigService svc(application);
    if (import) {
      auto n = svc.import_csv(*kind, file);
      if (!n.ok()) {
        const auto& e = n.error();
        std::cerr << "gongjian config import: " << e.message(Lang::kEn);
        if (e.code == ErrorCode::kInvalidInput) {
          auto at = e.detail.find('@');
          if (at != std::string::npos) std::cerr << " at line " << e.detail.substr(at + 1);
          if (!e.field.empty()) std::cerr << ", field " << e.field;
          std::cerr << ": " << app::config_reason_text(e.detail, Lang::kEn) << " / "
                    << app::config_reason_text(e.detail, Lang::kZh);
        } else if (!e.detail.empty()) {
          std::cerr << " (" << e.detail << ")";
        }
        std::cerr << "\nnothing was changed\n";
        rc = 1;
      } else {
        std::cerr << "imported " << *n << " rows (" << flag_value(args, "--kind") << ")\n";
      }
    } else {
      auto text = svc.export_csv(*kind);
      if (!text.ok()) {
        std::cerr << "gongjian config export: " << text.error().message(Lang::kEn) << " ("
                  << text.error().detail << ")\n";
        rc = 1;
      } else if (file.empty() || file == "-") {
        std::cout << *text;
      } else {
        std::ofstream out(file, std::ios::binary);
        out << *text;
        out.close();
        if (!out) {
          std::cerr << "gongjian config export: cannot write " << file << "\n";
          rc = 1;
        }
      }
    }
  }
  db->close();
  return rc;
}

const Registrar kReg{"config", "export or import the matrix, SLA tiers or holidays as CSV", run};
}  // namespace
}  // namespace gj::cli
