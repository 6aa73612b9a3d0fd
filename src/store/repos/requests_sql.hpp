// SQL of the citizen-request loop 接诉即办 (style.md §3), portable between SQLite 3.40 and
// PostgreSQL 15 except where a constant says it is for one backend. Schema:
// src/store/migrations/<backend>/0002_requests.sql.
#pragma once

namespace gj::store::sql {

// ---- tickets 工单 ----
inline constexpr const char* kTicketColumns =
    "t.id, t.code, t.county_code, t.channel, t.category, t.subject, t.body, t.lat, t.lon, "
    "t.address, t.grid_code, t.division_code, t.unit_id, t.unit_type, t.unit_name, t.level, "
    "t.status, t.sla_tier, t.response_due, t.resolution_due, t.merged_into, t.reopen_count, "
    "t.requester_name, t.requester_phone, t.is_public, t.manual_dispatch, t.route_zh, t.route_en, "
    "t.state, t.created_by, t.created_at, t.updated_at, t.requester_email, t.requester_language, "
    "t.requester_updates_off, t.callback_ended";
inline constexpr const char* kTicketInsert =
    "INSERT INTO tickets(code, county_code, channel, category, subject, body, lat, lon, address, "
    "grid_code, division_code, unit_id, unit_type, unit_name, level, status, sla_tier, "
    "response_due, resolution_due, merged_into, reopen_count, requester_name, requester_phone, "
    "is_public, manual_dispatch, route_zh, route_en, state, created_by, created_at, updated_at, "
    "requester_email, requester_language) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
    "$12, "
    "$13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, "
    "$31, "
    "$32, $33) RETURNING id";
// What a transition may change.
inline constexpr const char* kTicketUpdate =
    "UPDATE tickets SET division_code = $2, unit_id = $3, unit_type = $4, unit_name = $5, "
    "level = $6, status = $7, sla_tier = $8, response_due = $9, resolution_due = $10, "
    "merged_into = $11, reopen_count = $12, state = $13, updated_at = $14, callback_ended = $15 "
    "WHERE id = $1";
inline constexpr const char* kTicketUpdatesOff =
    "UPDATE tickets SET requester_updates_off = $2 WHERE id = $1";
inline constexpr const char* kTicketById = " FROM tickets t WHERE t.id = $1";
inline constexpr const char* kTicketByCode = " FROM tickets t WHERE t.code = $1";
// Loading a ticket to change it: PostgreSQL nodes lock the row so two nodes cannot apply two
// transitions to the same state; SQLite's single writer already serialises them.
inline constexpr const char* kTicketByIdForUpdatePostgres =
    " FROM tickets t WHERE t.id = $1 FOR UPDATE";
inline constexpr const char* kTicketByCodeForUpdatePostgres =
    " FROM tickets t WHERE t.code = $1 FOR UPDATE";
// Visibility: held by a unit in the scope range [$1, $2), or ever assigned into it.
inline constexpr const char* kTicketScopeWhere =
    " FROM tickets t WHERE ((t.division_code >= $1 AND t.division_code < $2) OR EXISTS (SELECT 1 "
    "FROM assignments a WHERE a.ticket_id = t.id AND a.to_division >= $1 AND a.to_division < $2)) "
    "AND ($3 = '' OR t.status = $3) AND ($4 = '' OR t.unit_id = $4)";
// Visibility for a department 部门: what is or was sent to it ($1 = unit id; $2 unused). Its own
// queue ($4, "mine") also holds a joint case it is summoned to while the case is whistled 吹哨.
inline constexpr const char* kTicketUnitWhere =
    " FROM tickets t WHERE (t.unit_id = $1 OR EXISTS (SELECT 1 FROM assignments a WHERE "
    "a.ticket_id = t.id AND a.to_unit_id = $1)) AND $2 = '' AND ($3 = '' OR t.status = $3) "
    "AND ($4 = '' OR t.unit_id = $4 OR (t.status = 'whistled' AND EXISTS (SELECT 1 FROM "
    "assignments w WHERE w.ticket_id = t.id AND w.kind = 'whistle' AND w.to_unit_id = $4)))";
// Appended to either visibility clause: the command centre's call-back queue 待回访 ($5 = 1) is
// what is completed, or being called back and not yet ended unreached (0026).
inline constexpr const char* kTicketCallbackDue =
    " AND ($5 = 0 OR t.status = 'completed' OR (t.status = 'callback' AND t.callback_ended = 0))";
inline constexpr const char* kTicketOrderNewest = " ORDER BY t.id DESC LIMIT $6 OFFSET $7";
// Deadline order 按时限排序: the nearest limit first (resolution, else response), none last.
inline constexpr const char* kTicketOrderDeadline =
    " ORDER BY COALESCE(t.resolution_due, t.response_due, 9000000000000000000), t.id "
    "LIMIT $6 OFFSET $7";
inline constexpr const char* kTicketVisibleToDivision =
    "SELECT COUNT(*) FROM assignments a WHERE a.ticket_id = $1 AND a.to_division >= $2 AND "
    "a.to_division < $3";
inline constexpr const char* kTicketVisibleToUnit =
    "SELECT COUNT(*) FROM assignments a WHERE a.ticket_id = $1 AND a.to_unit_id = $2";
// Duplicate preselection: recent tickets of the county in a lat/lon box or the same grid, the
// 50 newest (the finder builds a text profile per candidate: dozens, not hundreds).
// Two index searches joined by UNION (same grid: tickets_grid_created; nearby box:
// tickets_place), so the cost follows the neighbourhood, not the county's whole month: the OR
// form walked every recent ticket of the county (bench/README.md, "Requests"). Each branch
// keeps only its own 51 newest (one may be the excluded ticket): the grid search then walks its
// index backwards and stops, so a busy grid's month of history is not read per intake. `|| ''`
// keeps SQLite from choosing the county index for the box search. Both indexes also hold created_at
// and county_code (migration 0011), so neither search reads a table row it then rejects.
inline constexpr const char* kTicketNearby =
    " FROM tickets t WHERE t.id IN ("
    "SELECT id FROM (SELECT g.id FROM tickets g WHERE g.grid_code = $8 AND $8 <> '' AND "
    "g.created_at >= $3 AND g.county_code = $1 ORDER BY g.created_at DESC LIMIT 51) AS gq "
    "UNION SELECT id FROM (SELECT b.id FROM tickets b WHERE b.lat >= $4 AND b.lat <= $5 AND "
    "b.lon >= $6 AND b.lon <= $7 AND b.created_at >= $3 AND b.county_code || '' = $1 "
    "ORDER BY b.id DESC LIMIT 51) AS bq) "
    "AND t.id <> $2 ORDER BY t.id DESC LIMIT 50";
// The same for an anonymous submitter, who is shown published requests only: both searches run
// on the partial indexes of migration 0015 (is_public = 1 lets the planner use them).
inline constexpr const char* kTicketNearbyPublic =
    " FROM tickets t WHERE t.id IN ("
    "SELECT id FROM (SELECT g.id FROM tickets g WHERE g.grid_code = $8 AND $8 <> '' AND "
    "g.is_public = 1 AND g.created_at >= $3 AND g.county_code = $1 "
    "ORDER BY g.created_at DESC LIMIT 51) AS gq "
    "UNION SELECT id FROM (SELECT b.id FROM tickets b WHERE b.is_public = 1 AND b.lat >= $4 AND "
    "b.lat <= $5 AND b.lon >= $6 AND b.lon <= $7 AND b.created_at >= $3 AND "
    "b.county_code || '' = $1 ORDER BY b.id DESC LIMIT 51) AS bq) "
    "AND t.id <> $2 ORDER BY t.id DESC LIMIT 50";
// What duplicate ranking reads of each candidate (tickets::nearby_summaries).
inline constexpr const char* kTicketSummaryColumns =
    "SELECT t.id, t.category, t.subject, t.body, t.lat, t.lon, t.grid_code, t.status, "
    "t.created_at";
// Hot issues: tickets held or received in a scope since a time.
inline constexpr const char* kTicketRecentInScope =
    " FROM tickets t WHERE t.division_code >= $1 AND t.division_code < $2 AND t.created_at >= $3 "
    "ORDER BY t.id LIMIT 5000";

// Public tickets 公开诉求 of a county (for Open311's public list), newest first.
inline constexpr const char* kTicketPublicWhere =
    " FROM tickets t WHERE t.is_public = 1 AND t.county_code = $1 AND ($2 = '' OR t.status = $2)";
inline constexpr const char* kTicketPublicOrder = " ORDER BY t.id DESC LIMIT $3 OFFSET $4";
// Open311 GET /requests: the repository appends the filters (created_at range, category and
// status lists as $n placeholders). Newest first along tickets_public (county_code, created_at,
// id) WHERE is_public = 1 (migration 0011), so LIMIT stops the index walk early.
inline constexpr const char* kTicketPublicSearch =
    " FROM tickets t WHERE t.is_public = 1 AND t.county_code = $1";
inline constexpr const char* kTicketPublicSearchOrder =
    " ORDER BY t.created_at DESC, t.id DESC LIMIT $";

// ---- ticket_events 流转记录 (append-only) ----
inline constexpr const char* kEventInsert =
    "INSERT INTO ticket_events(ticket_id, at, actor_id, actor_name, actor_role, action, "
    "from_status, to_status, unit_id, unit_name, note) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, "
    "$10, $11) RETURNING id";
inline constexpr const char* kEventList =
    "SELECT id, ticket_id, at, actor_id, actor_name, actor_role, action, from_status, to_status, "
    "unit_id, unit_name, note FROM ticket_events WHERE ticket_id = $1 ORDER BY id";

// ---- assignments 派单记录 ----
inline constexpr const char* kAssignmentInsert =
    "INSERT INTO assignments(ticket_id, kind, from_unit_id, to_unit_id, to_unit_name, "
    "to_division, at, reason) VALUES($1, $2, $3, $4, $5, $6, $7, $8)";
inline constexpr const char* kAssignmentList =
    "SELECT id, ticket_id, kind, from_unit_id, to_unit_id, to_unit_name, to_division, at, reason "
    "FROM assignments WHERE ticket_id = $1 ORDER BY id";

// ---- timers 时限计时 ----
inline constexpr const char* kTimerColumns =
    "id, ticket_id, kind, level, unit, unit_id, tier, started_at, warn_at, due_at, state";
inline constexpr const char* kTimerInsert =
    "INSERT INTO timers(ticket_id, kind, level, unit, unit_id, tier, started_at, warn_at, due_at, "
    "state) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";
inline constexpr const char* kTimerCancelKind =
    "UPDATE timers SET state = 'cancelled' WHERE ticket_id = $1 AND kind = $2 AND state IN "
    "('pending', 'warned')";
inline constexpr const char* kTimerListForTicket =
    "SELECT id, ticket_id, kind, level, unit, unit_id, tier, started_at, warn_at, due_at, state "
    "FROM timers WHERE ticket_id = $1 ORDER BY id";
// Forward-only move: only from the state the scanner saw.
inline constexpr const char* kTimerAdvance =
    "UPDATE timers SET state = $2 WHERE id = $1 AND state = $3";
// Claiming live timers whose warning time has come. SQLite has one writer, so the write
// transaction alone makes the claim exclusive; PostgreSQL nodes skip rows another node holds.
inline constexpr const char* kTimerClaimDueSqlite =
    "SELECT id, ticket_id, kind, level, unit, unit_id, tier, started_at, warn_at, due_at, state "
    "FROM timers WHERE state IN ('pending', 'warned') AND warn_at <= $1 AND (state = 'pending' "
    "OR due_at <= $1) ORDER BY due_at, id "
    "LIMIT $2";
inline constexpr const char* kTimerClaimDuePostgres =
    "SELECT id, ticket_id, kind, level, unit, unit_id, tier, started_at, warn_at, due_at, state "
    "FROM timers WHERE state IN ('pending', 'warned') AND warn_at <= $1 AND (state = 'pending' "
    "OR due_at <= $1) ORDER BY due_at, id "
    "LIMIT $2 FOR UPDATE SKIP LOCKED";

// Is anything due? (a plain read, before taking the writer)
inline constexpr const char* kTimerAnyDue =
    "SELECT COUNT(*) FROM (SELECT id FROM timers WHERE state IN ('pending', 'warned') AND "
    "warn_at <= $1 AND (state = 'pending' OR due_at <= $1) LIMIT 1) d";

// ---- idempotency keys ----
inline constexpr const char* kIdempotencyGet =
    "SELECT key, body_hash, ticket_id FROM idempotency_keys WHERE key = $1";
inline constexpr const char* kIdempotencyInsert =
    "INSERT INTO idempotency_keys(key, body_hash, ticket_id, created_at) VALUES($1, $2, $3, $4)";

// ---- metric counters 考核指标计数 (insert-or-add: additions commute) ----
inline constexpr const char* kCounterAdd =
    "INSERT INTO metric_counters(scope, ref_id, period, part, value) VALUES($1, $2, $3, $4, $5) "
    "ON CONFLICT(scope, ref_id, period, part) DO UPDATE SET value = metric_counters.value + "
    "excluded.value";
// The same for many rows: kCounterAddMany + "($1, …, $5), ($6, …)" + kCounterAddManyTail.
inline constexpr const char* kCounterAddMany =
    "INSERT INTO metric_counters(scope, ref_id, period, part, value) VALUES ";
inline constexpr const char* kCounterAddManyTail =
    " ON CONFLICT(scope, ref_id, period, part) DO UPDATE SET value = metric_counters.value + "
    "excluded.value";
// PostgreSQL: each node's writer adds to its own shard of a key (migration 0021; the shard
// column defaults to the session's write shard), so nodes do not queue on a county's rows.
inline constexpr const char* kCounterAddPostgres =
    "INSERT INTO metric_counters(scope, ref_id, period, part, value) VALUES($1, $2, $3, $4, $5) "
    "ON CONFLICT(scope, ref_id, period, part, shard) DO UPDATE SET value = metric_counters.value "
    "+ excluded.value";
inline constexpr const char* kCounterAddManyTailPostgres =
    " ON CONFLICT(scope, ref_id, period, part, shard) DO UPDATE SET value = "
    "metric_counters.value + excluded.value";
// Parts of one id summed over a period range [$3, $4] (same-granularity keys sort in order).
inline constexpr const char* kCounterSum =
    "SELECT part, SUM(value) FROM metric_counters WHERE scope = $1 AND ref_id = $2 AND "
    "period >= $3 AND period <= $4 GROUP BY part";
// Every id of a scope inside a code range, summed over a period range.
inline constexpr const char* kCounterSumByRef =
    "SELECT ref_id, part, SUM(value) FROM metric_counters WHERE scope = $1 AND ref_id >= $2 AND "
    "ref_id < $3 AND period >= $4 AND period <= $5 GROUP BY ref_id, part ORDER BY ref_id";

// ---- configuration ----
inline constexpr const char* kCategoryList =
    "SELECT code, parent_code, name_zh, name_en, sla_tier, unit_type FROM request_categories "
    "ORDER BY code";
inline constexpr const char* kMatrixList =
    "SELECT category, unit_type, level, sla_tier, version FROM responsibility_matrix ORDER BY "
    "category";
inline constexpr const char* kSlaTierList =
    "SELECT code, name_zh, name_en, response_amount, response_unit, resolution_amount, "
    "resolution_unit, warn_fraction, warn_minutes, is_default FROM sla_tiers ORDER BY code";
inline constexpr const char* kHolidayList = "SELECT day, kind FROM holiday_calendar ORDER BY day";

// ---- the hierarchy as routing sees it ----
inline constexpr const char* kDivisionsInRange =
    "SELECT code, parent_code, name, level FROM divisions WHERE code >= $1 AND code < $2 "
    "ORDER BY code";
// Grids in use: a retired one (0023) routes nothing.
inline constexpr const char* kGridsInRange =
    "SELECT g.code, g.polygon FROM grids g WHERE g.code >= $1 AND g.code < $2 AND "
    "g.retired_at IS NULL ORDER BY g.code";
// Changes when grids (any: a trigger bumps grids_version) or the county's units change: the
// routing cache is rebuilt then.
inline constexpr const char* kRoutingSignature =
    "SELECT (SELECT COALESCE(MAX(value), '') FROM settings WHERE key = 'grids_version'), "
    "(SELECT COUNT(*) FROM units WHERE division_code >= $1 AND division_code < $2), "
    "(SELECT COALESCE(MAX(id), 0) FROM units WHERE division_code >= $1 AND division_code < $2), "
    "(SELECT COUNT(*) FROM divisions WHERE code >= $1 AND code < $2)";
inline constexpr const char* kUnitsInRange =
    "SELECT id, name, kind, division_code, retired_at FROM units WHERE division_code >= $1 AND "
    "division_code < $2 ORDER BY id";

}  // namespace gj::store::sql
