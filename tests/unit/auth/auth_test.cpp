#include <gtest/gtest.h>

#include "domain/auth/passwords.hpp"
#include "domain/auth/personal_data.hpp"
#include "domain/auth/roles.hpp"
#include "domain/auth/user.hpp"

using namespace gj::auth;
using gj::ErrorCode;

TEST(IdNumber, a_valid_gb11643_number_passes_and_x_is_normalised) {
  // 11010519491231002X is the standard's own worked example.
  EXPECT_EQ(*validate_id_number("11010519491231002X"), "11010519491231002X");
  EXPECT_EQ(*validate_id_number("11010519491231002x"), "11010519491231002X");
}

TEST(IdNumber, a_wrong_check_digit_or_shape_is_rejected) {
  EXPECT_EQ(validate_id_number("110105194912310021").error().code, ErrorCode::kInvalidIdNumber);
  EXPECT_FALSE(validate_id_number("1101051949123100").ok());
  EXPECT_FALSE(validate_id_number("ABCDEFGHIJKLMNOPQR").ok());
}

TEST(IdNumber, an_impossible_birth_date_is_rejected_even_with_a_matching_checksum) {
  // Build 17 digits with month 13, then append its correct check character.
  std::string body = "11010519491331002";
  static const int kW[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static const char kC[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (body[i] - '0') * kW[i];
  EXPECT_FALSE(validate_id_number(body + kC[sum % 11]).ok());
}

TEST(Masking, id_numbers_and_phones_keep_only_prefix_and_last_four) {
  EXPECT_EQ(mask_id_number("11010519491231002X"), "110***********002X");
  EXPECT_EQ(mask_phone("13812345678"), "138****5678");
}

TEST(Phone, mainland_mobiles_are_normalised_and_others_rejected) {
  EXPECT_EQ(*validate_phone("138 1234 5678"), "13812345678");
  EXPECT_EQ(*validate_phone("+8613812345678"), "13812345678");
  EXPECT_FALSE(validate_phone("12812345678").ok());
  EXPECT_FALSE(validate_phone("1381234567").ok());
}

// Hotline callers often give a landline 固定电话 with its area code.
TEST(Phone, landlines_with_an_area_code_are_accepted_and_short_or_odd_ones_rejected) {
  EXPECT_EQ(*validate_phone("0914-2321234"), "09142321234");
  EXPECT_EQ(*validate_phone("(029) 8765 4321"), "02987654321");
  EXPECT_EQ(*validate_phone("010-12345678"), "01012345678");
  EXPECT_EQ(mask_phone("09142321234"), "091****1234");
  EXPECT_FALSE(validate_phone("2321234").ok());           // no area code
  EXPECT_FALSE(validate_phone("0014-2321234").ok());      // 00… is an international prefix
  EXPECT_FALSE(validate_phone("0914-23212345678").ok());  // too long
  EXPECT_FALSE(validate_phone("0914-232x234").ok());
  EXPECT_FALSE(validate_phone("").ok());
}

TEST(Passwords, rules_need_ten_characters_with_letters_and_digits) {
  EXPECT_TRUE(check_password_rules("Gongjian-2026").ok());
  EXPECT_EQ(check_password_rules("short1").error().code, ErrorCode::kWeakPassword);
  EXPECT_FALSE(check_password_rules("onlyletterslong").ok());
  EXPECT_FALSE(check_password_rules("1234567890123").ok());
}

TEST(Passwords, argon2id_hashes_verify_and_differ_per_salt) {
  PasswordParams fast{1, 1024, 1};
  auto a = hash_password("Gongjian-2026", fast);
  auto b = hash_password("Gongjian-2026", fast);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->rfind("$argon2id$", 0), 0u);
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(verify_password("Gongjian-2026", *a));
  EXPECT_FALSE(verify_password("Gongjian-2027", *a));
  EXPECT_FALSE(verify_password("Gongjian-2026", "plaintext"));
}

TEST(Login, five_failures_within_the_window_lock_the_account) {
  LoginPolicy p;
  UserRecord u;
  int64_t t = 1'000'000;
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(decide_login(u, false, t + i, p), LoginOutcome::kBadCredentials);
  EXPECT_EQ(decide_login(u, false, t + 5, p), LoginOutcome::kLocked);
  // Even the right password is refused while locked …
  EXPECT_EQ(decide_login(u, true, t + 10, p), LoginOutcome::kLocked);
  // … and accepted after the lock expires.
  EXPECT_EQ(decide_login(u, true, t + 5 + p.lock_ms + 1, p), LoginOutcome::kOk);
  EXPECT_EQ(u.failed_logins, 0);
}

TEST(Login, an_issued_password_signs_in_for_seven_days_and_ones_own_for_ever) {
  LoginPolicy p;
  UserRecord u;
  const int64_t t = 1'000'000;
  issue_password(u, t);
  EXPECT_TRUE(u.must_change_password);
  EXPECT_EQ(decide_login(u, true, t + p.issued_password_ms, p), LoginOutcome::kOk);
  EXPECT_EQ(decide_login(u, true, t + p.issued_password_ms + 1, p),
            LoginOutcome::kPasswordExpired);
  // A wrong guess still counts as one: expiry says nothing to someone without the password.
  EXPECT_EQ(decide_login(u, false, t + p.issued_password_ms + 2, p),
            LoginOutcome::kBadCredentials);
  own_password(u);
  EXPECT_FALSE(u.password_issued_at.has_value());
  EXPECT_EQ(decide_login(u, true, t + 100 * p.issued_password_ms, p), LoginOutcome::kOk);
}

TEST(Login, failures_spread_beyond_the_window_do_not_accumulate) {
  LoginPolicy p;
  UserRecord u;
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(decide_login(u, false, i * (p.failure_window_ms / 3), p),
              LoginOutcome::kBadCredentials);
  EXPECT_FALSE(u.locked_until.has_value());
}

TEST(Login, a_disabled_account_cannot_sign_in) {
  UserRecord u;
  u.disabled = true;
  EXPECT_EQ(decide_login(u, true, 0, LoginPolicy{}), LoginOutcome::kDisabled);
}

TEST(Sessions, expire_after_idle_time_and_absolute_lifetime) {
  LoginPolicy p;
  SessionRecord s{"h", 1, "c", 0, 0, p.absolute_timeout_ms, ""};
  EXPECT_TRUE(session_alive(s, 1000, p));
  EXPECT_FALSE(session_alive(s, p.idle_timeout_ms + 1, p));
  s.last_seen_at = p.absolute_timeout_ms - 10;
  EXPECT_FALSE(session_alive(s, p.absolute_timeout_ms, p));
}

TEST(Roles, each_role_is_bound_to_a_fitting_position) {
  EXPECT_TRUE(check_binding(Role::kTownship, 4, false).ok());
  EXPECT_FALSE(check_binding(Role::kTownship, 5, false).ok());
  EXPECT_TRUE(check_binding(Role::kGridWorker, 6, false).ok());
  EXPECT_FALSE(check_binding(Role::kDepartment, 0, false).ok());
  EXPECT_TRUE(check_binding(Role::kDepartment, 0, true).ok());
  EXPECT_TRUE(check_binding(Role::kCommand, 2, false).ok());
  EXPECT_FALSE(check_binding(Role::kCommand, 4, false).ok());
  EXPECT_TRUE(check_binding(Role::kAdmin, 3, false).ok());
  EXPECT_FALSE(check_binding(Role::kAdmin, 0, false).ok());
}

TEST(Roles, only_administrators_manage_users_and_read_personal_data) {
  EXPECT_TRUE(has_permission(Role::kAdmin, Permission::kManageUsers));
  EXPECT_FALSE(has_permission(Role::kCommand, Permission::kManageUsers));
  EXPECT_FALSE(has_permission(Role::kGridWorker, Permission::kReadPersonalData));
  EXPECT_FALSE(has_permission(Role::kCitizen, Permission::kBrowseOrg));
}
