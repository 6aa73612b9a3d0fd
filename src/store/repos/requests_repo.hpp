// Repositories of the citizen-request loop 接诉即办: tickets, their events, assignments, timers,
// idempotency keys, metric counters and the routing/SLA configuration, as typed functions over
// a Session (they run inside the caller's transaction, like repos.hpp).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/db.hpp"
#include "store/repos/repos.hpp"

namespace gj::store {

struct TicketRow {
  int64_t id = 0;
  std::string code, county_code, channel, category, subject, body;
  std::optional<double> lat, lon;
  std::string address, grid_code;
  std::string division_code, unit_id, unit_type, unit_name;  // the current holder
  int level = 3;
  std::string status, sla_tier;
  std::optional<int64_t> response_due, resolution_due;
  std::string merged_into;
  int reopen_count = 0;
  std::string requester_name, requester_phone;  // personal data
  std::string requester_email;                  // personal data; optional (migration 0020)
  std::string requester_language = "zh-CN";     // the requester's updates: zh-CN | en
  bool requester_updates_off = false;           // they turned SMS / e-mail updates off (0025)
  bool callback_ended = false;  // the call-back 回访 ended unreached 未接通 (0026)
  bool is_public = false, manual_dispatch = false;
  std::string route_zh, route_en;
  std::string state;  // the lifecycle Ticket as JSON
  std::optional<int64_t> created_by;
  int64_t created_at = 0, updated_at = 0;
};

struct TicketEventRow {
  int64_t id = 0, ticket_id = 0, at = 0;
  std::optional<int64_t> actor_id;
  std::string actor_name, actor_role, action, from_status, to_status, unit_id, unit_name, note;
};

struct AssignmentRow {
  int64_t id = 0, ticket_id = 0;
  std::string kind, from_unit_id, to_unit_id, to_unit_name, to_division;
  int64_t at = 0;
  std::string reason;
};

struct TimerRow {
  int64_t id = 0, ticket_id = 0;
  std::string kind;  // response | resolution
  int level = 0;
  std::string unit;  // UnitRef JSON
  std::string unit_id, tier;
  int64_t started_at = 0, warn_at = 0, due_at = 0;
  std::string state;  // pending | warned | fired | cancelled
};

struct TicketFilter {
  // Exactly one of: a scope code (division range) or a department unit id.
  std::string scope_code;
  std::string unit_id;
  std::string status;         // "" = any
  std::string holder;         // "" = any; else only tickets held by this unit id ("mine")
  bool callback_due = false;  // only the call-back queue 待回访 (completed, call-back not ended)
  bool deadline_order = false;
  int page = 1, page_size = 20;
};

struct CategoryRow {
  std::string code, parent_code, name_zh, name_en, sla_tier, unit_type;
};
struct MatrixRow {
  std::string category, unit_type;
  int level = 6;
  std::string sla_tier, version;
};
struct SlaTierRow {
  std::string code, name_zh, name_en;
  int64_t response_amount = 0;
  std::string response_unit;
  int64_t resolution_amount = 0;
  std::string resolution_unit;
  double warn_fraction = 0;
  int64_t warn_minutes = 0;
  bool is_default = false;
};

namespace tickets {
Result<int64_t> insert(Session& s, const TicketRow& t);
Status update(Session& s, const TicketRow& t);
// The requester's own switch for SMS / e-mail updates (migration 0025).
Status set_updates_off(Session& s, int64_t id, bool off);
Result<TicketRow> get(Session& s, int64_t id);
Result<TicketRow> by_code(Session& s, const std::string& code);
// The same, locking the row for this transaction on PostgreSQL (before a transition).
Result<TicketRow> get_for_update(Session& s, Backend backend, int64_t id);
Result<TicketRow> by_code_for_update(Session& s, Backend backend, const std::string& code);
Result<Page<TicketRow>> list(Session& s, const TicketFilter& f);
// Tickets the requester agreed to publish, of one county.
Result<Page<TicketRow>> list_public(Session& s, const std::string& county,
                                    const std::string& status, int page, int page_size);
// Open311 GET /requests 公开诉求查询: public tickets of a county in one indexed query
// (migration 0011, tickets_public). `ids` non-empty: those tickets only, every other filter
// ignored (the spec's service_request_id), in no particular order. Otherwise created_at in
// [from, to], category in `categories` (empty: any), status in `statuses` (or, with
// `exclude_statuses`, not in them; empty: any), newest first, at most `limit`.
struct PublicSearch {
  std::string county;
  std::vector<int64_t> ids;
  std::vector<std::string> categories;
  std::vector<std::string> statuses;
  bool exclude_statuses = false;
  int64_t from = 0, to = 0;
  int limit = 1000;
};
Result<std::vector<TicketRow>> search_public(Session& s, const PublicSearch& q);
// Was the ticket ever assigned into the scope range / to the unit?
Result<bool> assigned_into_scope(Session& s, int64_t id, const std::string& scope_code);
Result<bool> assigned_to_unit(Session& s, int64_t id, const std::string& unit_id);
// Duplicate preselection: recent tickets of a county in a box or the same grid.
Result<std::vector<TicketRow>> nearby(Session& s, const std::string& county, int64_t exclude_id,
                                      int64_t since, double min_lat, double max_lat, double min_lon,
                                      double max_lon, const std::string& grid_code);
// The same preselection with only what duplicate ranking reads (id, category, subject, body,
// lat, lon, grid_code, status, created_at; other fields left default): intake runs it on every
// request, and the full rows (state JSON, routing texts) of 50 candidates cost more than the
// search. Fetch the full rows of the few that rank. `published_only`: requests whose requesters
// published them (is_public), what an anonymous submitter may be shown.
Result<std::vector<TicketRow>> nearby_summaries(Session& s, const std::string& county,
                                                int64_t exclude_id, int64_t since, double min_lat,
                                                double max_lat, double min_lon, double max_lon,
                                                const std::string& grid_code,
                                                bool published_only = false);
// Tickets received since `since`, held inside a scope (hot issues).
Result<std::vector<TicketRow>> recent_in_scope(Session& s, const std::string& scope_code,
                                               int64_t since);
}  // namespace tickets

namespace ticket_events {
Result<int64_t> append(Session& s, const TicketEventRow& e);  // the new event's id
Result<std::vector<TicketEventRow>> list(Session& s, int64_t ticket_id);
}  // namespace ticket_events

namespace assignments {
Status append(Session& s, const AssignmentRow& a);
Result<std::vector<AssignmentRow>> list(Session& s, int64_t ticket_id);
}  // namespace assignments

namespace timers {
Result<int64_t> insert(Session& s, const TimerRow& t);
Status cancel_kind(Session& s, int64_t ticket_id, const std::string& kind);
Result<std::vector<TimerRow>> for_ticket(Session& s, int64_t ticket_id);
// Live timers whose warning time has come, locked for this transaction on PostgreSQL
// (SKIP LOCKED: another node's claimed rows are left to it).
Result<std::vector<TimerRow>> claim_due(Session& s, Backend backend, int64_t now, int limit);
// Whether claim_due would find anything (a plain read).
Result<bool> any_due(Session& s, int64_t now);
// Moves a timer forward only from `from`; false when someone else moved it first.
Result<bool> advance(Session& s, int64_t id, const std::string& from, const std::string& to);
}  // namespace timers

namespace idempotency {
// (body_hash, ticket_id) for a key, or kNotFound.
Result<std::pair<std::string, int64_t>> get(Session& s, const std::string& key);
Status put(Session& s, const std::string& key, const std::string& body_hash, int64_t ticket_id,
           int64_t now);
}  // namespace idempotency

namespace counters {
Status add(Session& s, const std::string& scope, const std::string& ref_id,
           const std::string& period, const std::string& part, int64_t delta);
struct CounterDelta {
  std::string scope, ref_id, period, part;
  int64_t delta = 0;
};
// Several additions in one statement (a transition adds a dozen or more): merged per key first,
// since PostgreSQL's ON CONFLICT may not touch one row twice in a statement (a key summing to
// zero still gets its row, as add() would have made it).
Status add_all(Session& s, const std::vector<CounterDelta>& deltas);
// part → sum over periods [from, to] (same granularity prefix, e.g. M2026-01 … M2026-11).
Result<std::vector<std::pair<std::string, int64_t>>> sum(Session& s, const std::string& scope,
                                                         const std::string& ref_id,
                                                         const std::string& from,
                                                         const std::string& to);
struct RefPart {
  std::string ref_id, part;
  int64_t value = 0;
};
// Every id of a scope inside the code range of `scope_code`.
Result<std::vector<RefPart>> sum_by_ref(Session& s, const std::string& scope,
                                        const std::string& scope_code, const std::string& from,
                                        const std::string& to);
}  // namespace counters

namespace request_config {
Result<std::vector<CategoryRow>> categories(Session& s);
Result<std::vector<MatrixRow>> matrix(Session& s);
Result<std::vector<SlaTierRow>> sla_tiers(Session& s);
Result<std::vector<std::pair<std::string, std::string>>> holidays(Session& s);
// The hierarchy of one county as routing needs it.
Result<std::vector<std::vector<std::string>>> divisions_in(Session& s,
                                                           const std::string& scope_code);
Result<std::vector<std::pair<std::string, std::string>>> grids_in(Session& s,
                                                                  const std::string& scope_code);
Result<std::vector<UnitRow>> units_in(Session& s, const std::string& scope_code);
Result<std::string> routing_signature(Session& s, const std::string& scope_code);
}  // namespace request_config

}  // namespace gj::store
