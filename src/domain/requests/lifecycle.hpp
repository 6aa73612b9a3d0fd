// The request lifecycle as one table-driven state machine (domain.md §1):
// 受理 → 派单 → 签收/退单 → 办理 → 答复 → 办结 → 回访 → 评价, with 重办, 升级, 吹哨报到, 督办.
// apply() is pure: it checks the action against the table, the actor's role and position on the
// command chain, and returns the Transition to persist (or an error and nothing changed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/requests/sla.hpp"
#include "domain/requests/status.hpp"
#include "domain/requests/types.hpp"

namespace gj::requests {

// 满意 / 基本满意 / 不满意
enum class Rating { kSatisfied, kFairlySatisfied, kUnsatisfied };
std::string_view rating_code(Rating r);
std::string_view rating_name(Rating r, Lang lang);
Result<Rating> parse_rating(std::string_view code);

// 吹哨报到: a township/street summons line departments into one joint case with a lead unit.
struct Whistle {
  UnitRef township;
  std::vector<UnitRef> departments;
  std::string lead_unit_id;
  std::string reason;
  TimePoint whistled_at{};
  std::vector<std::optional<TimePoint>> reported_at;  // 报到 time, per department
  bool all_reported() const;
};

// The part of a ticket the lifecycle reads and writes. The store keeps the rest (text, media,
// requester details) and the full event history.
struct Ticket {
  std::string id;
  RequestStatus status = RequestStatus::kReceived;
  std::string category;
  std::string tier;  // SLA tier code; empty = the policy's default
  // The command-chain path 指挥链: front() took the request in, back() holds it now; the
  // element before back() dispatched it and decides when it is returned 退单.
  std::vector<UnitRef> chain;
  std::vector<std::string> requester_ids;  // citizen user ids (may be empty for phone intake)
  TimePoint received_at{};
  std::optional<TimePoint> dispatched_at, claimed_at, replied_at, completed_at;
  std::optional<TimePoint> response_due, resolution_due;  // the current holder's limits
  std::optional<UnitRef> handled_by;                      // the unit that replied
  bool replied_on_time = false;
  bool contacted = false;          // requester contacted at claim (part of the response metric)
  bool responded_on_time = false;  // claimed from dispatch, contacted, within the response limit
  int reopen_count = 0, return_count = 0, escalation_count = 0;
  // Satisfaction calls 回访 that did not reach the requester 未接通 since the ticket was last
  // completed; at kMaxCallbackAttempts the call-back ends unreached (the requester may still rate).
  int callback_attempts = 0;
  bool supervised = false;  // 督办 flag
  bool overdue = false;     // breached at the top of the chain; counted in rankings
  std::optional<Whistle> whistle;
  std::string merged_into;
  std::optional<Rating> rating;
  std::optional<bool> resolved;

  const UnitRef* holder() const { return chain.empty() ? nullptr : &chain.back(); }
  const UnitRef* dispatcher() const {
    return chain.size() < 2 ? nullptr : &chain[chain.size() - 2];
  }
};

struct ActionRequest {
  Action action = Action::kDispatch;
  std::string note;                  // reason / reply text; required where the table says so
  std::optional<UnitRef> target;     // dispatch: the receiving unit; escalate: the parent unit
  std::vector<UnitRef> departments;  // whistle: summoned departments
  std::string lead_unit_id;          // whistle: the lead unit, one of the departments
  std::string merged_into;           // merge: the surviving ticket
  std::optional<Rating> rating;      // rate
  std::optional<bool> resolved;      // rate: did the requester say it was solved
  bool contacted = false;            // claim: requester contacted
  std::optional<TimePoint> supervise_due;  // supervise: due date for the supervised unit
  // Optimistic guard for the scheduler: escalate only if this unit still holds the ticket.
  std::string expected_holder_id;
};

struct Notification {
  std::string kind;     // "ticket.dispatched", "ticket.returned", "ticket.whistle", …
  std::string unit_id;  // notify this unit's users (empty when user_id is set)
  std::string user_id;  // or this user (requester)
};

// One row of the assignment history 派单记录.
struct AssignmentRecord {
  std::string kind;  // "dispatch" | "return" | "escalate" | "reopen"
  std::optional<UnitRef> from;
  UnitRef to;
  TimePoint at{};
  std::string reason;
};

// 督办: who pressed which unit, why, by when (recorded; the ticket only keeps the flag).
struct Supervision {
  std::string issuer_id;
  UnitRef target;
  std::string reason;
  std::optional<TimePoint> due;
};

struct Transition {
  Action action = Action::kDispatch;
  RequestStatus from = RequestStatus::kReceived, to = RequestStatus::kReceived;
  Actor actor;
  TimePoint at{};
  std::string note;
  Ticket after;  // the ticket as it is once the transition is persisted
  std::optional<AssignmentRecord> assignment;
  std::optional<Supervision> supervision;
  std::vector<TimerKind> cancel_timers;  // cancel the ticket's pending timers of these kinds
  std::vector<Timer> start_timers;
  std::vector<Notification> notify;
  bool changes_status() const { return from != to; }
};

// Who, beyond the role, may act: the holder of the ticket, its dispatcher (one level up) or a
// supervisor, a requester, a summoned department, a supervisor anywhere up the chain.
enum class Party { kHolder, kDispatcher, kRequester, kSummoned, kSupervisor, kEscalator };

struct LifecycleRule {
  Action action;
  std::vector<RequestStatus> from;
  RequestStatus to;  // for report_in: whistled until the last department reports
  std::vector<Role> roles;
  Party party;
  bool note_required;
};

class Lifecycle {
 public:
  Lifecycle(SlaPolicy sla, WorkCalendar calendar)
      : sla_(std::move(sla)), calendar_(std::move(calendar)) {}

  // The state table (also rendered in docs/requests.md).
  static const std::vector<LifecycleRule>& rules();

  // What this actor may do with this ticket now (status, role and position; the payload is
  // not known yet), for the UI's buttons. apply() still decides.
  static std::vector<Action> available_actions(const Ticket& ticket, const Actor& actor);

  // A new ticket 受理: held by the intake unit, with a response timer to dispatch it.
  struct Intake {
    Ticket ticket;
    std::vector<Timer> timers;
  };
  Result<Intake> receive(Ticket draft, const UnitRef& intake_unit, TimePoint now) const;

  // Errors: 409 kIllegalTransition (not from this status), 403 kForbidden (role or position),
  // 400 kMissingField / kInvalidInput / kTooLong (payload), 409 kConflict (stale holder).
  Result<Transition> apply(const Ticket& ticket, const ActionRequest& req, const Actor& actor,
                           TimePoint now) const;

  const SlaPolicy& sla() const { return sla_; }
  const WorkCalendar& calendar() const { return calendar_; }

 private:
  SlaPolicy sla_;
  WorkCalendar calendar_;
};

// May this actor act for this unit? (role fits the unit type; same unit or same division)
bool acts_for(const Actor& actor, const UnitRef& unit);

inline constexpr size_t kMaxNoteChars = 4000;  // Open311's description limit
// Unreached satisfaction calls 回访未接通 before the call-back ends unreached (12345 centres
// commonly try three times); the requester is then invited to rate online.
inline constexpr int kMaxCallbackAttempts = 3;
inline bool callback_ended_unreached(const Ticket& t) {
  return t.callback_attempts >= kMaxCallbackAttempts;
}

}  // namespace gj::requests
