// gongjian user add|reset|disable|enable: account administration from the machine itself.
// gongjian user import FILE.csv --passwords OUT.csv: a county's staff accounts in one go.
#include <sys/stat.h>

#include <fstream>
#include <iostream>

#include "common/csv.hpp"

#include "app/app.hpp"
#include "cli/command.hpp"
#include "cli/store_options.hpp"

namespace gj::cli {
namespace {

const char* kUsage =
    "usage: gongjian user add NAME --role ROLE [--scope CODE | --unit ID] [--display NAME]\n"
    "                         [--password PW] [--phone P] [--id-number N]\n"
    "                         [--email ADDRESS]   (staff notifications by e-mail)\n"
    "                         [--language zh-CN|en]   (of those e-mails; default zh-CN)\n"
    "       gongjian user reset NAME [--password PW]\n"
    "       gongjian user disable NAME | enable NAME\n"
    "       gongjian user import FILE.csv --passwords OUT.csv [--dry-run]\n"
    "import: one account per row; header username,display_name,role and optionally\n"
    "  scope_code, unit_division_code + unit_name (a department user's unit), phone, id_number,\n"
    "  email, language. Every row is checked first and every problem listed with its line;\n"
    "  with any problem nothing is written. Each new account gets a generated initial password,\n"
    "  written only to OUT.csv (username,password; mode 0600) for handing out.\n"
    "Roles: admin command township village grid_worker department citizen.\n"
    "Without --password the password is read from standard input (one line).\n";

std::string password_arg(const Args& args) {
  std::string pw = flag_value(args, "--password");
  if (pw.empty()) std::getline(std::cin, pw);
  return pw;
}

int fail(const Error& e) {
  std::cerr << "gongjian user: " << e.message(Lang::kEn);
  if (!e.detail.empty()) std::cerr << " (" << e.detail << ")";
  std::cerr << "\n";
  return 1;
}

int run_import(const Args& args, const std::string& file) {
  std::string out = flag_value(args, "--passwords");
  bool dry = has_flag(args, "--dry-run");
  if (out.empty() && !dry)
    return usage_error("user import: --passwords OUT.csv is required (the initial passwords)",
                       kUsage);
  auto text = read_input("user import", file);
  if (!text) return 1;
  // Opened first (owner-only), so an unwritable path fails before any account exists.
  std::ofstream pw;
  if (!dry) {
    pw.open(out, std::ios::trunc);
    ::chmod(out.c_str(), 0600);
    if (!pw) {
      std::cerr << "gongjian user import: cannot write " << out << "\n";
      return 1;
    }
  }
  auto db = open_store(args);
  if (!db) return 1;
  SystemClock clock;
  RandomIdGenerator ids;
  app::App a(*db, clock, ids);
  auto r = a.import_users(nullptr, *text, dry, app::ImportProgress{progress});
  std::cerr << "\n";
  db->close();
  if (!r.ok()) return fail(r.error());
  if (!r->problems.empty()) {
    for (const auto& p : r->problems) {
      std::cerr << "line " << p.line << ": ";
      if (!p.error.field.empty()) std::cerr << p.error.field << ": ";
      std::cerr << p.error.message(Lang::kEn);
      if (!p.error.detail.empty()) std::cerr << " (" << p.error.detail << ")";
      std::cerr << "\n";
    }
    std::cerr << "gongjian user import: " << r->problems.size()
              << " problems; nothing was imported\n";
    return 1;
  }
  if (dry) {
    std::cout << "dry run (nothing written): " << r->read << " accounts can be added\n";
    return 0;
  }
  pw << "username,password\n";
  for (const auto& [user, password] : r->passwords)
    pw << csv::escape(user) << "," << csv::escape(password) << "\n";
  pw.close();
  if (!pw) {
    std::cerr << "gongjian user import: the accounts were added but " << out
              << " could not be written: reset their passwords with `gongjian user reset`\n";
    return 1;
  }
  std::cout << r->added << " accounts added; initial passwords in " << out << "\n";
  return 0;
}

int run(const Args& args) {
  auto pos = positional(
      args, {"--db", "--postgres", "--role", "--scope", "--unit", "--display", "--password",
             "--phone", "--id-number", "--email", "--language", "--passwords"});
  if (has_flag(args, "--help")) {
    std::cout << kUsage << kStoreUsage;
    return 0;
  }
  if (pos.size() == 2 && pos[0] == "import") return run_import(args, pos[1]);
  if (pos.size() != 2) return usage_error("user: expected an action and a user name", kUsage);
  const std::string& action = pos[0];
  const std::string& name = pos[1];
  if (action != "add" && action != "reset" && action != "disable" && action != "enable")
    return usage_error("user: unknown action " + action, kUsage);
  auto db = open_store(args);
  if (!db) return 1;
  SystemClock clock;
  RandomIdGenerator ids;
  app::App a(*db, clock, ids);
  int rc = 0;
  if (action == "add") {
    app::NewUser u;
    u.username = name;
    u.role = flag_value(args, "--role");
    u.scope_code = flag_value(args, "--scope");
    std::string unit = flag_value(args, "--unit");
    if (!unit.empty()) u.unit_id = std::stoll(unit);
    u.display_name = flag_value(args, "--display", name);
    u.phone = flag_value(args, "--phone");
    u.id_number = flag_value(args, "--id-number");
    u.email = flag_value(args, "--email");
    u.language = flag_value(args, "--language");
    u.password = password_arg(args);
    auto id = a.cli_add_user(u);
    if (!id.ok())
      rc = fail(id.error());
    else
      std::cout << "user " << name << " created (id " << *id << ")\n";
  } else if (action == "reset") {
    auto st = a.cli_reset_password(name, password_arg(args));
    if (!st.ok())
      rc = fail(st.error());
    else
      std::cout << "password of " << name << " reset; their sessions were ended\n";
  } else {
    auto st = a.cli_set_disabled(name, action == "disable");
    if (!st.ok())
      rc = fail(st.error());
    else
      std::cout << "user " << name << " " << action << "d\n";
  }
  db->close();
  return rc;
}

const Registrar kReg{"user", "add, reset, disable or enable a user account", run};
}  // namespace
}  // namespace gj::cli
