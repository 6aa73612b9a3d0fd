// Subcommand registry: each `cmd_*.cpp` registers itself, so main.cpp never changes when a
// subcommand arrives. Exit status: 0 success, 1 failure with a message on stderr, 2 bad usage.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/config.hpp"

namespace gj::cli {

using Args = std::vector<std::string>;  // arguments after the subcommand name

struct Command {
  std::string name;     // "serve", "import", "access", …
  std::string summary;  // one line for `gongjian --help`
  std::function<int(const Args&)> run;
};

std::vector<Command>& registry();

struct Registrar {
  Registrar(std::string name, std::string summary, std::function<int(const Args&)> run) {
    registry().push_back({std::move(name), std::move(summary), std::move(run)});
  }
};

// Small helpers shared by subcommands.
// Deployment settings (--listen, --db, --postgres, --web, --workers, --secure-cookies …) fall
// back to GONGJIAN_<KEY> and then to the configuration file (common/config.hpp).
void use_settings(config::Settings settings);
bool has_flag(const Args& args, const std::string& flag);
// Value of `--name VALUE` or `--name=VALUE`; empty if absent.
std::string flag_value(const Args& args, const std::string& flag, const std::string& fallback = "");
// Arguments that are not flags or flag values (flags listed in `valued` take a value).
Args positional(const Args& args, const std::vector<std::string>& valued);
int usage_error(const std::string& message, const std::string& usage);
// Progress on stderr: redrawn in place on a terminal, one line per report in a log.
void progress(const std::string& stage, int64_t done, int64_t total);
// The whole of an input file named on the command line; nullopt (after telling stderr
// "gongjian WHAT: cannot read PATH") when it cannot be read.
std::optional<std::string> read_input(const std::string& what, const std::string& path);

}  // namespace gj::cli
