#include "domain/requests/lifecycle.hpp"

#include <algorithm>
#include <set>

#include "common/text.hpp"

namespace gj::requests {
namespace {

using S = RequestStatus;
using A = Action;
using R = Role;

const std::vector<RequestStatus> kEscalatable = {S::kReceived,  S::kDispatched, S::kClaimed,
                                                 S::kReturned,  S::kInProgress, S::kWhistled,
                                                 S::kEscalated, S::kReopened};
const std::vector<RequestStatus> kWithdrawable = {S::kReceived, S::kDispatched, S::kClaimed,
                                                  S::kReturned, S::kInProgress, S::kEscalated,
                                                  S::kWhistled, S::kReplied,    S::kReopened};

std::string str(std::string_view s) {
  return std::string(s);
}

Error illegal(const Ticket& t, Action a) {
  return make_error(
      ErrorCode::kIllegalTransition,
      "cannot " + str(action_code(a)) + " a ticket that is " + str(status_code(t.status)));
}
Error forbidden(std::string detail) {
  return make_error(ErrorCode::kForbidden, std::move(detail));
}

bool role_fits_unit(Role role, const UnitRef& u) {
  switch (role) {
    case R::kAdmin:
    case R::kCommand:
      return u.type == kUnitCommandCentre;
    case R::kTownship:
      return u.type == kUnitTownshipPlatform;
    case R::kVillage:
      return u.type == kUnitVillageCommittee;
    case R::kGridWorker:
      return u.type == kUnitGrid;
    case R::kDepartment:
      return u.is_department();
    case R::kCitizen:
      return false;
    case R::kSystem:
      return true;
  }
  return false;
}

bool is_supervisor_role(Role r) {
  return r == R::kCommand || r == R::kAdmin;
}

bool valid_unit(const UnitRef& u) {
  int lv = static_cast<int>(u.level);
  return !u.id.empty() && !u.type.empty() && lv >= 1 && lv <= 6;
}

}  // namespace

std::string_view rating_code(Rating r) {
  switch (r) {
    case Rating::kSatisfied:
      return "satisfied";
    case Rating::kFairlySatisfied:
      return "fairly_satisfied";
    case Rating::kUnsatisfied:
      return "unsatisfied";
  }
  return "unknown";
}
std::string_view rating_name(Rating r, Lang lang) {
  switch (r) {
    case Rating::kSatisfied:
      return lang == Lang::kZh ? "满意" : "Satisfied";
    case Rating::kFairlySatisfied:
      return lang == Lang::kZh ? "基本满意" : "Fairly satisfied";
    case Rating::kUnsatisfied:
      return lang == Lang::kZh ? "不满意" : "Unsatisfied";
  }
  return "";
}
Result<Rating> parse_rating(std::string_view code) {
  for (Rating r : {Rating::kSatisfied, Rating::kFairlySatisfied, Rating::kUnsatisfied})
    if (rating_code(r) == code) return r;
  return make_error(ErrorCode::kInvalidInput, "unknown rating '" + str(code) + "'", "rating");
}

bool Whistle::all_reported() const {
  return std::all_of(reported_at.begin(), reported_at.end(),
                     [](const auto& t) { return t.has_value(); });
}

bool acts_for(const Actor& actor, const UnitRef& unit) {
  if (actor.role == R::kSystem) return true;
  if (!role_fits_unit(actor.role, unit)) return false;
  if (!actor.unit_id.empty() && actor.unit_id == unit.id) return true;
  if (unit.is_department()) return false;  // department work needs the very unit
  return !actor.division_code.empty() && actor.division_code == unit.division_code;
}

// Beyond the role: is the actor the party the rule needs, for this ticket?
static Status check_party(const LifecycleRule& rule, const Ticket& ticket, const Actor& actor) {
  const Action action = rule.action;
  const UnitRef* holder = ticket.holder();
  if (!holder) return make_error(ErrorCode::kInvalidInput, "ticket has no holder", "chain");
  switch (rule.party) {
    case Party::kHolder:
      if (!acts_for(actor, *holder))
        return forbidden("only the unit holding the ticket (" + holder->id + ") may " +
                         str(action_code(action)));
      break;
    case Party::kDispatcher: {
      const UnitRef* d = ticket.dispatcher();
      if (!is_supervisor_role(actor.role) && !(d && acts_for(actor, *d)))
        return forbidden("only the dispatching unit or the command centre may " +
                         str(action_code(action)));
      break;
    }
    case Party::kRequester:
      if (actor.role == R::kCitizen &&
          std::find(ticket.requester_ids.begin(), ticket.requester_ids.end(), actor.user_id) ==
              ticket.requester_ids.end())
        return forbidden("only a requester of this ticket may " + str(action_code(action)));
      break;
    case Party::kSummoned: {
      if (!ticket.whistle) return illegal(ticket, action);
      const Whistle& w = *ticket.whistle;
      for (size_t i = 0; i < w.departments.size(); ++i)
        if (acts_for(actor, w.departments[i])) {
          if (i < w.reported_at.size() && w.reported_at[i])
            return make_error(ErrorCode::kIllegalTransition,
                              "this department has already reported");
          return {};
        }
      return forbidden("only a summoned department may report in");
    }
    case Party::kSupervisor: {
      if (is_supervisor_role(actor.role)) break;
      // A township supervises what passed through its platform to a lower level.
      bool up_chain = false;
      for (size_t i = 0; i + 1 < ticket.chain.size(); ++i)
        if (acts_for(actor, ticket.chain[i])) up_chain = true;
      if (!up_chain)
        return forbidden("only a unit above the holder may " + str(action_code(action)));
      break;
    }
    case Party::kEscalator:
      if (actor.role == R::kSystem || is_supervisor_role(actor.role)) break;
      if (!acts_for(actor, *holder))
        return forbidden("only the holder, the command centre or the scheduler may escalate");
      break;
  }
  return {};
}

const std::vector<LifecycleRule>& Lifecycle::rules() {
  static const std::vector<LifecycleRule> kRules = {
      // A level that has claimed a ticket may pass it further down (county → township → village).
      {A::kDispatch,
       {S::kReceived, S::kClaimed, S::kReturned, S::kEscalated, S::kReopened},
       S::kDispatched,
       {R::kAdmin, R::kCommand, R::kTownship, R::kVillage},
       Party::kHolder,
       false},
      {A::kClaim,
       {S::kDispatched},
       S::kClaimed,
       {R::kCommand, R::kTownship, R::kVillage, R::kGridWorker, R::kDepartment},
       Party::kHolder,
       false},
      // The dispatcher that got a ticket back (or up) may decide to handle it itself.
      {A::kClaim,
       {S::kReturned, S::kEscalated, S::kReopened},
       S::kClaimed,
       {R::kCommand, R::kTownship, R::kVillage},
       Party::kHolder,
       false},
      {A::kReturn,
       {S::kDispatched},
       S::kReturned,
       {R::kTownship, R::kVillage, R::kGridWorker, R::kDepartment},
       Party::kHolder,
       true},
      {A::kStart,
       {S::kClaimed},
       S::kInProgress,
       {R::kCommand, R::kTownship, R::kVillage, R::kGridWorker, R::kDepartment},
       Party::kHolder,
       false},
      {A::kReply,
       {S::kInProgress},
       S::kReplied,
       {R::kCommand, R::kTownship, R::kVillage, R::kGridWorker, R::kDepartment},
       Party::kHolder,
       true},
      {A::kComplete,
       {S::kReplied},
       S::kCompleted,
       {R::kAdmin, R::kCommand, R::kTownship, R::kVillage},
       Party::kDispatcher,
       false},
      {A::kCallback,
       {S::kCompleted},
       S::kCallback,
       {R::kAdmin, R::kCommand},
       Party::kSupervisor,
       false},
      {A::kCallbackUnreached,
       {S::kCompleted, S::kCallback},
       S::kCallback,
       {R::kAdmin, R::kCommand},
       Party::kSupervisor,
       false},
      {A::kRate,
       {S::kCompleted, S::kCallback},
       S::kRated,
       {R::kAdmin, R::kCommand, R::kCitizen},
       Party::kRequester,
       false},
      {A::kReopen, {S::kRated}, S::kReopened, {R::kAdmin, R::kCommand}, Party::kSupervisor, true},
      {A::kEscalate,
       kEscalatable,
       S::kEscalated,
       {R::kAdmin, R::kCommand, R::kTownship, R::kVillage, R::kGridWorker, R::kDepartment,
        R::kSystem},
       Party::kEscalator,
       true},
      {A::kWhistle, {S::kInProgress}, S::kWhistled, {R::kTownship}, Party::kHolder, true},
      {A::kReportIn, {S::kWhistled}, S::kInProgress, {R::kDepartment}, Party::kSummoned, false},
      {A::kMerge,
       {S::kReceived},
       S::kMerged,
       {R::kAdmin, R::kCommand, R::kTownship},
       Party::kHolder,
       false},
      {A::kRedirect,
       {S::kReceived},
       S::kRedirected,
       {R::kAdmin, R::kCommand, R::kTownship},
       Party::kHolder,
       true},
      {A::kReject,
       {S::kReceived},
       S::kRejected,
       {R::kAdmin, R::kCommand, R::kTownship},
       Party::kHolder,
       true},
      {A::kWithdraw,
       kWithdrawable,
       S::kWithdrawn,
       {R::kAdmin, R::kCommand, R::kCitizen},
       Party::kRequester,
       false},
      {A::kSupervise,
       kWithdrawable,
       S::kReceived /* unchanged */,
       {R::kAdmin, R::kCommand, R::kTownship},
       Party::kSupervisor,
       true},
  };
  return kRules;
}

std::vector<Action> Lifecycle::available_actions(const Ticket& ticket, const Actor& actor) {
  std::vector<Action> out;
  for (const auto& r : rules()) {
    if (std::find(r.from.begin(), r.from.end(), ticket.status) == r.from.end()) continue;
    if (std::find(r.roles.begin(), r.roles.end(), actor.role) == r.roles.end()) continue;
    if (r.action == A::kReopen &&
        !(ticket.rating == Rating::kUnsatisfied || ticket.resolved == false))
      continue;
    if ((r.action == A::kCallbackUnreached || r.action == A::kCallback) &&
        callback_ended_unreached(ticket))
      continue;
    if (!check_party(r, ticket, actor).ok()) continue;
    if (std::find(out.begin(), out.end(), r.action) == out.end()) out.push_back(r.action);
  }
  return out;
}

Result<Lifecycle::Intake> Lifecycle::receive(Ticket draft, const UnitRef& intake_unit,
                                             TimePoint now) const {
  if (!valid_unit(intake_unit))
    return make_error(ErrorCode::kInvalidInput, "intake unit is incomplete", "unit");
  if (draft.category.empty())
    return make_error(ErrorCode::kMissingField, "category is required", "category");
  GJ_ASSIGN_OR_RETURN(const SlaTier* tier, sla_.tier(draft.tier));
  Intake out;
  draft.tier = tier->code;
  draft.status = S::kReceived;
  draft.chain = {intake_unit};
  draft.received_at = now;
  Timer t = make_timer(draft.id, TimerKind::kResponse, *tier, intake_unit, now, calendar_);
  draft.response_due = t.due_at;
  draft.resolution_due.reset();
  out.timers.push_back(std::move(t));
  out.ticket = std::move(draft);
  return out;
}

Result<Transition> Lifecycle::apply(const Ticket& ticket, const ActionRequest& req,
                                    const Actor& actor, TimePoint now) const {
  const A action = req.action;
  // 1. Is the role ever allowed this action? (403 before revealing anything about state.)
  bool role_ever = false;
  const LifecycleRule* rule = nullptr;
  for (const auto& r : rules()) {
    if (r.action != action) continue;
    bool role_ok = std::find(r.roles.begin(), r.roles.end(), actor.role) != r.roles.end();
    role_ever = role_ever || role_ok;
    if (std::find(r.from.begin(), r.from.end(), ticket.status) != r.from.end()) {
      if (!rule || role_ok) rule = &r;  // prefer the row this role may use
    }
  }
  if (!role_ever)
    return forbidden("role " + str(role_code(actor.role)) + " may not " + str(action_code(action)));
  // 2. From this status?
  if (!rule) return illegal(ticket, action);
  if (std::find(rule->roles.begin(), rule->roles.end(), actor.role) == rule->roles.end())
    return forbidden("role " + str(role_code(actor.role)) + " may not " + str(action_code(action)) +
                     " a ticket that is " + str(status_code(ticket.status)));
  const UnitRef* holder = ticket.holder();
  if (!holder) return make_error(ErrorCode::kInvalidInput, "ticket has no holder", "chain");

  // 3. Position: is the actor the party this row needs?
  if (Status st = check_party(*rule, ticket, actor); !st.ok()) return st.error();

  // 4. Payload.
  if (!is_valid_utf8(req.note))
    return make_error(ErrorCode::kInvalidUtf8, "note is not UTF-8", "note");
  if (utf8_length(req.note) > kMaxNoteChars)
    return make_error(ErrorCode::kTooLong, "note is longer than 4000 characters", "note");
  if (rule->note_required && trim(req.note).empty())
    return make_error(ErrorCode::kMissingField,
                      str(action_code(action)) + " needs a reason or text", "note");
  GJ_ASSIGN_OR_RETURN(const SlaTier* tier, sla_.tier(ticket.tier));

  Transition tr;
  tr.action = action;
  tr.from = ticket.status;
  tr.to = rule->to;
  tr.actor = actor;
  tr.at = now;
  tr.note = req.note;
  tr.after = ticket;
  Ticket& t = tr.after;
  const std::vector<TimerKind> kAll = {TimerKind::kResponse, TimerKind::kResolution};
  auto start_timer = [&](TimerKind kind, const UnitRef& unit) {
    Timer tm = make_timer(t.id, kind, *tier, unit, now, calendar_);
    if (kind == TimerKind::kResponse)
      t.response_due = tm.due_at;
    else
      t.resolution_due = tm.due_at;
    tr.start_timers.push_back(std::move(tm));
  };

  switch (action) {
    case A::kDispatch: {
      if (!req.target || !valid_unit(*req.target))
        return make_error(ErrorCode::kMissingField, "dispatch needs a target unit", "target");
      const UnitRef& to = *req.target;
      if (to.id == holder->id)
        return make_error(ErrorCode::kInvalidInput, "cannot dispatch to the holding unit itself",
                          "target");
      bool down = static_cast<int>(to.level) > static_cast<int>(holder->level) ||
                  (to.is_department() && to.level == holder->level);
      if (!down)
        return make_error(ErrorCode::kInvalidInput,
                          "tickets are dispatched down the chain (or to a department of the same "
                          "level)",
                          "target");
      tr.assignment = AssignmentRecord{"dispatch", *holder, to, now, req.note};
      t.chain.push_back(to);
      t.dispatched_at = now;
      t.claimed_at.reset();
      t.contacted = false;
      t.responded_on_time = false;
      tr.cancel_timers = kAll;
      t.response_due.reset();
      t.resolution_due.reset();
      start_timer(TimerKind::kResponse, to);
      start_timer(TimerKind::kResolution, to);
      tr.notify.push_back({"ticket.dispatched", to.id, ""});
      break;
    }
    case A::kClaim: {
      t.claimed_at = now;
      t.contacted = req.contacted;
      t.responded_on_time = ticket.status == S::kDispatched && req.contacted &&
                            (!ticket.response_due || now <= *ticket.response_due);
      tr.cancel_timers = {TimerKind::kResponse};
      t.response_due.reset();
      // After a return or a reopen only a response timer ran: the holder now owes a resolution.
      if (ticket.status == S::kReturned || ticket.status == S::kReopened)
        start_timer(TimerKind::kResolution, *holder);
      break;
    }
    case A::kReturn: {
      const UnitRef* d = ticket.dispatcher();
      if (!d) return illegal(ticket, action);  // nobody above: never into a void
      tr.assignment = AssignmentRecord{"return", *holder, *d, now, req.note};
      UnitRef back_to = *d;
      t.chain.pop_back();
      t.return_count += 1;
      tr.cancel_timers = kAll;
      t.response_due.reset();
      t.resolution_due.reset();
      start_timer(TimerKind::kResponse, back_to);  // the dispatcher owes a decision
      tr.notify.push_back({"ticket.returned", back_to.id, ""});
      break;
    }
    case A::kStart:
      break;
    case A::kReply: {
      t.replied_at = now;
      t.handled_by = *holder;
      t.replied_on_time = !ticket.resolution_due || now <= *ticket.resolution_due;
      tr.cancel_timers = kAll;
      t.response_due.reset();
      t.resolution_due.reset();
      if (const UnitRef* d = ticket.dispatcher())
        tr.notify.push_back({"ticket.replied", d->id, ""});
      for (const auto& r : ticket.requester_ids) tr.notify.push_back({"ticket.replied", "", r});
      break;
    }
    case A::kComplete: {
      t.completed_at = now;
      for (const auto& r : ticket.requester_ids) tr.notify.push_back({"ticket.completed", "", r});
      break;
    }
    case A::kCallback:
      if (callback_ended_unreached(ticket))
        return make_error(ErrorCode::kIllegalTransition,
                          "the call-back already ended unreached; the requester may still rate");
      break;
    case A::kCallbackUnreached: {
      if (callback_ended_unreached(ticket))
        return make_error(ErrorCode::kIllegalTransition,
                          "the call-back already ended unreached after " +
                              std::to_string(kMaxCallbackAttempts) + " attempts");
      t.callback_attempts += 1;
      // The last attempt ends the call-back: the requesters are asked to rate online instead.
      if (callback_ended_unreached(t))
        for (const auto& r : ticket.requester_ids)
          tr.notify.push_back({"ticket.callback_missed", "", r});
      break;
    }
    case A::kRate: {
      if (!req.rating) return make_error(ErrorCode::kMissingField, "rating is required", "rating");
      if (!req.resolved)
        return make_error(ErrorCode::kMissingField, "resolved (yes/no) is required", "resolved");
      t.rating = req.rating;
      t.resolved = req.resolved;
      break;
    }
    case A::kReopen: {
      bool unhappy = ticket.rating == Rating::kUnsatisfied || ticket.resolved == false;
      if (!unhappy)
        return make_error(ErrorCode::kIllegalTransition,
                          "only a ticket rated unsatisfied or not resolved is reopened");
      t.reopen_count += 1;
      t.callback_attempts = 0;  // the next completion gets its own call-back
      t.rating.reset();
      t.resolved.reset();
      t.completed_at.reset();
      t.replied_at.reset();
      // Back to the dispatcher of the unit that handled it, which re-dispatches (重办).
      if (const UnitRef* d = ticket.dispatcher()) {
        tr.assignment = AssignmentRecord{"reopen", *holder, *d, now, req.note};
        t.chain.pop_back();
      }
      start_timer(TimerKind::kResponse, t.chain.back());
      tr.notify.push_back({"ticket.reopened", t.chain.back().id, ""});
      if (ticket.handled_by) tr.notify.push_back({"ticket.reopened", ticket.handled_by->id, ""});
      break;
    }
    case A::kEscalate: {
      if (!req.expected_holder_id.empty() && req.expected_holder_id != holder->id)
        return make_error(ErrorCode::kConflict,
                          "the ticket is no longer held by " + req.expected_holder_id);
      if (!req.target || !valid_unit(*req.target))
        return make_error(ErrorCode::kMissingField, "escalate needs the parent unit", "target");
      const UnitRef& up = *req.target;
      bool is_up = up.id != holder->id &&
                   (static_cast<int>(up.level) < static_cast<int>(holder->level) ||
                    (holder->is_department() && !up.is_department() && up.level == holder->level));
      if (!is_up)
        return make_error(ErrorCode::kInvalidInput, "escalation goes one level up the chain",
                          "target");
      tr.assignment = AssignmentRecord{"escalate", *holder, up, now, req.note};
      t.chain.pop_back();
      if (t.chain.empty() || t.chain.back().id != up.id) t.chain.push_back(up);
      t.escalation_count += 1;
      tr.cancel_timers = kAll;
      t.response_due.reset();
      t.resolution_due.reset();
      start_timer(TimerKind::kResponse, up);
      start_timer(TimerKind::kResolution, up);
      tr.notify.push_back({"ticket.escalated", up.id, ""});
      tr.notify.push_back({"ticket.escalated", holder->id, ""});
      break;
    }
    case A::kWhistle: {
      if (holder->type != kUnitTownshipPlatform)
        return forbidden("only a township or street platform may blow the whistle");
      if (req.departments.empty())
        return make_error(ErrorCode::kMissingField, "whistle needs departments", "departments");
      std::set<std::string> seen;
      for (const auto& d : req.departments) {
        if (!valid_unit(d) || !d.is_department())
          return make_error(ErrorCode::kInvalidInput, "whistle summons departments only",
                            "departments");
        if (!seen.insert(d.id).second)
          return make_error(ErrorCode::kInvalidInput, "department " + d.id + " listed twice",
                            "departments");
      }
      if (!seen.count(req.lead_unit_id))
        return make_error(ErrorCode::kInvalidInput, "the lead unit must be a summoned department",
                          "lead_unit_id");
      Whistle w{*holder, req.departments, req.lead_unit_id, req.note, now, {}};
      w.reported_at.assign(req.departments.size(), std::nullopt);
      t.whistle = std::move(w);
      for (const auto& d : req.departments) tr.notify.push_back({"ticket.whistle", d.id, ""});
      break;
    }
    case A::kReportIn: {
      Whistle& w = *t.whistle;
      size_t idx = w.departments.size();
      for (size_t i = 0; i < w.departments.size(); ++i)
        if (acts_for(actor, w.departments[i])) idx = i;
      if (idx == w.departments.size()) return forbidden("only a summoned department may report in");
      if (w.reported_at[idx])
        return make_error(ErrorCode::kIllegalTransition, "this department has already reported");
      w.reported_at[idx] = now;
      tr.to = w.all_reported() ? S::kInProgress : S::kWhistled;
      tr.notify.push_back({"ticket.reported_in", w.township.id, ""});
      break;
    }
    case A::kMerge: {
      if (trim(req.merged_into).empty())
        return make_error(ErrorCode::kMissingField, "merge needs the surviving ticket",
                          "merged_into");
      if (req.merged_into == ticket.id)
        return make_error(ErrorCode::kInvalidInput, "a ticket cannot merge into itself",
                          "merged_into");
      t.merged_into = req.merged_into;
      tr.cancel_timers = kAll;
      t.response_due.reset();
      break;
    }
    case A::kRedirect:
    case A::kReject:
    case A::kWithdraw: {
      tr.cancel_timers = kAll;
      t.response_due.reset();
      t.resolution_due.reset();
      if (action == A::kWithdraw) tr.notify.push_back({"ticket.withdrawn", holder->id, ""});
      break;
    }
    case A::kSupervise: {
      if (req.supervise_due && *req.supervise_due <= now)
        return make_error(ErrorCode::kInvalidInput, "the supervision due date has passed",
                          "supervise_due");
      tr.to = ticket.status;  // a flag and an event, not a state
      t.supervised = true;
      tr.supervision = Supervision{actor.user_id, *holder, req.note, req.supervise_due};
      tr.notify.push_back({"ticket.supervised", holder->id, ""});
      break;
    }
  }
  t.status = tr.to;
  return tr;
}

}  // namespace gj::requests
