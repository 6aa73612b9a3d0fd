#include "common/config.hpp"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/text.hpp"

namespace gj::config {

Result<Settings> parse(const std::string& text) {
  Settings out;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    auto eq = t.find('=');
    if (eq == std::string::npos)
      return make_error(ErrorCode::kInvalidInput,
                        "line " + std::to_string(n) + ": expected key = value");
    std::string key = trim(t.substr(0, eq)), value = trim(t.substr(eq + 1));
    if (key.empty())
      return make_error(ErrorCode::kInvalidInput, "line " + std::to_string(n) + ": empty key");
    for (char c : key)
      if (!(std::islower(static_cast<unsigned char>(c)) ||
            std::isdigit(static_cast<unsigned char>(c)) || c == '-'))
        return make_error(ErrorCode::kInvalidInput,
                          "line " + std::to_string(n) + ": keys are lower-case words with dashes");
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    if (!is_valid_utf8(value))
      return make_error(ErrorCode::kInvalidUtf8, "line " + std::to_string(n));
    out[key] = value;
  }
  return out;
}

Result<Settings> load_file(const std::string& path) {
  std::ifstream f(path);
  if (!f) return make_error(ErrorCode::kIo, "cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  auto r = parse(ss.str());
  if (!r.ok()) return make_error(r.error().code, path + ": " + r.error().detail);
  return r;
}

std::string env_name(const std::string& key) {
  std::string e = "GONGJIAN_";
  for (char c : key)
    e.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return e;
}

std::optional<std::string> lookup(const std::string& key, const Settings& file) {
  if (const char* v = std::getenv(env_name(key).c_str()); v && *v) return std::string(v);
  auto it = file.find(key);
  if (it != file.end()) return it->second;
  return std::nullopt;
}

}  // namespace gj::config
