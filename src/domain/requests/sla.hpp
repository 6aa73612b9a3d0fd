// Time limits 办理时限 and escalation: SLA tiers as data, a working-day calendar with China's
// holiday/make-up-day swaps 调休, per-level timers, and a pure deadline scanner.
//
// Local time: Asia/Shanghai is UTC+8 all year (no DST since 1991), so "a working day" and
// "end of day" are computed with the fixed offset kChinaUtcOffsetMinutes.
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/requests/types.hpp"

namespace gj::requests {

enum class LimitUnit { kMinutes, kHours, kCalendarDays, kWorkingDays };
struct TimeLimit {
  int64_t amount = 0;
  LimitUnit unit = LimitUnit::kHours;
};
std::string format_limit(const TimeLimit& l, Lang lang);  // "7 个工作日" / "7 working days"

// One tier of the dispatch catalogue 派单目录: a response limit (claim and contact the requester)
// and a resolution limit (reply), each measured from the moment a level receives the ticket.
struct SlaTier {
  std::string code;  // "urgent", "utilities", "ordinary", "complex"
  std::string name_zh, name_en;
  TimeLimit response;
  TimeLimit resolution;
  // Warning before the deadline: warn_minutes if > 0, else warn_fraction of the whole span.
  double warn_fraction = 0.2;
  int64_t warn_minutes = 0;
};

// Weekends plus the State Council's yearly holiday list and its make-up working days 调休上班
// (a Saturday or Sunday that is a working day). Both lists are data, loaded per year.
class WorkCalendar {
 public:
  WorkCalendar() = default;
  void add_holiday(std::chrono::year_month_day day);
  void add_makeup_workday(std::chrono::year_month_day day);
  // Lines "YYYY-MM-DD,holiday" or "YYYY-MM-DD,workday"; '#' starts a comment; blank lines ok.
  static Result<WorkCalendar> parse(std::string_view text);

  bool is_working_day(std::chrono::sys_days local_day) const;
  // The local (UTC+8) calendar day of an instant.
  static std::chrono::sys_days local_day(TimePoint t);
  // Local midnight at the start of a local day, as an instant.
  static TimePoint local_midnight(std::chrono::sys_days local_day);

  // The deadline for a limit started at `start`:
  //  minutes/hours/calendar days: elapsed time (the hotline runs 7×24);
  //  working days: the end (24:00 local) of the N-th working day after the day of `start`
  //  (the starting day is not counted, as in Chinese administrative time limits).
  TimePoint add(TimePoint start, const TimeLimit& limit) const;

 private:
  std::set<int64_t> holidays_;  // local days since epoch
  std::set<int64_t> makeup_;
};

// The tiers, the default tier and the version (tiers are policy data; keep history by version).
class SlaPolicy {
 public:
  SlaPolicy(std::string version, std::vector<SlaTier> tiers, std::string default_tier);
  // domain.md §1 (verify): urgent 2 h, utilities 24 h, ordinary 7 working days, complex 15
  // working days; response limits are project defaults. Configurable data, not constants.
  static SlaPolicy defaults();

  Result<const SlaTier*> tier(std::string_view code) const;  // empty code → default tier
  const std::string& version() const { return version_; }
  const std::string& default_tier() const { return default_tier_; }
  const std::vector<SlaTier>& tiers() const { return tiers_; }

 private:
  std::string version_;
  std::vector<SlaTier> tiers_;
  std::string default_tier_;
};

// Each level that holds a ticket runs its own timers (domain.md §1).
enum class TimerKind { kResponse, kResolution };
enum class TimerState { kPending, kWarned, kFired, kCancelled };
std::string_view timer_kind_code(TimerKind k);
std::string_view timer_state_code(TimerState s);

struct Timer {
  std::string id;  // assigned by the store
  std::string ticket_id;
  TimerKind kind = TimerKind::kResolution;
  UnitRef unit;  // the level whose limit this is
  std::string tier;
  TimePoint started_at{}, warn_at{}, due_at{};
  TimerState state = TimerState::kPending;
};

// Builds a pending timer for `unit` from the tier's limit, starting at `start`.
Timer make_timer(std::string ticket_id, TimerKind kind, const SlaTier& tier, const UnitRef& unit,
                 TimePoint start, const WorkCalendar& calendar);

// What happens when a limit passes: escalate one level up while below the top of the chain,
// at the top (the county command centre) flag the ticket overdue for the rankings.
struct EscalationPolicy {
  Level top = Level::kCounty;
  bool escalate_on_response_breach = true;
  bool escalate_on_resolution_breach = true;
  bool should_escalate(const Timer& t) const;
};

enum class DeadlineEventKind { kWarning, kEscalate, kOverdue };
std::string_view deadline_event_code(DeadlineEventKind k);

struct DeadlineEvent {
  DeadlineEventKind kind;
  std::string timer_id, ticket_id;
  TimerKind timer_kind;
  UnitRef unit;
  TimePoint due_at{};
  TimePoint fired_at{};
};

struct TimerUpdate {
  std::string timer_id;
  TimerState from, to;
};

struct ScanResult {
  std::vector<TimerUpdate> updates;  // persist in the same transaction as the events
  std::vector<DeadlineEvent> events;
};

// Pure: given timers (typically those with warn_at <= now, claimed with SKIP LOCKED) and now,
// the state changes and events to fire. A timer only moves forward (pending → warned → fired),
// so once the store has saved the updates the same timers yield nothing: each fires once.
class DeadlineScanner {
 public:
  explicit DeadlineScanner(EscalationPolicy policy = {}) : policy_(policy) {}
  ScanResult scan(const std::vector<Timer>& timers, TimePoint now) const;

 private:
  EscalationPolicy policy_;
};

}  // namespace gj::requests
