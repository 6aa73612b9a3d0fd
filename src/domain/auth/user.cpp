#include "domain/auth/user.hpp"

namespace gj::auth {

void issue_password(UserRecord& u, int64_t now) {
  u.must_change_password = true;
  u.password_issued_at = now;
}

void own_password(UserRecord& u) {
  u.must_change_password = false;
  u.password_issued_at.reset();
}

LoginOutcome decide_login(UserRecord& u, bool password_ok, int64_t now, const LoginPolicy& p) {
  if (u.disabled) return LoginOutcome::kDisabled;
  if (u.locked_until && *u.locked_until > now) return LoginOutcome::kLocked;
  // An issued password left unused too long (handed out on paper, forgotten in a file) no
  // longer opens the account; only a right guess learns that, so it tells no one else anything.
  if (password_ok && u.must_change_password && u.password_issued_at &&
      now - *u.password_issued_at > p.issued_password_ms)
    return LoginOutcome::kPasswordExpired;
  if (password_ok) {
    u.failed_logins = 0;
    u.first_failed_at.reset();
    u.locked_until.reset();
    u.last_login_at = now;
    return LoginOutcome::kOk;
  }
  if (!u.first_failed_at || now - *u.first_failed_at > p.failure_window_ms) {
    u.first_failed_at = now;
    u.failed_logins = 0;
  }
  if (++u.failed_logins >= p.max_failures) {
    u.locked_until = now + p.lock_ms;
    u.failed_logins = 0;
    u.first_failed_at.reset();
    return LoginOutcome::kLocked;
  }
  return LoginOutcome::kBadCredentials;
}

bool session_alive(const SessionRecord& s, int64_t now, const LoginPolicy& p) {
  return now < s.expires_at && now - s.last_seen_at < p.idle_timeout_ms;
}

Status check_binding(Role role, int scope_level, bool has_unit) {
  const auto& info = role_info(role);
  if (info.scope_level == -1) {
    if (role == Role::kDepartment && !has_unit)
      return make_error(ErrorCode::kMissingField, "department handlers need a unit", "unit_id");
    return {};
  }
  if (scope_level == 0)
    return make_error(ErrorCode::kMissingField, "this role needs a division", "scope_code");
  if (info.scope_level == 0) return {};  // admin: any level
  // Command staff may sit at county level or above; the others exactly at their level.
  if (role == Role::kCommand ? scope_level > info.scope_level : scope_level != info.scope_level)
    return make_error(ErrorCode::kInvalidCode, "the division level does not fit the role",
                      "scope_code");
  return {};
}

}  // namespace gj::auth
