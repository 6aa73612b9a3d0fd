// All product SQL, as named constants (style.md §3). The text is portable between SQLite 3.40
// and PostgreSQL 15 ($n placeholders, RETURNING, ON CONFLICT); the schemas differ only in the
// numbered migrations under src/store/migrations/<backend>/.
#pragma once

namespace gj::store::sql {

// ---- divisions 行政区划 / grids 网格 ----
inline constexpr const char* kDivisionUpsert =
    "INSERT INTO divisions(code, parent_code, name, level, kind, synthetic) "
    "VALUES($1, $2, $3, $4, $5, $6) ON CONFLICT(code) DO UPDATE SET "
    "parent_code = excluded.parent_code, name = excluded.name, level = excluded.level, "
    "kind = excluded.kind, synthetic = excluded.synthetic "
    "WHERE divisions.name <> excluded.name OR divisions.kind <> excluded.kind "
    "OR divisions.level <> excluded.level OR divisions.synthetic <> excluded.synthetic "
    "OR COALESCE(divisions.parent_code, '') <> COALESCE(excluded.parent_code, '')";
inline constexpr const char* kDivisionColumns =
    "d.code, d.parent_code, d.name, d.level, d.kind, d.synthetic, "
    "(SELECT COUNT(*) FROM divisions c WHERE c.parent_code = d.code)";
inline constexpr const char* kDivisionGet =
    "SELECT d.code, d.parent_code, d.name, d.level, d.kind, d.synthetic, "
    "(SELECT COUNT(*) FROM divisions c WHERE c.parent_code = d.code), "
    "(SELECT g.retired_at FROM grids g WHERE g.code = d.code) "
    "FROM divisions d WHERE d.code = $1";
inline constexpr const char* kDivisionChildren =
    "SELECT d.code, d.parent_code, d.name, d.level, d.kind, d.synthetic, "
    "(SELECT COUNT(*) FROM divisions c WHERE c.parent_code = d.code), "
    "(SELECT g.retired_at FROM grids g WHERE g.code = d.code) "
    "FROM divisions d WHERE d.parent_code = $1 ORDER BY d.code";
// Search inside a scope range [lo, hi): by name fragment or by code prefix.
inline constexpr const char* kDivisionSearch =
    "SELECT d.code, d.parent_code, d.name, d.level, d.kind, d.synthetic, "
    "(SELECT COUNT(*) FROM divisions c WHERE c.parent_code = d.code), "
    "(SELECT g.retired_at FROM grids g WHERE g.code = d.code) "
    "FROM divisions d WHERE d.code >= $1 AND d.code < $2 "
    "AND (d.name LIKE $3 OR d.code LIKE $4) ORDER BY d.level, d.code LIMIT $5";
inline constexpr const char* kDivisionCount = "SELECT COUNT(*) FROM divisions";
inline constexpr const char* kDivisionCountByLevel =
    "SELECT level, COUNT(*) FROM divisions GROUP BY level ORDER BY level";
inline constexpr const char* kGridUpsert =
    "INSERT INTO grids(code, worker_user_id, households, residents, polygon, retired_at) "
    "VALUES($1, $2, $3, $4, $5, $6) ON CONFLICT(code) DO UPDATE SET "
    "worker_user_id = excluded.worker_user_id, households = excluded.households, "
    "residents = excluded.residents, polygon = excluded.polygon, "
    "retired_at = excluded.retired_at";
// Grids in use (not retired, 0023).
inline constexpr const char* kGridCodesUnder =
    "SELECT code FROM grids WHERE code >= $1 AND code < $2 AND retired_at IS NULL ORDER BY code";
inline constexpr const char* kGridFeaturesUnder =
    "SELECT g.code, d.name, g.households, g.residents, g.polygon FROM grids g "
    "JOIN divisions d ON d.code = g.code WHERE g.code >= $1 AND g.code < $2 "
    "AND g.polygon IS NOT NULL AND g.retired_at IS NULL ORDER BY g.code";
inline constexpr const char* kGridRetire =
    "UPDATE grids SET retired_at = $2 WHERE code = $1 AND retired_at IS NULL";
// The requests a unit about to be retired still holds (a grid by its code, a department by its
// id): the open statuses (domain.md).
inline constexpr const char* kOpenRequestsHeld =
    "SELECT COUNT(*) FROM tickets WHERE unit_id = $1 AND status IN ('received', 'dispatched', "
    "'claimed', 'returned', 'in_progress', 'escalated', 'whistled', 'replied', 'reopened')";
// The grid worker 网格员 shown for a grid: its current one while still an active grid worker
// there, else the longest-serving active grid worker scoped to it, else none.
inline constexpr const char* kGridWorkerRefresh =
    "UPDATE grids SET worker_user_id = w.id FROM (SELECT (SELECT u.id FROM users u, grids g "
    "WHERE g.code = $1 AND u.scope_code = g.code AND u.role = 'grid_worker' AND u.disabled = 0 "
    "ORDER BY CASE WHEN u.id = g.worker_user_id THEN 0 ELSE 1 END, u.id LIMIT 1) AS id) w "
    "WHERE grids.code = $1 AND grids.worker_user_id IS DISTINCT FROM w.id";
inline constexpr const char* kGridGet =
    "SELECT g.code, g.worker_user_id, g.households, g.residents, g.polygon, u.display_name, "
    "u.phone, g.retired_at FROM grids g LEFT JOIN users u ON u.id = g.worker_user_id "
    "WHERE g.code = $1";

// ---- units 部门/单位 ----
inline constexpr const char* kUnitInsert =
    "INSERT INTO units(name, kind, division_code) VALUES($1, $2, $3) "
    "ON CONFLICT(division_code, name) DO UPDATE SET kind = excluded.kind, retired_at = NULL "
    "RETURNING id";
inline constexpr const char* kUnitsOfDivision =
    "SELECT id, name, kind, division_code, retired_at FROM units WHERE division_code = $1 "
    "ORDER BY name";
inline constexpr const char* kUnitFind =
    "SELECT id, name, kind, division_code, retired_at FROM units WHERE division_code = $1 AND "
    "name = $2";
inline constexpr const char* kUnitGet =
    "SELECT id, name, kind, division_code, retired_at FROM units WHERE id = $1";
inline constexpr const char* kUnitList =
    "SELECT id, name, kind, division_code, retired_at FROM units WHERE division_code >= $1 "
    "AND division_code < $2 AND name LIKE $3 ORDER BY division_code, name LIMIT 200";
// A reform 机构改革 retires a unit (0027); the trigger of 0018 rebuilds the routing caches.
inline constexpr const char* kUnitRetire =
    "UPDATE units SET retired_at = $2 WHERE id = $1 AND retired_at IS NULL";
// The active staff of a unit about to be retired.
inline constexpr const char* kUnitStaff =
    "SELECT COUNT(*) FROM users WHERE unit_id = $1 AND disabled = 0";

// ---- users ----
inline constexpr const char* kUserColumns =
    "id, username, display_name, role, scope_code, unit_id, password_hash, phone, id_number, "
    "disabled, failed_logins, first_failed_at, locked_until, last_login_at, created_at, "
    "updated_at, email, language, must_change_password, password_issued_at";
inline constexpr const char* kUserInsert =
    "INSERT INTO users(username, display_name, role, scope_code, unit_id, password_hash, phone, "
    "id_number, disabled, created_at, updated_at, email, language, must_change_password, "
    "password_issued_at) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13, $14) "
    "RETURNING id";
inline constexpr const char* kUserUpdate =
    "UPDATE users SET display_name = $2, role = $3, scope_code = $4, unit_id = $5, "
    "password_hash = $6, phone = $7, id_number = $8, disabled = $9, failed_logins = $10, "
    "first_failed_at = $11, locked_until = $12, last_login_at = $13, updated_at = $14, "
    "email = $15, language = $16, must_change_password = $17, password_issued_at = $18 "
    "WHERE id = $1";
inline constexpr const char* kUserById =
    "SELECT id, username, display_name, role, scope_code, unit_id, password_hash, phone, "
    "id_number, disabled, failed_logins, first_failed_at, locked_until, last_login_at, "
    "created_at, updated_at, email, language, must_change_password, password_issued_at FROM users "
    "WHERE id = $1";
inline constexpr const char* kUserByName =
    "SELECT id, username, display_name, role, scope_code, unit_id, password_hash, phone, "
    "id_number, disabled, failed_logins, first_failed_at, locked_until, last_login_at, "
    "created_at, updated_at, email, language, must_change_password, password_issued_at FROM users "
    "WHERE username = $1";
// Users whose position lies inside a scope range (or whose unit does), filtered.
inline constexpr const char* kUserListWhere =
    " FROM users u LEFT JOIN units un ON un.id = u.unit_id "
    "WHERE ((u.scope_code >= $1 AND u.scope_code < $2) OR (un.division_code >= $1 AND "
    "un.division_code < $2)) AND (u.username LIKE $3 OR u.display_name LIKE $3) "
    "AND ($4 = '' OR u.role = $4)";
inline constexpr const char* kUserListSelect =
    "SELECT u.id, u.username, u.display_name, u.role, u.scope_code, u.unit_id, "
    "u.password_hash, u.phone, u.id_number, u.disabled, u.failed_logins, u.first_failed_at, "
    "u.locked_until, u.last_login_at, u.created_at, u.updated_at, u.email, u.language, "
    "u.must_change_password, u.password_issued_at";
inline constexpr const char* kUserCount = "SELECT COUNT(*) FROM users";
// The active users who have an e-mail and whose position holds a unit (as acts_for() in
// src/domain/requests/lifecycle.cpp, conservatively: a command centre's `command` users, not
// administrators): a department ($2 = units.id) by its `department` users' unit_id; a chain unit
// ($1 = its division code: county command centre, township platform, village committee, grid)
// by the users bound to that division with the level's role. Both branches are index probes on
// the partial indexes of migration 0014 (users_email_unit, users_email_scope).
inline constexpr const char* kUserEmailsForUnit =
    "SELECT u.id, u.email, u.language FROM users u WHERE u.unit_id = $2 AND u.role = 'department' "
    "AND u.email IS NOT NULL AND u.disabled = 0 "
    "UNION "
    "SELECT u.id, u.email, u.language FROM divisions d JOIN users u ON u.scope_code = d.code "
    "WHERE d.code = $1 AND u.email IS NOT NULL AND u.disabled = 0 AND u.role = CASE "
    "WHEN d.level <= 3 THEN 'command' WHEN d.level = 4 THEN 'township' "
    "WHEN d.level = 5 THEN 'village' ELSE 'grid_worker' END "
    "ORDER BY 1";

// ---- sessions ----
inline constexpr const char* kSessionInsert =
    "INSERT INTO sessions(token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, "
    "ip) VALUES($1, $2, $3, $4, $5, $6, $7)";
inline constexpr const char* kSessionGet =
    "SELECT token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip "
    "FROM sessions WHERE token_hash = $1";
inline constexpr const char* kSessionTouch =
    "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1";
inline constexpr const char* kSessionDelete = "DELETE FROM sessions WHERE token_hash = $1";
inline constexpr const char* kSessionDeleteForUser = "DELETE FROM sessions WHERE user_id = $1";
inline constexpr const char* kSessionPurge = "DELETE FROM sessions WHERE expires_at < $1";

// ---- audit log 审计日志 (append-only) ----
inline constexpr const char* kAuditInsert =
    "INSERT INTO audit_log(at, actor_id, actor_name, action, target_type, target_id, detail, "
    "ip, request_id, scope_code) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
inline constexpr const char* kAuditWhere =
    " FROM audit_log WHERE ($1 = '' OR actor_name = $1) AND ($2 = '' OR action = $2) "
    "AND at >= $3 AND at < $4 AND ((scope_code >= $5 AND scope_code < $6) OR scope_code = $7)";

// ---- settings ----
inline constexpr const char* kSettingGet = "SELECT value FROM settings WHERE key = $1";
inline constexpr const char* kSettingPut =
    "INSERT INTO settings(key, value) VALUES($1, $2) ON CONFLICT(key) DO UPDATE SET value = "
    "excluded.value";

}  // namespace gj::store::sql
