#include "domain/requests/status.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "domain/requests/types.hpp"

namespace gj::requests {
namespace {

TEST(RequestStatus, there_are_sixteen_statuses_with_unique_codes_and_names_in_both_languages) {
  std::set<std::string_view> codes, zh;
  for (RequestStatus s : all_statuses()) {
    codes.insert(status_code(s));
    zh.insert(status_name(s, Lang::kZh));
    EXPECT_FALSE(status_name(s, Lang::kEn).empty());
    auto back = parse_status(status_code(s));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(codes.size(), 16u);
  EXPECT_EQ(zh.size(), 16u);
  EXPECT_EQ(status_name(RequestStatus::kReturned, Lang::kZh), "已退单");
  EXPECT_EQ(status_name(RequestStatus::kWhistled, Lang::kZh), "吹哨中");
}

TEST(RequestStatus, open311_closed_is_exactly_the_seven_closing_statuses_of_domain_md) {
  std::set<std::string_view> closed;
  for (RequestStatus s : all_statuses())
    if (open311_status(s) == Open311Status::kClosed) closed.insert(status_code(s));
  std::set<std::string_view> expected = {"completed",  "callback", "rated",    "merged",
                                         "redirected", "rejected", "withdrawn"};
  EXPECT_EQ(closed, expected);
  EXPECT_EQ(open311_code(RequestStatus::kEscalated), "open");
  EXPECT_EQ(open311_code(RequestStatus::kRated), "closed");
  EXPECT_TRUE(is_open(RequestStatus::kReopened));
}

TEST(RequestStatus, an_unknown_status_code_is_invalid_input) {
  auto r = parse_status("lost");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(r.error().field, "status");
}

TEST(Action, every_action_round_trips_through_its_code) {
  std::set<std::string_view> codes;
  for (Action a : all_actions()) {
    codes.insert(action_code(a));
    auto back = parse_action(action_code(a));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, a);
  }
  EXPECT_EQ(codes.size(), static_cast<size_t>(kActionCount));
  EXPECT_TRUE(codes.count("callback_unreached"));
  EXPECT_TRUE(codes.count("report_in"));
  EXPECT_EQ(action_name(Action::kWhistle, Lang::kZh), "吹哨");
  EXPECT_FALSE(parse_action("teleport").ok());
}

TEST(Role, login_roles_parse_but_the_scheduler_role_is_never_accepted_from_outside) {
  for (std::string_view code :
       {"admin", "command", "township", "village", "grid_worker", "department", "citizen"}) {
    auto r = parse_role(code);
    ASSERT_TRUE(r.ok()) << code;
    EXPECT_EQ(role_code(*r), code);
  }
  EXPECT_FALSE(parse_role("system").ok());
}

TEST(GeoPoint, invalid_and_null_island_points_are_rejected_and_distances_are_metres) {
  EXPECT_TRUE(is_valid_point({33.68, 109.11}));
  EXPECT_FALSE(is_valid_point({0, 0}));
  EXPECT_FALSE(is_valid_point({91, 10}));
  EXPECT_FALSE(is_valid_point({10, std::nan("")}));
  // One degree of latitude ≈ 111.2 km.
  EXPECT_NEAR(haversine_m({33, 109}, {34, 109}), 111195, 50);
  EXPECT_DOUBLE_EQ(haversine_m({33, 109}, {33, 109}), 0);
}

}  // namespace
}  // namespace gj::requests
