#include "domain/requests/lifecycle.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <fstream>
#include <iterator>
#include <set>

#include "common/clock.hpp"
#include "test_world.hpp"

namespace gj::requests {
namespace {

using namespace std::chrono_literals;
using testing::find_unit;

class LifecycleTest : public ::testing::Test {
 protected:
  testing::MapHierarchy world = testing::make_county();
  Lifecycle lifecycle{SlaPolicy::defaults(), WorkCalendar{}};
  FakeClock clock;  // 2026-01-01T00:00Z, a Thursday

  UnitRef cc = find_unit(world, "cc");
  UnitRef qianyou = find_unit(world, "tp-qianyou");
  UnitRef yingpan = find_unit(world, "tp-yingpan");
  UnitRef renhe = find_unit(world, "vc-renhe");
  UnitRef grid1 = find_unit(world, "grid-renhe1");
  UnitRef housing = find_unit(world, "dept-housing");
  UnitRef water = find_unit(world, "dept-water");
  UnitRef env = find_unit(world, "dept-env");

  Actor command{"u-cmd", Role::kCommand, testing::kCounty, ""};
  Actor admin{"u-admin", Role::kAdmin, testing::kCounty, ""};
  Actor township{"u-tq", Role::kTownship, testing::kQianyou, ""};
  Actor other_township{"u-ty", Role::kTownship, testing::kYingpan, ""};
  Actor village{"u-vr", Role::kVillage, testing::kRenhe, ""};
  Actor grid_worker{"u-g1", Role::kGridWorker, testing::kGridRenhe1, ""};
  Actor housing_staff{"u-h", Role::kDepartment, testing::kCounty, "dept-housing"};
  Actor water_staff{"u-w", Role::kDepartment, testing::kCounty, "dept-water"};
  Actor env_staff{"u-e", Role::kDepartment, testing::kCounty, "dept-env"};
  Actor citizen{"c-1", Role::kCitizen, "", ""};
  Actor stranger{"c-2", Role::kCitizen, "", ""};
  Actor scheduler{"system", Role::kSystem, "", ""};

  Ticket received() {
    Ticket draft;
    draft.id = "T1";
    draft.category = "城乡建设/道路";
    draft.tier = "ordinary";
    draft.requester_ids = {"c-1"};
    auto in = lifecycle.receive(draft, cc, clock.now());
    EXPECT_TRUE(in.ok());
    return in->ticket;
  }

  // Applies and returns the new ticket; fails the test on error.
  Ticket step(const Ticket& t, ActionRequest req, const Actor& who) {
    auto r = lifecycle.apply(t, req, who, clock.now());
    EXPECT_TRUE(r.ok()) << action_code(req.action) << ": " << (r.ok() ? "" : r.error().detail);
    clock.advance(10min);
    return r.ok() ? r->after : t;
  }
  static ActionRequest act(Action a, std::string note = {}) {
    ActionRequest r;
    r.action = a;
    r.note = std::move(note);
    return r;
  }
  static ActionRequest to(Action a, const UnitRef& u, std::string note = {}) {
    ActionRequest r = act(a, std::move(note));
    r.target = u;
    return r;
  }
  ActionRequest claim_contacted() {
    ActionRequest r = act(Action::kClaim);
    r.contacted = true;
    return r;
  }
  // cc → township, claimed and in progress at the township.
  Ticket in_progress_at_township() {
    Ticket t = step(received(), to(Action::kDispatch, qianyou), command);
    t = step(t, claim_contacted(), township);
    t = step(t, act(Action::kStart), township);
    return t;
  }
  // cc → township (claims) → village.
  Ticket dispatched_to_village() {
    Ticket t = step(received(), to(Action::kDispatch, qianyou), command);
    t = step(t, claim_contacted(), township);
    t = step(t, to(Action::kDispatch, renhe), township);
    return t;
  }
};

TEST_F(LifecycleTest, a_new_request_is_received_by_the_intake_unit_with_a_response_timer) {
  Ticket t = received();
  EXPECT_EQ(t.status, RequestStatus::kReceived);
  ASSERT_EQ(t.chain.size(), 1u);
  EXPECT_EQ(t.holder()->id, "cc");
  ASSERT_TRUE(t.response_due);
  EXPECT_EQ(*t.response_due - clock.now(), std::chrono::milliseconds(24h));
}

TEST_F(LifecycleTest, a_request_without_a_category_or_with_an_unknown_tier_is_not_received) {
  Ticket draft;
  draft.id = "T9";
  auto r = lifecycle.receive(draft, cc, clock.now());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kMissingField);
  draft.category = "城乡建设";
  draft.tier = "whenever";
  r = lifecycle.receive(draft, cc, clock.now());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "sla_tier");
}

TEST_F(LifecycleTest, a_ticket_goes_round_the_whole_loop_from_receipt_to_rating) {
  Ticket t = received();
  t = step(t, to(Action::kDispatch, qianyou, "属地办理"), command);
  EXPECT_EQ(t.status, RequestStatus::kDispatched);
  EXPECT_EQ(t.holder()->id, "tp-qianyou");
  EXPECT_EQ(t.dispatcher()->id, "cc");
  t = step(t, claim_contacted(), township);
  EXPECT_EQ(t.status, RequestStatus::kClaimed);
  EXPECT_TRUE(t.responded_on_time);
  t = step(t, act(Action::kStart), township);
  EXPECT_EQ(t.status, RequestStatus::kInProgress);
  t = step(t, act(Action::kReply, "路面已修复"), township);
  EXPECT_EQ(t.status, RequestStatus::kReplied);
  ASSERT_TRUE(t.handled_by);
  EXPECT_EQ(t.handled_by->id, "tp-qianyou");
  EXPECT_TRUE(t.replied_on_time);
  t = step(t, act(Action::kComplete), command);
  EXPECT_EQ(t.status, RequestStatus::kCompleted);
  t = step(t, act(Action::kCallback), command);
  EXPECT_EQ(t.status, RequestStatus::kCallback);
  ActionRequest rate = act(Action::kRate);
  rate.rating = Rating::kSatisfied;
  rate.resolved = true;
  t = step(t, rate, citizen);
  EXPECT_EQ(t.status, RequestStatus::kRated);
  EXPECT_EQ(t.rating, Rating::kSatisfied);
  EXPECT_EQ(open311_status(t.status), Open311Status::kClosed);
}

TEST_F(LifecycleTest, a_transition_records_who_when_why_and_what_to_persist) {
  Ticket t = received();
  auto r = lifecycle.apply(t, to(Action::kDispatch, qianyou, "属地办理"), command, clock.now());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->from, RequestStatus::kReceived);
  EXPECT_EQ(r->to, RequestStatus::kDispatched);
  EXPECT_EQ(r->actor.user_id, "u-cmd");
  EXPECT_EQ(r->at, clock.now());
  EXPECT_EQ(r->note, "属地办理");
  ASSERT_TRUE(r->assignment);
  EXPECT_EQ(r->assignment->from->id, "cc");
  EXPECT_EQ(r->assignment->to.id, "tp-qianyou");
  // Old timers cancelled, the receiving level starts its own response and resolution timers.
  EXPECT_EQ(r->cancel_timers.size(), 2u);
  ASSERT_EQ(r->start_timers.size(), 2u);
  for (const auto& tm : r->start_timers) EXPECT_EQ(tm.unit.id, "tp-qianyou");
  ASSERT_EQ(r->notify.size(), 1u);
  EXPECT_EQ(r->notify[0].unit_id, "tp-qianyou");
  EXPECT_EQ(r->notify[0].kind, "ticket.dispatched");
}

TEST_F(LifecycleTest, a_return_goes_back_to_the_dispatcher_one_level_up_with_its_reason) {
  Ticket t = dispatched_to_village();
  EXPECT_EQ(t.holder()->id, "vc-renhe");
  auto r = lifecycle.apply(t, act(Action::kReturn, "不属于本村管辖"), village, clock.now());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->to, RequestStatus::kReturned);
  EXPECT_EQ(r->after.holder()->id, "tp-qianyou");
  EXPECT_EQ(r->after.return_count, 1);
  EXPECT_EQ(r->assignment->kind, "return");
  EXPECT_EQ(r->assignment->reason, "不属于本村管辖");
  ASSERT_EQ(r->start_timers.size(), 1u);  // the dispatcher owes a decision
  EXPECT_EQ(r->start_timers[0].kind, TimerKind::kResponse);
  EXPECT_EQ(r->start_timers[0].unit.id, "tp-qianyou");
  // The township decides: dispatch elsewhere or handle it itself.
  Ticket back = r->after;
  auto redispatch = lifecycle.apply(back, to(Action::kDispatch, water), township, clock.now());
  EXPECT_FALSE(redispatch.ok());  // a county bureau is not below the township
  auto self = lifecycle.apply(back, act(Action::kClaim), township, clock.now());
  ASSERT_TRUE(self.ok());
  EXPECT_EQ(self->to, RequestStatus::kClaimed);
  EXPECT_FALSE(self->after.responded_on_time);  // handling a return is not a response
}

TEST_F(LifecycleTest, a_return_without_a_reason_is_refused_and_nothing_changes) {
  Ticket t = dispatched_to_village();
  auto r = lifecycle.apply(t, act(Action::kReturn, "   "), village, clock.now());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kMissingField);
  EXPECT_EQ(r.error().field, "note");
  EXPECT_EQ(r.error().http_status(), 400);
  EXPECT_EQ(t.status, RequestStatus::kDispatched);
  EXPECT_EQ(t.holder()->id, "vc-renhe");
}

TEST_F(LifecycleTest, a_claim_by_a_unit_that_does_not_hold_the_ticket_is_forbidden) {
  Ticket t = step(received(), to(Action::kDispatch, qianyou), command);
  auto r = lifecycle.apply(t, act(Action::kClaim), other_township, clock.now());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(r.error().http_status(), 403);
  auto v = lifecycle.apply(t, act(Action::kClaim), village, clock.now());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, ErrorCode::kForbidden);
}

TEST_F(LifecycleTest, roles_that_may_never_do_an_action_get_forbidden_before_any_state_check) {
  Ticket t = received();
  auto r = lifecycle.apply(t, to(Action::kDispatch, qianyou), citizen, clock.now());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kForbidden);
  auto g = lifecycle.apply(t, act(Action::kWhistle, "x"), grid_worker, clock.now());
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, ErrorCode::kForbidden);
}

TEST_F(LifecycleTest, an_action_from_the_wrong_status_is_an_illegal_transition) {
  Ticket t = received();
  auto r = lifecycle.apply(t, act(Action::kComplete), command, clock.now());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIllegalTransition);
  EXPECT_EQ(r.error().http_status(), 409);
  t = step(t, to(Action::kDispatch, qianyou), command);
  auto reply = lifecycle.apply(t, act(Action::kReply, "done"), township, clock.now());
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kIllegalTransition);
  auto merge = lifecycle.apply(t, act(Action::kMerge), command, clock.now());
  ASSERT_FALSE(merge.ok());
  EXPECT_EQ(merge.error().code, ErrorCode::kIllegalTransition);
}

TEST_F(LifecycleTest, dispatching_up_or_to_itself_or_without_a_target_is_bad_input) {
  Ticket t = dispatched_to_village();
  // Returned to the township; it may not push the ticket up to the county by dispatch.
  t = step(t, act(Action::kReturn, "非本村事项"), village);
  auto up = lifecycle.apply(t, to(Action::kDispatch, cc), township, clock.now());
  ASSERT_FALSE(up.ok());
  EXPECT_EQ(up.error().code, ErrorCode::kInvalidInput);
  auto self = lifecycle.apply(t, to(Action::kDispatch, qianyou), township, clock.now());
  ASSERT_FALSE(self.ok());
  auto none = lifecycle.apply(t, act(Action::kDispatch), township, clock.now());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kMissingField);
}

TEST_F(LifecycleTest, the_command_centre_may_dispatch_to_a_county_department_at_its_own_level) {
  Ticket t = step(received(), to(Action::kDispatch, housing), command);
  EXPECT_EQ(t.holder()->id, "dept-housing");
  auto wrong = lifecycle.apply(t, act(Action::kClaim), water_staff, clock.now());
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kForbidden);
  t = step(t, claim_contacted(), housing_staff);
  EXPECT_EQ(t.status, RequestStatus::kClaimed);
}

TEST_F(LifecycleTest, completion_is_confirmed_by_the_dispatcher_or_the_command_centre_only) {
  Ticket t = dispatched_to_village();
  t = step(t, claim_contacted(), village);
  t = step(t, act(Action::kStart), village);
  t = step(t, act(Action::kReply, "已处理"), village);
  auto self = lifecycle.apply(t, act(Action::kComplete), village, clock.now());
  ASSERT_FALSE(self.ok());
  EXPECT_EQ(self.error().code, ErrorCode::kForbidden);
  auto other = lifecycle.apply(t, act(Action::kComplete), other_township, clock.now());
  ASSERT_FALSE(other.ok());
  auto ok = lifecycle.apply(t, act(Action::kComplete), township, clock.now());
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->to, RequestStatus::kCompleted);
}

TEST_F(LifecycleTest, an_unsatisfied_rating_reopens_the_ticket_with_the_dispatcher_of_the_handler) {
  Ticket t = dispatched_to_village();
  t = step(t, claim_contacted(), village);
  t = step(t, act(Action::kStart), village);
  t = step(t, act(Action::kReply, "已处理"), village);
  t = step(t, act(Action::kComplete), township);
  t = step(t, act(Action::kCallback), command);
  ActionRequest rate = act(Action::kRate);
  rate.rating = Rating::kUnsatisfied;
  rate.resolved = false;
  t = step(t, rate, command);
  auto r = lifecycle.apply(t, act(Action::kReopen, "群众反映问题仍未解决"), command, clock.now());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->to, RequestStatus::kReopened);
  EXPECT_EQ(r->after.reopen_count, 1);
  EXPECT_EQ(r->after.holder()->id, "tp-qianyou");
  EXPECT_FALSE(r->after.rating);
  // 重办 → 派单 again.
  t = step(r->after, to(Action::kDispatch, renhe, "重办"), township);
  EXPECT_EQ(t.status, RequestStatus::kDispatched);
  EXPECT_EQ(t.reopen_count, 1);
}

TEST_F(LifecycleTest, unreached_callbacks_are_counted_and_the_third_ends_the_callback_online) {
  Ticket t = in_progress_at_township();
  t = step(t, act(Action::kReply, "已处理"), township);
  t = step(t, act(Action::kComplete), command);
  // Only the command centre calls back: the township may not record a call.
  auto wrong = lifecycle.apply(t, act(Action::kCallbackUnreached), township, clock.now());
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kForbidden);
  // The first two unreached calls keep the call-back going and tell nobody.
  auto first =
      lifecycle.apply(t, act(Action::kCallbackUnreached, "无人接听"), command, clock.now());
  ASSERT_TRUE(first.ok()) << first.error().detail;
  EXPECT_EQ(first->to, RequestStatus::kCallback);
  EXPECT_EQ(first->after.callback_attempts, 1);
  EXPECT_TRUE(first->notify.empty());
  t = step(first->after, act(Action::kCallbackUnreached, "关机"), command);
  EXPECT_EQ(t.callback_attempts, 2);
  EXPECT_FALSE(callback_ended_unreached(t));
  auto offered = lifecycle.available_actions(t, command);
  EXPECT_NE(std::find(offered.begin(), offered.end(), Action::kCallbackUnreached), offered.end());
  // The third ends it and asks the requester to rate online.
  auto third = lifecycle.apply(t, act(Action::kCallbackUnreached), command, clock.now());
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(callback_ended_unreached(third->after));
  ASSERT_EQ(third->notify.size(), 1u);
  EXPECT_EQ(third->notify[0].kind, "ticket.callback_missed");
  EXPECT_EQ(third->notify[0].user_id, "c-1");
  t = third->after;
  // No fourth call, and it is no longer offered; the ticket is unchanged by the refusal.
  auto fourth = lifecycle.apply(t, act(Action::kCallbackUnreached), command, clock.now());
  ASSERT_FALSE(fourth.ok());
  EXPECT_EQ(fourth.error().code, ErrorCode::kIllegalTransition);
  offered = lifecycle.available_actions(t, command);
  EXPECT_EQ(std::find(offered.begin(), offered.end(), Action::kCallbackUnreached), offered.end());
  // The requester may still rate; an unhappy rating reopens, and the next completion gets a
  // call-back of its own.
  ActionRequest rate = act(Action::kRate);
  rate.rating = Rating::kUnsatisfied;
  rate.resolved = false;
  t = step(t, rate, citizen);
  EXPECT_EQ(t.status, RequestStatus::kRated);
  t = step(t, act(Action::kReopen, "群众在网上评价不满意"), command);
  EXPECT_EQ(t.callback_attempts, 0);
}

TEST_F(LifecycleTest, a_satisfied_and_resolved_ticket_cannot_be_reopened) {
  Ticket t = in_progress_at_township();
  t = step(t, act(Action::kReply, "已处理"), township);
  t = step(t, act(Action::kComplete), command);
  ActionRequest rate = act(Action::kRate);
  rate.rating = Rating::kFairlySatisfied;
  rate.resolved = true;
  t = step(t, rate, citizen);  // a citizen may rate online straight after completion
  auto r = lifecycle.apply(t, act(Action::kReopen, "再办一次"), command, clock.now());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIllegalTransition);
}

TEST_F(LifecycleTest, a_rating_needs_both_the_rating_and_the_resolved_answer) {
  Ticket t = in_progress_at_township();
  t = step(t, act(Action::kReply, "已处理"), township);
  t = step(t, act(Action::kComplete), command);
  ActionRequest rate = act(Action::kRate);
  rate.rating = Rating::kSatisfied;
  auto r = lifecycle.apply(t, rate, citizen, clock.now());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "resolved");
  rate.resolved = true;
  auto s = lifecycle.apply(t, rate, stranger, clock.now());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kForbidden);
}

TEST_F(LifecycleTest, a_township_whistle_summons_departments_and_resumes_when_all_have_reported) {
  Ticket t = in_progress_at_township();
  ActionRequest w = act(Action::kWhistle, "河道违建需多部门联合执法");
  w.departments = {housing, water, env};
  w.lead_unit_id = "dept-housing";
  auto r = lifecycle.apply(t, w, township, clock.now());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->to, RequestStatus::kWhistled);
  EXPECT_EQ(r->notify.size(), 3u);
  t = r->after;
  ASSERT_TRUE(t.whistle);
  EXPECT_EQ(t.whistle->lead_unit_id, "dept-housing");

  auto first = lifecycle.apply(t, act(Action::kReportIn), water_staff, clock.now());
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->to, RequestStatus::kWhistled);  // still waiting for two
  t = first->after;
  auto again = lifecycle.apply(t, act(Action::kReportIn), water_staff, clock.now());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kIllegalTransition);
  t = step(t, act(Action::kReportIn), env_staff);
  auto last = lifecycle.apply(t, act(Action::kReportIn), housing_staff, clock.now());
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->to, RequestStatus::kInProgress);
  EXPECT_TRUE(last->after.whistle->all_reported());
}

TEST_F(LifecycleTest, a_department_that_was_not_summoned_cannot_report_in) {
  Ticket t = in_progress_at_township();
  ActionRequest w = act(Action::kWhistle, "联合处置");
  w.departments = {housing};
  w.lead_unit_id = "dept-housing";
  t = step(t, w, township);
  auto r = lifecycle.apply(t, act(Action::kReportIn), water_staff, clock.now());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kForbidden);
}

TEST_F(LifecycleTest, a_whistle_needs_departments_a_lead_among_them_and_a_township_holder) {
  Ticket t = in_progress_at_township();
  ActionRequest w = act(Action::kWhistle, "联合处置");
  auto none = lifecycle.apply(t, w, township, clock.now());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().field, "departments");
  w.departments = {housing, water};
  w.lead_unit_id = "dept-env";
  auto lead = lifecycle.apply(t, w, township, clock.now());
  ASSERT_FALSE(lead.ok());
  EXPECT_EQ(lead.error().field, "lead_unit_id");
  w.departments = {housing, renhe};
  w.lead_unit_id = "dept-housing";
  auto village_in = lifecycle.apply(t, w, township, clock.now());
  ASSERT_FALSE(village_in.ok());
  EXPECT_EQ(village_in.error().code, ErrorCode::kInvalidInput);
}

TEST_F(LifecycleTest, a_village_escalates_one_level_up_with_a_new_deadline) {
  Ticket t = dispatched_to_village();
  t = step(t, claim_contacted(), village);
  auto r = lifecycle.apply(t, to(Action::kEscalate, qianyou, "超出村级职权"), village, clock.now());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->to, RequestStatus::kEscalated);
  EXPECT_EQ(r->after.holder()->id, "tp-qianyou");
  EXPECT_EQ(r->after.chain.size(), 2u);
  EXPECT_EQ(r->after.escalation_count, 1);
  ASSERT_EQ(r->start_timers.size(), 2u);
  EXPECT_EQ(r->start_timers[1].unit.id, "tp-qianyou");
  EXPECT_GT(*r->after.resolution_due, clock.now());
}

TEST_F(LifecycleTest, escalating_sideways_or_without_a_reason_is_bad_input) {
  Ticket t = dispatched_to_village();
  auto side = lifecycle.apply(t, to(Action::kEscalate, find_unit(world, "vc-chejiahe"), "x"),
                              village, clock.now());
  ASSERT_FALSE(side.ok());
  EXPECT_EQ(side.error().code, ErrorCode::kInvalidInput);
  auto mute = lifecycle.apply(t, to(Action::kEscalate, qianyou), village, clock.now());
  ASSERT_FALSE(mute.ok());
  EXPECT_EQ(mute.error().code, ErrorCode::kMissingField);
}

TEST_F(LifecycleTest, the_scheduler_escalation_is_refused_when_the_holder_has_changed) {
  Ticket t = dispatched_to_village();
  ActionRequest req = to(Action::kEscalate, qianyou, "超时未签收");
  req.expected_holder_id = "grid-renhe1";
  auto r = lifecycle.apply(t, req, scheduler, clock.now());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  req.expected_holder_id = "vc-renhe";
  EXPECT_TRUE(lifecycle.apply(t, req, scheduler, clock.now()).ok());
}

TEST_F(LifecycleTest, supervision_sets_a_flag_and_notifies_without_changing_the_status) {
  Ticket t = dispatched_to_village();
  auto r = lifecycle.apply(t, act(Action::kSupervise, "请加快办理"), command, clock.now());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->from, r->to);
  EXPECT_FALSE(r->changes_status());
  EXPECT_TRUE(r->after.supervised);
  ASSERT_EQ(r->notify.size(), 1u);
  EXPECT_EQ(r->notify[0].unit_id, "vc-renhe");
  // The township above the village may supervise; another township may not.
  EXPECT_TRUE(lifecycle.apply(t, act(Action::kSupervise, "督办"), township, clock.now()).ok());
  auto other = lifecycle.apply(t, act(Action::kSupervise, "督办"), other_township, clock.now());
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kForbidden);
}

TEST_F(LifecycleTest, only_a_requester_or_the_command_centre_may_withdraw) {
  Ticket t = dispatched_to_village();
  auto s = lifecycle.apply(t, act(Action::kWithdraw), stranger, clock.now());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kForbidden);
  auto r = lifecycle.apply(t, act(Action::kWithdraw, "问题已自行解决"), citizen, clock.now());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->to, RequestStatus::kWithdrawn);
  EXPECT_EQ(open311_status(r->to), Open311Status::kClosed);
  auto again = lifecycle.apply(r->after, act(Action::kWithdraw), citizen, clock.now());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kIllegalTransition);
}

TEST_F(LifecycleTest, merge_redirect_and_reject_close_a_received_ticket_with_their_data) {
  Ticket t = received();
  ActionRequest m = act(Action::kMerge);
  m.merged_into = "T1";
  auto self = lifecycle.apply(t, m, command, clock.now());
  ASSERT_FALSE(self.ok());
  EXPECT_EQ(self.error().field, "merged_into");
  m.merged_into = "T0";
  auto merged = lifecycle.apply(t, m, command, clock.now());
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged->after.merged_into, "T0");
  EXPECT_EQ(merged->to, RequestStatus::kMerged);
  auto redirect = lifecycle.apply(t, act(Action::kRedirect), command, clock.now());
  ASSERT_FALSE(redirect.ok());  // needs to say where
  EXPECT_TRUE(
      lifecycle.apply(t, act(Action::kRedirect, "属110受理范围，已转公安"), command, clock.now())
          .ok());
  auto reject = lifecycle.apply(t, act(Action::kReject, "恶意重复来电"), admin, clock.now());
  ASSERT_TRUE(reject.ok());
  EXPECT_EQ(reject->to, RequestStatus::kRejected);
  auto by_township = lifecycle.apply(t, act(Action::kReject, "x"), township, clock.now());
  ASSERT_FALSE(by_township.ok());  // the township does not hold this ticket
  EXPECT_EQ(by_township.error().code, ErrorCode::kForbidden);
}

TEST_F(LifecycleTest, notes_longer_than_the_limit_or_not_utf8_are_refused) {
  Ticket t = dispatched_to_village();
  std::string long_note;
  for (int i = 0; i < 4001; ++i) long_note += "长";
  auto r = lifecycle.apply(t, act(Action::kReturn, long_note), village, clock.now());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTooLong);
  auto bad =
      lifecycle.apply(t, act(Action::kReturn, std::string("\xff\xfe")), village, clock.now());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidUtf8);
}

TEST_F(LifecycleTest, every_action_has_a_rule_and_every_status_is_reachable_from_received) {
  std::set<Action> actions;
  std::set<RequestStatus> reached{RequestStatus::kReceived};
  std::deque<RequestStatus> q{RequestStatus::kReceived};
  while (!q.empty()) {
    RequestStatus s = q.front();
    q.pop_front();
    for (const auto& r : Lifecycle::rules()) {
      actions.insert(r.action);
      bool from = std::find(r.from.begin(), r.from.end(), s) != r.from.end();
      if (from && r.action != Action::kSupervise && reached.insert(r.to).second) q.push_back(r.to);
      if (from && r.action == Action::kReportIn && reached.insert(RequestStatus::kWhistled).second)
        q.push_back(RequestStatus::kWhistled);
    }
  }
  EXPECT_EQ(actions.size(), static_cast<size_t>(kActionCount));
  EXPECT_EQ(reached.size(), static_cast<size_t>(kStatusCount));
}

TEST_F(LifecycleTest, closed_statuses_accept_no_action_except_the_callback_steps) {
  for (const auto& r : Lifecycle::rules()) {
    for (RequestStatus s : r.from) {
      if (open311_status(s) == Open311Status::kOpen) continue;
      EXPECT_TRUE(r.action == Action::kCallback || r.action == Action::kCallbackUnreached ||
                  r.action == Action::kRate || r.action == Action::kReopen)
          << action_code(r.action) << " from " << status_code(s);
    }
  }
}

TEST(ActsFor, a_department_user_acts_only_for_their_own_department) {
  UnitRef housing{"dept-housing", "housing", "611026000000", Level::kCounty, "县住建局"};
  Actor mine{"u", Role::kDepartment, "611026000000", "dept-housing"};
  Actor theirs{"u", Role::kDepartment, "611026000000", "dept-water"};
  Actor no_unit{"u", Role::kDepartment, "611026000000", ""};
  EXPECT_TRUE(acts_for(mine, housing));
  EXPECT_FALSE(acts_for(theirs, housing));
  EXPECT_FALSE(acts_for(no_unit, housing));  // same division is not enough for a department
}

}  // namespace
}  // namespace gj::requests

namespace gj::requests {
namespace {

// docs/requests.md renders Lifecycle::rules(); a rule added here must show up there.
TEST(LifecycleDocs, the_documented_state_table_names_every_action_with_its_from_statuses) {
  std::ifstream in(std::string(GJ_SOURCE_DIR) + "/docs/requests.md");
  ASSERT_TRUE(in.good());
  std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto& r : Lifecycle::rules()) {
    std::string head = "| " + std::string(action_code(r.action)) + " " +
                       std::string(action_name(r.action, Lang::kZh));
    size_t at = doc.find(head);
    ASSERT_NE(at, std::string::npos) << head;
    bool found_row = false;
    // One of the rows starting with this action lists every from-status of the rule.
    for (; at != std::string::npos; at = doc.find(head, at + 1)) {
      std::string row = doc.substr(at, doc.find('\n', at) - at);
      bool all = true;
      for (RequestStatus s : r.from)
        if (row.find(std::string(status_code(s))) == std::string::npos) all = false;
      found_row = found_row || all;
    }
    EXPECT_TRUE(found_row) << action_code(r.action);
  }
}

}  // namespace
}  // namespace gj::requests

namespace gj::requests {
namespace {

class LifecycleMoreTest : public ::testing::Test {
 protected:
  testing::MapHierarchy world = testing::make_county();
  Lifecycle lifecycle{SlaPolicy::defaults(), WorkCalendar{}};
  FakeClock clock;
  Actor command{"u-cmd", Role::kCommand, testing::kCounty, ""};
  Actor township{"u-tq", Role::kTownship, testing::kQianyou, ""};
  Actor village{"u-vr", Role::kVillage, testing::kRenhe, ""};
  Actor citizen{"c-1", Role::kCitizen, "", ""};

  Ticket at(const UnitRef& intake) {
    Ticket d;
    d.id = "T1";
    d.category = "城乡建设";
    d.requester_ids = {"c-1"};
    return lifecycle.receive(d, intake, clock.now())->ticket;
  }
};

TEST_F(LifecycleMoreTest, available_actions_follow_status_role_and_position) {
  Ticket t = at(testing::find_unit(world, "cc"));
  auto cmd = Lifecycle::available_actions(t, command);
  for (Action a : {Action::kDispatch, Action::kMerge, Action::kRedirect, Action::kReject,
                   Action::kWithdraw, Action::kSupervise})
    EXPECT_NE(std::find(cmd.begin(), cmd.end(), a), cmd.end()) << action_code(a);
  EXPECT_EQ(std::find(cmd.begin(), cmd.end(), Action::kClaim), cmd.end());
  EXPECT_TRUE(Lifecycle::available_actions(t, township).empty());  // not its ticket
  auto mine = Lifecycle::available_actions(t, citizen);
  EXPECT_EQ(mine, std::vector<Action>{Action::kWithdraw});
}

TEST_F(LifecycleMoreTest, a_township_walk_in_that_belongs_to_the_county_is_escalated_up) {
  UnitRef qianyou = testing::find_unit(world, "tp-qianyou");
  Ticket t = at(qianyou);  // received at the township (walk-in 来访)
  ActionRequest up;
  up.action = Action::kEscalate;
  up.note = "属县级事权";
  up.target = testing::find_unit(world, "cc");
  auto r = lifecycle.apply(t, up, township, clock.now());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->after.holder()->id, "cc");
  EXPECT_EQ(r->to, RequestStatus::kEscalated);
}

TEST_F(LifecycleMoreTest, a_supervision_records_issuer_target_reason_and_due_date) {
  Ticket t = at(testing::find_unit(world, "cc"));
  ActionRequest s;
  s.action = Action::kSupervise;
  s.note = "群众多次来电，请加快办理";
  s.supervise_due = clock.now() + std::chrono::hours(48);
  auto r = lifecycle.apply(t, s, command, clock.now());
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->supervision);
  EXPECT_EQ(r->supervision->issuer_id, "u-cmd");
  EXPECT_EQ(r->supervision->target.id, "cc");
  EXPECT_EQ(r->supervision->due, s.supervise_due);
  s.supervise_due = clock.now() - std::chrono::hours(1);
  auto past = lifecycle.apply(t, s, command, clock.now());
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().field, "supervise_due");
}

}  // namespace
}  // namespace gj::requests
