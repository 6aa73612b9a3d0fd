// gongjian: one binary for the server and the batch work (architecture.md). Thin on purpose:
// it finds the subcommand and hands over.
#include <algorithm>
#include <iostream>

#include "cli/command.hpp"

int main(int argc, char** argv) {
  auto& cmds = gj::cli::registry();
  std::sort(cmds.begin(), cmds.end(), [](auto& a, auto& b) { return a.name < b.name; });
  std::string sub = argc > 1 ? argv[1] : "--help";
  if (sub == "--help" || sub == "-h" || sub == "help") {
    std::cout << "gongjian (共建) — party-building-led grassroots governance platform\n\n"
                 "usage: gongjian COMMAND [options]   (gongjian COMMAND --help for details)\n\n"
                 "commands:\n";
    for (const auto& c : cmds) {
      std::cout << "  " << c.name << std::string(c.name.size() < 12 ? 12 - c.name.size() : 1, ' ')
                << c.summary << "\n";
    }
    return argc > 1 ? 0 : 2;
  }
  if (sub == "--version") {
    std::cout << "gongjian 0.1.0\n";
    return 0;
  }
  for (const auto& c : cmds) {
    if (c.name == sub) {
      gj::cli::Args args(argv + 2, argv + argc);
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
