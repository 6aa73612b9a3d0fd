// gongjian: one binary for the server and the batch work (architecture.md). Thin on purpose:
// it finds the subcommand and hands over.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/command.hpp"

int main(int argc, char** argv) {
  auto& cmds = gj::cli::registry();
  std::sort(cmds.begin(), cmds.end(), [](auto& a, auto& b) { return a.name < b.name; });
  // --config FILE (anywhere on the line), else $GONGJIAN_CONFIG, else /etc/gongjian/gongjian.conf.
  std::vector<std::string> all(argv + 1, argv + argc);
  std::string config_path;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i] == "--config" && i + 1 < all.size()) {
      config_path = all[i + 1];
      all.erase(all.begin() + static_cast<long>(i), all.begin() + static_cast<long>(i) + 2);
      break;
    }
  }
  bool explicit_config = !config_path.empty();
  if (config_path.empty() && std::getenv("GONGJIAN_CONFIG")) {
    config_path = std::getenv("GONGJIAN_CONFIG");
    explicit_config = true;
  }
  if (config_path.empty() && std::filesystem::exists("/etc/gongjian/gongjian.conf"))
    config_path = "/etc/gongjian/gongjian.conf";
  if (!config_path.empty()) {
    auto settings = gj::config::load_file(config_path);
    if (!settings.ok()) {
      std::cerr << "gongjian: configuration: " << settings.error().detail << "\n";
      if (explicit_config) return 2;
    } else {
      gj::cli::use_settings(std::move(*settings));
    }
  }
  std::string sub = all.empty() ? "--help" : all[0];
  if (sub == "--help" || sub == "-h" || sub == "help") {
    std::cout << "gongjian (共建) — party-building-led grassroots governance platform\n\n"
                 "usage: gongjian COMMAND [options]   (gongjian COMMAND --help for details)\n\n"
                 "commands:\n";
    for (const auto& c : cmds) {
      std::cout << "  " << c.name << std::string(c.name.size() < 12 ? 12 - c.name.size() : 1, ' ')
                << c.summary << "\n";
    }
    return all.empty() ? 2 : 0;
  }
  if (sub == "--version") {
    std::cout << "gongjian 0.1.0\n";
    return 0;
  }
  for (const auto& c : cmds) {
    if (c.name == sub) {
      gj::cli::Args args(all.begin() + 1, all.end());
      try {
        return c.run(args);
      } catch (const std::exception& e) {
        std::cerr << "gongjian " << sub << ": " << e.what() << "\n";
        return 1;
      }
    }
  }
  std::cerr << "gongjian: unknown command '" << sub << "' (see gongjian --help)\n";
  return 2;
}
