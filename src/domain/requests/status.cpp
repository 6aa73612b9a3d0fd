#include "domain/requests/status.hpp"

#include <cmath>
#include <numbers>

#include "domain/requests/types.hpp"

namespace gj::requests {
namespace {

struct StatusRow {
  RequestStatus status;
  std::string_view code, zh, en;
  Open311Status open311;
};
constexpr StatusRow kStatusRows[kStatusCount] = {
    {RequestStatus::kReceived, "received", "已受理", "Received", Open311Status::kOpen},
    {RequestStatus::kDispatched, "dispatched", "已派单", "Dispatched", Open311Status::kOpen},
    {RequestStatus::kClaimed, "claimed", "已签收", "Claimed", Open311Status::kOpen},
    {RequestStatus::kReturned, "returned", "已退单", "Returned", Open311Status::kOpen},
    {RequestStatus::kInProgress, "in_progress", "办理中", "In progress", Open311Status::kOpen},
    {RequestStatus::kEscalated, "escalated", "已升级", "Escalated", Open311Status::kOpen},
    {RequestStatus::kWhistled, "whistled", "吹哨中", "Whistle called", Open311Status::kOpen},
    {RequestStatus::kReplied, "replied", "已答复", "Replied", Open311Status::kOpen},
    {RequestStatus::kCompleted, "completed", "已办结", "Completed", Open311Status::kClosed},
    {RequestStatus::kCallback, "callback", "回访中", "Callback", Open311Status::kClosed},
    {RequestStatus::kRated, "rated", "已评价", "Rated", Open311Status::kClosed},
    {RequestStatus::kReopened, "reopened", "重办", "Reopened", Open311Status::kOpen},
    {RequestStatus::kMerged, "merged", "已合并", "Merged", Open311Status::kClosed},
    {RequestStatus::kRedirected, "redirected", "已转出", "Redirected", Open311Status::kClosed},
    {RequestStatus::kRejected, "rejected", "不予受理", "Rejected", Open311Status::kClosed},
    {RequestStatus::kWithdrawn, "withdrawn", "已撤回", "Withdrawn", Open311Status::kClosed},
};

struct ActionRow {
  Action action;
  std::string_view code, zh, en;
};
constexpr ActionRow kActionRows[kActionCount] = {
    {Action::kDispatch, "dispatch", "派单", "Dispatch"},
    {Action::kClaim, "claim", "签收", "Claim"},
    {Action::kReturn, "return", "退单", "Return"},
    {Action::kStart, "start", "开始办理", "Start handling"},
    {Action::kReply, "reply", "答复", "Reply"},
    {Action::kComplete, "complete", "办结", "Complete"},
    {Action::kCallback, "callback", "回访", "Call back"},
    {Action::kRate, "rate", "评价", "Rate"},
    {Action::kReopen, "reopen", "重办", "Reopen"},
    {Action::kEscalate, "escalate", "升级", "Escalate"},
    {Action::kWhistle, "whistle", "吹哨", "Blow the whistle"},
    {Action::kReportIn, "report_in", "报到", "Report in"},
    {Action::kMerge, "merge", "合并", "Merge"},
    {Action::kRedirect, "redirect", "转出", "Redirect"},
    {Action::kReject, "reject", "不予受理", "Reject"},
    {Action::kWithdraw, "withdraw", "撤回", "Withdraw"},
    {Action::kSupervise, "supervise", "督办", "Supervise"},
    {Action::kCallbackUnreached, "callback_unreached", "回访未接通", "Callback not reached"},
};

const StatusRow& row(RequestStatus s) {
  return kStatusRows[static_cast<int>(s)];
}
const ActionRow& row(Action a) {
  return kActionRows[static_cast<int>(a)];
}

struct RoleRow {
  Role role;
  std::string_view code;
};
constexpr RoleRow kRoleRows[] = {
    {Role::kAdmin, "admin"},
    {Role::kCommand, "command"},
    {Role::kTownship, "township"},
    {Role::kVillage, "village"},
    {Role::kGridWorker, "grid_worker"},
    {Role::kDepartment, "department"},
    {Role::kCitizen, "citizen"},
    {Role::kSystem, "system"},
};

}  // namespace

const std::array<RequestStatus, kStatusCount>& all_statuses() {
  static const std::array<RequestStatus, kStatusCount> all = [] {
    std::array<RequestStatus, kStatusCount> a{};
    for (int i = 0; i < kStatusCount; ++i) a[i] = kStatusRows[i].status;
    return a;
  }();
  return all;
}

std::string_view status_code(RequestStatus s) {
  return row(s).code;
}
std::string_view status_name(RequestStatus s, Lang lang) {
  return lang == Lang::kZh ? row(s).zh : row(s).en;
}
Result<RequestStatus> parse_status(std::string_view code) {
  for (const auto& r : kStatusRows)
    if (r.code == code) return r.status;
  return make_error(ErrorCode::kInvalidInput, "unknown status '" + std::string(code) + "'",
                    "status");
}
Open311Status open311_status(RequestStatus s) {
  return row(s).open311;
}
std::string_view open311_code(RequestStatus s) {
  return open311_status(s) == Open311Status::kOpen ? "open" : "closed";
}

const std::array<Action, kActionCount>& all_actions() {
  static const std::array<Action, kActionCount> all = [] {
    std::array<Action, kActionCount> a{};
    for (int i = 0; i < kActionCount; ++i) a[i] = kActionRows[i].action;
    return a;
  }();
  return all;
}
std::string_view action_code(Action a) {
  return row(a).code;
}
std::string_view action_name(Action a, Lang lang) {
  return lang == Lang::kZh ? row(a).zh : row(a).en;
}
Result<Action> parse_action(std::string_view code) {
  for (const auto& r : kActionRows)
    if (r.code == code) return r.action;
  return make_error(ErrorCode::kInvalidInput, "unknown action '" + std::string(code) + "'",
                    "action");
}

// ---- types.hpp helpers ----

std::string_view level_name(Level level, Lang lang) {
  static constexpr std::string_view zh[] = {"",           "省",  "地级", "县级", "乡镇（街道）",
                                            "村（社区）", "网格"};
  static constexpr std::string_view en[] = {"",         "province", "prefecture", "county",
                                            "township", "village",  "grid"};
  int i = static_cast<int>(level);
  if (i < 1 || i > 6) return lang == Lang::kZh ? "未知层级" : "unknown level";
  return lang == Lang::kZh ? zh[i] : en[i];
}

bool is_chain_unit_type(std::string_view type) {
  return type == kUnitCommandCentre || type == kUnitTownshipPlatform ||
         type == kUnitVillageCommittee || type == kUnitGrid;
}

std::string_view role_code(Role role) {
  for (const auto& r : kRoleRows)
    if (r.role == role) return r.code;
  return "unknown";
}
Result<Role> parse_role(std::string_view code) {
  for (const auto& r : kRoleRows)
    if (r.code == code && r.role != Role::kSystem) return r.role;  // system is never a login role
  return make_error(ErrorCode::kInvalidInput, "unknown role '" + std::string(code) + "'", "role");
}

bool is_valid_point(const GeoPoint& p) {
  return std::isfinite(p.lat) && std::isfinite(p.lon) && p.lat >= -90 && p.lat <= 90 &&
         p.lon >= -180 && p.lon <= 180 && !(p.lat == 0 && p.lon == 0);
}

double haversine_m(const GeoPoint& a, const GeoPoint& b) {
  constexpr double kR = 6371008.8;
  constexpr double kRad = std::numbers::pi / 180.0;
  double dlat = (b.lat - a.lat) * kRad, dlon = (b.lon - a.lon) * kRad;
  double s = std::sin(dlat / 2) * std::sin(dlat / 2) + std::cos(a.lat * kRad) *
                                                           std::cos(b.lat * kRad) *
                                                           std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kR * std::asin(std::min(1.0, std::sqrt(s)));
}

}  // namespace gj::requests
