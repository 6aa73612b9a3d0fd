// gongjian user add|reset|disable|enable: account administration from the machine itself.
#include <iostream>

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

int run(const Args& args) {
  auto pos = positional(args, {"--db", "--postgres", "--role", "--scope", "--unit", "--display",
                               "--password", "--phone", "--id-number", "--email", "--language"});
  if (has_flag(args, "--help")) {
    std::cout << kUsage << kStoreUsage;
    return 0;
  }
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
