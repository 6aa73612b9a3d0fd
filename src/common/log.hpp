// Structured logging: one JSON object per line on stderr, with the request id when there is one.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace gj::log {

enum class Level { kDebug, kInfo, kWarn, kError };

void set_level(Level level);
// Fields are key/value pairs written as JSON strings.
void write(Level level, std::string_view event,
           std::initializer_list<std::pair<std::string_view, std::string>> fields = {});

inline void info(std::string_view event,
                 std::initializer_list<std::pair<std::string_view, std::string>> f = {}) {
  write(Level::kInfo, event, f);
}
inline void warn(std::string_view event,
                 std::initializer_list<std::pair<std::string_view, std::string>> f = {}) {
  write(Level::kWarn, event, f);
}
inline void error(std::string_view event,
                  std::initializer_list<std::pair<std::string_view, std::string>> f = {}) {
  write(Level::kError, event, f);
}

}  // namespace gj::log
