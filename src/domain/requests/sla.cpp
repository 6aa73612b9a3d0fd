#include "domain/requests/sla.hpp"

#include <algorithm>
#include <cstdio>

#include "common/text.hpp"

namespace gj::requests {

using namespace std::chrono;

std::string format_limit(const TimeLimit& l, Lang lang) {
  std::string n = std::to_string(l.amount);
  switch (l.unit) {
    case LimitUnit::kMinutes:
      return lang == Lang::kZh ? n + " 分钟" : n + " minutes";
    case LimitUnit::kHours:
      return lang == Lang::kZh ? n + " 小时" : n + " hours";
    case LimitUnit::kCalendarDays:
      return lang == Lang::kZh ? n + " 天" : n + " days";
    case LimitUnit::kWorkingDays:
      return lang == Lang::kZh ? n + " 个工作日" : n + " working days";
  }
  return n;
}

void WorkCalendar::add_holiday(year_month_day day) {
  holidays_.insert(sys_days(day).time_since_epoch().count());
  makeup_.erase(sys_days(day).time_since_epoch().count());
}
void WorkCalendar::add_makeup_workday(year_month_day day) {
  makeup_.insert(sys_days(day).time_since_epoch().count());
  holidays_.erase(sys_days(day).time_since_epoch().count());
}

Result<WorkCalendar> WorkCalendar::parse(std::string_view text) {
  WorkCalendar cal;
  size_t line_no = 0, pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string line = trim(text.substr(pos, end - pos));
    ++line_no;
    pos = end + 1;
    if (auto hash = line.find('#'); hash != std::string::npos) line = trim(line.substr(0, hash));
    if (line.empty()) {
      if (end == text.size()) break;
      continue;
    }
    int y = 0, m = 0, d = 0, n = 0;
    char kind[16] = {0};
    if (std::sscanf(line.c_str(), "%4d-%2d-%2d,%15s%n", &y, &m, &d, kind, &n) != 4 ||
        static_cast<size_t>(n) != line.size()) {
      return make_error(ErrorCode::kInvalidInput,
                        "calendar line " + std::to_string(line_no) + ": expected YYYY-MM-DD,kind",
                        "calendar");
    }
    year_month_day ymd{year(y), month(static_cast<unsigned>(m)), day(static_cast<unsigned>(d))};
    if (!ymd.ok())
      return make_error(ErrorCode::kInvalidInput,
                        "calendar line " + std::to_string(line_no) + ": no such date", "calendar");
    std::string k = kind;
    if (k == "holiday") {
      cal.add_holiday(ymd);
    } else if (k == "workday") {
      cal.add_makeup_workday(ymd);
    } else {
      return make_error(
          ErrorCode::kInvalidInput,
          "calendar line " + std::to_string(line_no) + ": kind must be holiday or workday",
          "calendar");
    }
    if (end == text.size()) break;
  }
  return cal;
}

bool WorkCalendar::is_working_day(sys_days local_day) const {
  int64_t key = local_day.time_since_epoch().count();
  if (makeup_.count(key)) return true;
  if (holidays_.count(key)) return false;
  weekday wd{local_day};
  return wd != Saturday && wd != Sunday;
}

sys_days WorkCalendar::local_day(TimePoint t) {
  return floor<days>(t + minutes(kChinaUtcOffsetMinutes));
}

TimePoint WorkCalendar::local_midnight(sys_days local_day) {
  return time_point_cast<milliseconds>(local_day) - minutes(kChinaUtcOffsetMinutes);
}

TimePoint WorkCalendar::add(TimePoint start, const TimeLimit& limit) const {
  int64_t n = std::max<int64_t>(0, limit.amount);
  switch (limit.unit) {
    case LimitUnit::kMinutes:
      return start + minutes(n);
    case LimitUnit::kHours:
      return start + hours(n);
    case LimitUnit::kCalendarDays:
      return start + days(n);
    case LimitUnit::kWorkingDays: {
      if (n == 0) return start;
      sys_days d = local_day(start);
      int64_t counted = 0;
      // Bounded: even a year of holidays cannot stall more than 366 extra days.
      for (int guard = 0; counted < n && guard < n * 7 + 400; ++guard) {
        d += days(1);
        if (is_working_day(d)) ++counted;
      }
      return local_midnight(d + days(1));  // 24:00 of the last counted day
    }
  }
  return start;
}

SlaPolicy::SlaPolicy(std::string version, std::vector<SlaTier> tiers, std::string default_tier)
    : version_(std::move(version)),
      tiers_(std::move(tiers)),
      default_tier_(std::move(default_tier)) {}

SlaPolicy SlaPolicy::defaults() {
  using L = LimitUnit;
  std::vector<SlaTier> tiers = {
      {"urgent",
       "紧急（危及生命财产）",
       "Urgent (danger to life or property)",
       {30, L::kMinutes},
       {2, L::kHours},
       0.25,
       0},
      {"utilities",
       "民生（水电气暖）",
       "Utilities (water, power, gas, heating)",
       {2, L::kHours},
       {24, L::kHours},
       0.2,
       0},
      {"ordinary", "一般", "Ordinary", {24, L::kHours}, {7, L::kWorkingDays}, 0.0, 24 * 60},
      {"complex", "复杂", "Complex", {24, L::kHours}, {15, L::kWorkingDays}, 0.0, 48 * 60},
  };
  return SlaPolicy("domain-md-2026 (verify)", std::move(tiers), "ordinary");
}

Result<const SlaTier*> SlaPolicy::tier(std::string_view code) const {
  std::string_view want = code.empty() ? std::string_view(default_tier_) : code;
  for (const auto& t : tiers_)
    if (t.code == want) return &t;
  return make_error(ErrorCode::kInvalidInput, "unknown SLA tier '" + std::string(code) + "'",
                    "sla_tier");
}

std::string_view timer_kind_code(TimerKind k) {
  return k == TimerKind::kResponse ? "response" : "resolution";
}
std::string_view timer_state_code(TimerState s) {
  switch (s) {
    case TimerState::kPending:
      return "pending";
    case TimerState::kWarned:
      return "warned";
    case TimerState::kFired:
      return "fired";
    case TimerState::kCancelled:
      return "cancelled";
  }
  return "unknown";
}
std::string_view deadline_event_code(DeadlineEventKind k) {
  switch (k) {
    case DeadlineEventKind::kWarning:
      return "deadline_warning";
    case DeadlineEventKind::kEscalate:
      return "deadline_escalate";
    case DeadlineEventKind::kOverdue:
      return "deadline_overdue";
  }
  return "unknown";
}

Timer make_timer(std::string ticket_id, TimerKind kind, const SlaTier& tier, const UnitRef& unit,
                 TimePoint start, const WorkCalendar& calendar) {
  Timer t;
  t.ticket_id = std::move(ticket_id);
  t.kind = kind;
  t.unit = unit;
  t.tier = tier.code;
  t.started_at = start;
  t.due_at = calendar.add(start, kind == TimerKind::kResponse ? tier.response : tier.resolution);
  milliseconds span = t.due_at - start;
  milliseconds warn = tier.warn_minutes > 0
                          ? milliseconds(minutes(tier.warn_minutes))
                          : milliseconds(static_cast<int64_t>(span.count() * tier.warn_fraction));
  // A fixed lead never swallows the whole limit (ordinary: "24 h before" a 24 h response limit
  // would warn at the moment of receipt): at most half of it.
  warn = std::clamp(warn, milliseconds(0), span / 2);
  t.warn_at = t.due_at - warn;
  return t;
}

bool EscalationPolicy::should_escalate(const Timer& t) const {
  bool enabled =
      t.kind == TimerKind::kResponse ? escalate_on_response_breach : escalate_on_resolution_breach;
  if (!enabled) return false;
  // Below the top there is always a parent. At the top only a department can still go up: a
  // county bureau's parent is the county command centre; the command centre itself has none.
  if (static_cast<int>(t.unit.level) > static_cast<int>(top)) return true;
  return t.unit.is_department() && t.unit.level == top;
}

ScanResult DeadlineScanner::scan(const std::vector<Timer>& timers, TimePoint now) const {
  ScanResult out;
  for (const Timer& t : timers) {
    if (t.state == TimerState::kCancelled || t.state == TimerState::kFired) continue;
    DeadlineEvent ev{DeadlineEventKind::kWarning, t.id, t.ticket_id, t.kind, t.unit, t.due_at, now};
    if (now >= t.due_at) {
      // Past due: the breach is what matters; a warning that was never sent is not sent late.
      ev.kind =
          policy_.should_escalate(t) ? DeadlineEventKind::kEscalate : DeadlineEventKind::kOverdue;
      out.updates.push_back({t.id, t.state, TimerState::kFired});
      out.events.push_back(std::move(ev));
    } else if (now >= t.warn_at && t.state == TimerState::kPending) {
      out.updates.push_back({t.id, t.state, TimerState::kWarned});
      out.events.push_back(std::move(ev));
    }
  }
  return out;
}

}  // namespace gj::requests
