#include "cli/command.hpp"

#include <unistd.h>
#include <algorithm>

#include <cstdint>
#include <fstream>
#include <iostream>
#include <sstream>

namespace gj::cli {

std::vector<Command>& registry() {
  static std::vector<Command> r;
  return r;
}

namespace {
config::Settings& file_settings() {
  static config::Settings s;
  return s;
}
// Deployment settings that may also come from the environment or the configuration file;
// other flags (a subcommand's own arguments) come only from the command line.
bool is_setting(const std::string& flag) {
  static const char* kKeys[] = {"--listen",          "--db",
                                "--postgres",        "--web",
                                "--workers",         "--secure-cookies",
                                "--scan-seconds",    "--notify-webhook",
                                "--notify-sms",      "--smtp",
                                "--smtp-from",       "--smtp-tls",
                                "--smtp-user",       "--smtp-password-file",
                                "--tls-ca-file",     "--trusted-proxies",
                                "--attachments-dir", "--attachments-store"};
  return std::find(std::begin(kKeys), std::end(kKeys), flag) != std::end(kKeys);
}
}  // namespace

void use_settings(config::Settings settings) {
  file_settings() = std::move(settings);
}

bool has_flag(const Args& args, const std::string& flag) {
  if (std::find(args.begin(), args.end(), flag) != args.end()) return true;
  if (!is_setting(flag)) return false;
  auto v = config::lookup(flag.substr(2), file_settings());
  return v && (*v == "1" || *v == "true" || *v == "yes" || *v == "on");
}

std::string flag_value(const Args& args, const std::string& flag, const std::string& fallback) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == flag && i + 1 < args.size()) return args[i + 1];
    if (args[i].rfind(flag + "=", 0) == 0) return args[i].substr(flag.size() + 1);
  }
  if (is_setting(flag)) {
    if (auto v = config::lookup(flag.substr(2), file_settings())) return *v;
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

std::optional<std::string> read_input(const std::string& what, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "gongjian " << what << ": cannot read " << path << "\n";
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int usage_error(const std::string& message, const std::string& usage) {
  std::cerr << "gongjian: " << message << "\n" << usage;
  return 2;
}

}  // namespace gj::cli
