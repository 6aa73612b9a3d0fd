// Configuration file: `key = value` lines (# comments, blank lines), keys named like the
// command-line flags without dashes (listen, db, postgres, web, workers, secure-cookies …).
// Precedence everywhere: command-line flag > environment variable GONGJIAN_<KEY> (upper case,
// dashes as underscores) > configuration file > built-in default.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "common/result.hpp"

namespace gj::config {

using Settings = std::map<std::string, std::string>;

// Parses the text of a configuration file; errors name the line.
Result<Settings> parse(const std::string& text);
Result<Settings> load_file(const std::string& path);

// The environment variable that carries a key: "secure-cookies" → GONGJIAN_SECURE_COOKIES.
std::string env_name(const std::string& key);

// Looks a key up in the environment, then in `file`.
std::optional<std::string> lookup(const std::string& key, const Settings& file);

}  // namespace gj::config
