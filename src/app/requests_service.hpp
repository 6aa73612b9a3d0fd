// The citizen-request loop 民有所呼、我有所行 (接诉即办) as application use cases: intake with
// idempotency keys, routing down the command chain, actions through the lifecycle, scoped lists
// and details, citizen tracking, metrics from incremental counters, hot issues and the deadline
// scheduler. It composes the pure domain (src/domain/requests) with the store: every action is
// ONE write transaction holding the ticket update, its event, assignment, timers, metric
// counters and the audit entry. Plain C++ calls, so the JSON API and an Open311 adapter share it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/category_suggest.hpp"
#include "app/config_service.hpp"
#include "common/clock.hpp"
#include "domain/auth/roles.hpp"
#include "domain/requests/duplicates.hpp"
#include "domain/requests/lifecycle.hpp"
#include "domain/requests/metrics.hpp"
#include "domain/requests/router.hpp"
#include "store/repos/requests_repo.hpp"

namespace gj::app {

class App;

// Intake channels 受理渠道.
inline constexpr std::string_view kChannelCitizen = "citizen";    // app / web, anonymous + phone
inline constexpr std::string_view kChannelHotline = "hotline";    // 12345 operator
inline constexpr std::string_view kChannelGrid = "grid";          // a grid worker's own report
inline constexpr std::string_view kChannelTransfer = "transfer";  // a department passes one on

struct IntakeInput {
  std::string channel = "citizen";
  std::string county_code;  // citizens: required; staff: defaults to their county
  // request_categories.code, e.g. "0104"; empty: the classifier's suggestion when its confidence
  // reaches the threshold (the ticket's category is then marked suggested), else kMissingField.
  std::string category;
  std::string subject, text, address;
  std::optional<double> lat, lon;
  std::string name, phone;  // the requester (personal data)
  // Optional: the requester's e-mail for progress updates (personal data), and the language of
  // those updates (zh-CN | en; empty = zh-CN).
  std::string email, language;
  bool is_public = false;
  std::string idempotency_key;  // optional; same key + same body → same ticket
  // Runs inside the intake's own write transaction once the ticket id is known (a new ticket or
  // a replayed one), so what it writes commits with the intake: the citizen's attachment token.
  std::function<Status(store::Session&, int64_t ticket_id)> in_transaction;
};

// The requester's contact 诉求人联系方式 (personal data).
struct RequesterContact {
  std::string name, phone, email, language;
};

struct DuplicateView {
  store::TicketRow ticket;
  requests::DuplicateCandidate candidate;
};

struct TicketView {
  store::TicketRow row;  // requester name/phone already masked unless the view says otherwise
  requests::Ticket ticket;
  std::string category_name_zh, category_name_en;
};

struct TicketDetail {
  TicketView view;
  std::vector<store::TicketEventRow> events;
  std::vector<store::AssignmentRow> assignments;
  std::vector<store::TimerRow> timers;
  std::vector<requests::Action> available;  // for the caller, now
  // The classifier's suggestion 分类建议 made at intake (staff views only; none without a model).
  std::optional<CategorySuggestion> category_suggestion;
};

struct IntakeResult {
  TicketDetail detail;
  bool replayed = false;  // the idempotency key answered an earlier ticket
  std::vector<DuplicateView> duplicates;
};

struct ActionInput {
  std::string action;  // lifecycle action code: dispatch, claim, return, …
  std::string note;
  std::string target_unit_id;  // dispatch: a division code (chain unit) or a department id
  std::vector<std::string> department_ids;  // whistle
  std::string lead_unit_id;                 // whistle
  std::string merged_into;                  // merge: ticket id
  std::string rating;                       // rate: satisfied | fairly_satisfied | unsatisfied
  std::optional<bool> resolved;             // rate
  bool contacted = false;                   // claim: the requester was contacted
  std::optional<int64_t> supervise_due;     // supervise: epoch ms
  // Optional Idempotency-Key (a phone's offline outbox): the same key and body from the same
  // user answer the ticket as it is now without a second transition; another body is 409.
  std::string idempotency_key;
};

struct ListQuery {
  std::string status;
  bool mine = false;
  bool callback_due = false;  // the call-back queue 待回访: completed, call-back not ended
  bool deadline_order = false;
  int page = 1, page_size = 20;
};

// The handler's answer 答复 among a ticket's events: its latest `reply`, or null.
const store::TicketEventRow* latest_reply(const std::vector<store::TicketEventRow>& events);

// The public view of a ticket for the citizen holding its tracking code (no personal data).
struct TrackView {
  store::TicketRow row;
  requests::Ticket ticket;
  std::string category_name_zh, category_name_en;
  std::vector<store::TicketEventRow> events;  // actor names are dropped by the API
  // Where the requester's updates would go (kNotifyEmail, kNotifySms, kNotifyLog: nowhere),
  // read before the personal data is dropped; row.requester_updates_off says if they are off.
  std::string updates_channel;
  // A request merged 合并 into another: the case it joined (followed to the last survivor),
  // where its outcome is, with its events; no personal data.
  struct Joined {
    store::TicketRow row;
    std::vector<store::TicketEventRow> events;
  };
  std::optional<Joined> joined;
};

struct MetricRow {
  std::string code, name_zh, name_en;
  requests::MetricValue value;
};
struct UnitMetrics {
  std::string unit_id, name;
  std::vector<MetricRow> metrics;
  requests::Counters counters;
};
struct MetricsView {
  std::string area_code, area_name, from, to;  // periods "M2026-11"
  std::vector<MetricRow> area;
  requests::Counters counters;
  std::vector<UnitMetrics> units;
  // metric code → ranking of the units (rank_units).
  std::vector<std::pair<std::string, std::vector<requests::RankRow>>> rankings;
};

struct ScanReport {
  int claimed = 0, warnings = 0, escalations = 0, overdue = 0, skipped = 0;
};

class RequestsService {
 public:
  explicit RequestsService(App& app);
  ~RequestsService();

  // Intake 受理. An anonymous citizen is a Principal with user_id 0 (ip and request id set).
  Result<IntakeResult> submit(const auth::Principal& who, const IntakeInput& in);
  Result<store::Page<TicketView>> list(const auth::Principal& p, const ListQuery& q);
  Result<TicketDetail> get(const auth::Principal& p, int64_t id);
  Result<TicketDetail> act(const auth::Principal& p, int64_t id, const ActionInput& in);
  Result<std::vector<DuplicateView>> duplicates(const auth::Principal& p, int64_t id);
  // The counties this deployment serves on the ground, those with grids (public: the citizen
  // form picks one and opens its map there), each with its name and the centre of its grids.
  struct ServedCounty {
    std::string code, name;
    std::optional<requests::GeoPoint> centre;
  };
  Result<std::vector<ServedCounty>> served_counties();
  // A served county's grids for the location maps (public: the citizen form draws them under
  // the pin and says which grid a point lies in): code, name, the village/community it belongs
  // to and its boundary's parts. Unknown county (or one without grids) → kNotFound.
  struct MapGrid {
    std::string code, name, village_name;
    std::vector<requests::GridPart> parts;
  };
  Result<std::vector<MapGrid>> county_grids(const std::string& county_code);
  // Staff who may act on the ticket now set its category 改分类 (overriding a suggestion or a
  // citizen's choice): one write with the ticket, a "recategorize" event and the audit entry.
  Result<TicketDetail> change_category(const auth::Principal& p, int64_t id,
                                       const std::string& category, const std::string& note);
  // Intake uses a suggestion for a request without a category only at or above this confidence.
  void set_suggest_threshold(double t) { suggest_threshold_ = t; }
  double suggest_threshold() const { return suggest_threshold_; }
  CategorySuggester& suggester() { return suggester_; }
  // The requester's contact in full, for the unit holding the ticket (to call back) or a role
  // that may read personal data; audited (pii.read) in the same transaction as the read.
  Result<RequesterContact> read_requester(const auth::Principal& p, int64_t id);
  Result<std::vector<store::CategoryRow>> categories();
  Result<std::vector<requests::HotIssue>> hot(const auth::Principal& p, int days);
  // `area` empty: the caller's scope; periods are YYYY-MM (empty: this month).
  Result<MetricsView> metrics(const auth::Principal& p, const std::string& area,
                              const std::string& from, const std::string& to);

  // Citizen side 群众查询: by tracking code; rating needs the phone's last 4 digits.
  Result<TrackView> track(const std::string& code);
  Result<TrackView> rate_by_citizen(const std::string& code, const std::string& phone_last4,
                                    const std::string& rating, std::optional<bool> resolved,
                                    const std::string& note);

  // Citizen-initiated 重办 after completion when unsatisfied: wrong digits kForbidden; not
  // completed, or rated satisfied and resolved, kIllegalTransition; `reason` is required.
  Result<TrackView> reopen_by_citizen(const std::string& code, const std::string& phone_last4,
                                      const std::string& reason, const std::string& ip = {},
                                      const std::string& request_id = {});

  // The requester says their request is the same as a published similar one 关注已有诉求 (the
  // intake answer offered it): recorded on their ticket as a citizen event for staff to merge;
  // nothing else changes. `other_id` must be a published request of the same county, not this
  // one (kInvalidInput otherwise); wrong digits kForbidden.
  Result<TrackView> same_as_by_citizen(const std::string& code, const std::string& phone_last4,
                                       int64_t other_id, const std::string& ip = {},
                                       const std::string& request_id = {});

  // The requester turns their SMS / e-mail progress updates off (or on again) 关闭进度通知: no
  // message goes to them for this request while off; the tracking page still shows every step.
  // Wrong digits kForbidden; audited (request.citizen_updates) when it changes anything.
  Result<TrackView> updates_by_citizen(const std::string& code, const std::string& phone_last4,
                                       bool enabled, const std::string& ip = {},
                                       const std::string& request_id = {});

  // Public views for other adapters (Open311 GeoReport v2): tickets the requester agreed to
  // publish (`public`), without personal data; anything else is kNotFound.
  Result<store::Page<TrackView>> list_public(const std::string& county_code,
                                             const std::string& status, int page, int page_size);
  Result<TrackView> get_public(int64_t id);
  // Open311 GET /requests: public tickets of a county in one indexed query (no events loaded).
  // `ids` non-empty: those tickets, in the order asked (repeats repeated, unknown ones left out),
  // every other filter ignored. Otherwise received in [from_ms, to_ms], category in
  // `categories` (empty: any), Open311 status open and/or closed, newest first, at most `limit`.
  struct PublicQuery {
    std::string county_code;
    std::vector<int64_t> ids;
    std::vector<std::string> categories;
    bool open = true, closed = true;
    int64_t from_ms = 0, to_ms = 0;
    int limit = 1000;
  };
  Result<std::vector<TrackView>> search_public(const PublicQuery& q);

  // The deadline scheduler: claims due timers and applies warnings, escalations and overdue
  // flags, each batch in the write transaction that moves the timers (so each fires once).
  Result<ScanReport> run_due_timers(TimePoint now, int batch = 100);

  // Drops the routing cache (grids or units changed through another path).
  void invalidate_routing();
  // The configuration (categories, matrix, tiers, holidays) is reloaded when the store's config
  // version changes, checked at most once per interval (app/config_service.hpp); an edit on this
  // node calls config_changed() so the next call checks at once.
  void config_changed() { config_watch_.force(); }
  void set_config_check_interval(std::chrono::milliseconds i) { config_watch_.set_interval(i); }

  struct Config;
  struct CountySnapshot;

 private:
  // `s`: inside a transaction, read through it (never a second connection from the pool).
  Result<std::shared_ptr<const Config>> config(store::Session* s = nullptr);
  // The county's hierarchy and router; rebuilt when its grids or units change. `s`: load
  // through this session (inside a transaction) instead of a new read.
  Result<std::shared_ptr<const CountySnapshot>> county(const std::string& county_code,
                                                       store::Session* s = nullptr);

  // `published_only`: for an anonymous submitter, who is shown only requests their requesters
  // published 公开 (what Open311 lists too): another citizen's unpublished request (its subject,
  // how far away) is not theirs to read. The search itself is restricted, nothing is filtered
  // afterwards.
  Result<std::vector<DuplicateView>> find_duplicates(store::Session& s, const store::TicketRow& row,
                                                     const Config& cfg,
                                                     bool published_only = false);

  // A change the requester makes by tracking code 查询码 (rating, 重办): checks the code's and
  // digits' form, then `check` (the action's own input), then in one write locks the ticket,
  // matches the phone's last 4 digits and hands `apply` what a transition needs; then answers
  // the tracking view.
  struct CitizenStep;
  Result<TrackView> by_citizen(const std::string& code, const std::string& phone_last4,
                               const std::function<Status()>& check,
                               const std::function<Status(CitizenStep&)>& apply);

  App& app_;
  std::mutex mu_;
  std::shared_ptr<const Config> config_;
  int64_t config_version_ = -1;  // the config_version config_ was read at
  ConfigWatch config_watch_;
  std::map<std::string, std::shared_ptr<const CountySnapshot>> counties_;
  CategorySuggester suggester_;
  double suggest_threshold_ = CategorySuggester::kDefaultThreshold;
};

}  // namespace gj::app
