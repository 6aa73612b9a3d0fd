// Users, sessions and the sign-in policy (lockout after repeated failures, session expiry).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "domain/auth/roles.hpp"

namespace gj::auth {

struct UserRecord {
  int64_t id = 0;
  std::string username, display_name;
  Role role = Role::kCitizen;
  std::string scope_code;
  std::optional<int64_t> unit_id;
  std::string password_hash;
  std::string phone, id_number;    // stored in full; masked on every way out
  std::string email;               // personal data like phone (staff notifications); "" = none
  std::string language = "zh-CN";  // 通知语言 of the staff e-mails: zh-CN | en
  bool disabled = false;
  // Set for a password someone else issued (an import's initial one, a reset): the user must
  // choose their own first, and it stops signing in `issued_password_ms` after it was issued.
  bool must_change_password = false;
  std::optional<int64_t> password_issued_at;
  int failed_logins = 0;
  std::optional<int64_t> first_failed_at, locked_until, last_login_at;
  int64_t created_at = 0, updated_at = 0;
};

struct SessionRecord {
  std::string token_hash;  // SHA-256 of the cookie value
  int64_t user_id = 0;
  std::string csrf_token;
  int64_t created_at = 0, last_seen_at = 0, expires_at = 0;
  std::string ip;
};

// Sign-in rules (defaults follow common government-system practice; configurable).
struct LoginPolicy {
  int max_failures = 5;  // within `failure_window_ms` …
  int64_t failure_window_ms = 15 * 60 * 1000;
  int64_t lock_ms = 15 * 60 * 1000;                // … locks the account this long
  int64_t idle_timeout_ms = 2 * 3600 * 1000;       // session ends after 2 h without use
  int64_t absolute_timeout_ms = 12 * 3600 * 1000;  // and after 12 h in any case
  // A password an administrator issued signs in for 7 days; then they issue another.
  int64_t issued_password_ms = int64_t{7} * 24 * 3600 * 1000;
};

enum class LoginOutcome { kOk, kBadCredentials, kLocked, kDisabled, kPasswordExpired };

// A password someone else set (an import's initial one, a reset) from `now`: it must be replaced
// at the first sign-in and expires after LoginPolicy::issued_password_ms.
void issue_password(UserRecord& user, int64_t now_ms);
// The user chose their own password.
void own_password(UserRecord& user);

// Decides a sign-in attempt and updates the user's counters (pure: the caller stores `user`).
// Unknown users are handled by the caller as kBadCredentials with the same timing.
LoginOutcome decide_login(UserRecord& user, bool password_ok, int64_t now_ms,
                          const LoginPolicy& policy);

// True while the session is usable; refreshes last_seen (the caller stores it).
bool session_alive(const SessionRecord& s, int64_t now_ms, const LoginPolicy& policy);

// Checks that a role is bound to a fitting position: scope level for division roles,
// a unit for department handlers.
Status check_binding(Role role, int scope_level, bool has_unit);

}  // namespace gj::auth
