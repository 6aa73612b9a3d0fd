#include "common/clock.hpp"

#include <cstdio>
#include <ctime>

namespace gj {

TimePoint SystemClock::now() const {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

std::string format_iso8601(int64_t epoch_ms, int utc_offset_minutes) {
  using namespace std::chrono;
  auto local = sys_time<milliseconds>(milliseconds(epoch_ms)) + minutes(utc_offset_minutes);
  auto day = floor<days>(local);
  year_month_day ymd{day};
  hh_mm_ss hms{floor<seconds>(local - day)};
  char buf[40];
  int off = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld%c%02d:%02d", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), long(hms.hours().count()),
                long(hms.minutes().count()), long(hms.seconds().count()),
                utc_offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
  return buf;
}

std::string format_local_minutes(int64_t epoch_ms) {
  return format_iso8601(epoch_ms, 480).substr(0, 16).replace(10, 1, " ");
}

bool parse_iso8601(const std::string& text, int64_t& epoch_ms) {
  using namespace std::chrono;
  int y, mo, d, h = 0, mi = 0, s = 0;
  char tail[16] = {0};
  int n = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) < 6)
    return false;
  std::string rest = text.substr(static_cast<size_t>(n));
  if (!rest.empty() && rest[0] == '.') {  // fractional seconds: ignored
    size_t i = 1;
    while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) ++i;
    rest = rest.substr(i);
  }
  int offset_min = 0;
  if (rest == "Z") {
    offset_min = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int oh = std::atoi(rest.substr(1, 2).c_str()), om = std::atoi(rest.substr(4, 2).c_str());
    offset_min = (rest[0] == '-' ? -1 : 1) * (oh * 60 + om);
  } else {
    (void)tail;
    return false;
  }
  year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return false;
  auto tp = sys_days(ymd) + hours(h) + minutes(mi) + seconds(s) - minutes(offset_min);
  epoch_ms = duration_cast<milliseconds>(tp.time_since_epoch()).count();
  return true;
}

}  // namespace gj
