#include "common/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

#include "common/clock.hpp"
#include "common/text.hpp"

namespace gj::log {
namespace {
std::atomic<Level> g_level{Level::kInfo};
std::mutex g_mu;
const char* name(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}
}  // namespace

void set_level(Level level) {
  g_level = level;
}

void write(Level level, std::string_view event,
           std::initializer_list<std::pair<std::string_view, std::string>> fields) {
  if (level < g_level.load()) return;
  SystemClock clock;
  std::string line = "{\"ts\":\"" + format_iso8601(clock.now_ms(), 0) + "\",\"level\":\"" +
                     name(level) + "\",\"event\":" + json_quote(event);
  for (const auto& [k, v] : fields) line += "," + json_quote(k) + ":" + json_quote(v);
  line += "}\n";
  std::lock_guard lock(g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace gj::log
