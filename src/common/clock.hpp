// Clock seam (style.md §6): production reads the system clock; tests jump time forward to fire
// deadlines without sleeping.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace gj {

using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  int64_t now_ms() const { return now().time_since_epoch().count(); }
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
};

// A manual clock for tests: starts at a fixed instant and moves only when told.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_ms = 1767225600000 /* 2026-01-01T00:00:00Z */) : ms_(start_ms) {}
  TimePoint now() const override { return TimePoint(std::chrono::milliseconds(ms_.load())); }
  void advance(std::chrono::milliseconds d) { ms_ += d.count(); }
  void set_ms(int64_t ms) { ms_ = ms; }

 private:
  std::atomic<int64_t> ms_;
};

// W3C / ISO 8601 with zone, as Open311 and our API use: 2026-01-01T08:00:00+08:00.
std::string format_iso8601(int64_t epoch_ms, int utc_offset_minutes = 480);
// Local minutes in China Standard Time for people to read (notes, notifications):
// "2025-12-01 17:30".
std::string format_local_minutes(int64_t epoch_ms);
// Parses ISO 8601 with a zone designator (Z or ±hh:mm); false on anything else.
bool parse_iso8601(const std::string& text, int64_t& epoch_ms);

}  // namespace gj
