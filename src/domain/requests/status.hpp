// The 16 request statuses and the actions that move between them (domain.md §1).
#pragma once

#include <array>
#include <string_view>

#include "common/error.hpp"
#include "common/result.hpp"

namespace gj::requests {

enum class RequestStatus {
  kReceived,    // 已受理
  kDispatched,  // 已派单
  kClaimed,     // 已签收
  kReturned,    // 已退单 (back with the dispatcher one level up, awaiting its decision)
  kInProgress,  // 办理中
  kEscalated,   // 已升级
  kWhistled,    // 吹哨中 (joint case with summoned departments)
  kReplied,     // 已答复
  kCompleted,   // 已办结
  kCallback,    // 回访中
  kRated,       // 已评价
  kReopened,    // 重办
  kMerged,      // 已合并
  kRedirected,  // 已转出 (out of duty, sent to another channel)
  kRejected,    // 不予受理
  kWithdrawn,   // 已撤回
};
inline constexpr int kStatusCount = 16;
const std::array<RequestStatus, kStatusCount>& all_statuses();

std::string_view status_code(RequestStatus s);  // stable code, e.g. "in_progress"
std::string_view status_name(RequestStatus s, Lang lang);
Result<RequestStatus> parse_status(std::string_view code);
// Open311 GeoReport v2 knows only open/closed (domain.md §1).
enum class Open311Status { kOpen, kClosed };
Open311Status open311_status(RequestStatus s);
std::string_view open311_code(RequestStatus s);  // "open" | "closed"
inline bool is_open(RequestStatus s) {
  return open311_status(s) == Open311Status::kOpen;
}

enum class Action {
  kDispatch,           // 派单
  kClaim,              // 签收
  kReturn,             // 退单
  kStart,              // 开始办理
  kReply,              // 答复
  kComplete,           // 办结
  kCallback,           // 回访
  kRate,               // 评价
  kReopen,             // 重办
  kEscalate,           // 升级
  kWhistle,            // 吹哨
  kReportIn,           // 报到 (a summoned department reports)
  kMerge,              // 合并
  kRedirect,           // 转出
  kReject,             // 不予受理
  kWithdraw,           // 撤回
  kSupervise,          // 督办: a flag and an event, never a state
  kCallbackUnreached,  // 回访未接通: a satisfaction call that did not reach the requester
};
inline constexpr int kActionCount = 18;
const std::array<Action, kActionCount>& all_actions();
std::string_view action_code(Action a);  // "dispatch", "report_in", …
std::string_view action_name(Action a, Lang lang);
Result<Action> parse_action(std::string_view code);

}  // namespace gj::requests
