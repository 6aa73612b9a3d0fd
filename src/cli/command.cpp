#include "cli/command.hpp"

#include <unistd.h>
#include <algorithm>

#include <cstdint>
#include <iostream>

namespace gj::cli {

std::vector<Command>& registry() {
  static std::vector<Command> r;
  return r;
}

bool has_flag(const Args& args, const std::string& flag) {
  return std::find(args.begin(), args.end(), flag) != args.end();
}

std::string flag_value(const Args& args, const std::string& flag, const std::string& fallback) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == flag && i + 1 < args.size()) return args[i + 1];
    if (args[i].rfind(flag + "=", 0) == 0) return args[i].substr(flag.size() + 1);
  }
  return fallback;
}

Args positional(const Args& args, const std::vector<std::string>& valued) {
  Args out;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a.rfind("--", 0) == 0) {
      if (a.find('=') == std::string::npos &&
          std::find(valued.begin(), valued.end(), a) != valued.end())
        ++i;
      continue;
    }
    out.push_back(a);
  }
  return out;
}

void progress(const std::string& stage, int64_t done, int64_t total) {
  static const bool tty = ::isatty(2) != 0;
  std::cerr << (tty ? "\r  " : "  ") << stage << ": " << done
            << (total ? " / " + std::to_string(total) : "") << (tty ? "        " : "\n")
            << std::flush;
}

int usage_error(const std::string& message, const std::string& usage) {
  std::cerr << "gongjian: " << message << "\n" << usage;
  return 2;
}

}  // namespace gj::cli
