#include "api/requests_api.hpp"
#include "api/session.hpp"

#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>

#include "app/attachments.hpp"
#include "app/notify_service.hpp"
#include "app/requests_service.hpp"
#include "common/clock.hpp"
#include "common/log.hpp"
#include "http/body.hpp"

namespace gj::api {

using http::Request;
using http::Response;
using nlohmann::json;
namespace rq = gj::requests;

namespace {

json iso_or_null(const std::optional<int64_t>& v) {
  return v ? json(format_iso8601(*v)) : json(nullptr);
}

Result<int64_t> id_param(const Request& req) {
  auto v = req.param("id");
  if (v.empty() || v.size() > 18) return make_error(ErrorCode::kNotFound);
  for (char c : v)
    if (c < '0' || c > '9') return make_error(ErrorCode::kNotFound);
  return std::stoll(std::string(v));
}

std::string str_param(const Request& req, std::string_view name) {
  auto v = req.query_param(name);
  return v ? std::string(*v) : std::string();
}

int int_param(const Request& req, std::string_view name, int fallback, int lo, int hi) {
  auto v = req.query_param(name);
  if (!v || v->empty()) return fallback;
  try {
    return std::clamp(std::stoi(std::string(*v)), lo, hi);
  } catch (...) {
    return fallback;
  }
}

json status_json(const std::string& code, Lang lang) {
  auto s = rq::parse_status(code);
  return {{"code", code},
          {"name", s.ok() ? std::string(rq::status_name(*s, lang)) : code},
          {"open311", s.ok() ? std::string(rq::open311_code(*s)) : "open"}};
}

json ticket_json(const app::TicketView& v, Lang lang) {
  const auto& r = v.row;
  const auto& t = v.ticket;
  return {{"id", r.id},
          {"tracking_code", r.code},
          {"status", r.status},
          {"status_name", status_json(r.status, lang)["name"]},
          {"channel", r.channel},
          {"county_code", r.county_code},
          {"category", r.category},
          {"category_name", lang == Lang::kZh ? v.category_name_zh : v.category_name_en},
          {"subject", r.subject},
          {"text", r.body},
          {"location", r.lat && r.lon ? json{{"lat", *r.lat}, {"lon", *r.lon}} : json(nullptr)},
          {"address", r.address},
          {"grid_code", r.grid_code},
          {"holder",
           {{"unit_id", r.unit_id},
            {"type", r.unit_type},
            {"name", r.unit_name},
            {"division_code", r.division_code},
            {"level", r.level}}},
          {"sla_tier", r.sla_tier},
          {"response_due", iso_or_null(r.response_due)},
          {"resolution_due", iso_or_null(r.resolution_due)},
          {"overdue", t.overdue},
          {"supervised", t.supervised},
          {"reopen_count", r.reopen_count},
          {"escalation_count", t.escalation_count},
          // 回访未接通: unreached satisfaction calls, and whether the call-back ended unreached
          {"callback_attempts", t.callback_attempts},
          {"callback_ended", rq::callback_ended_unreached(t)},
          {"merged_into", r.merged_into},
          {"rating", t.rating ? json(rq::rating_code(*t.rating)) : json(nullptr)},
          {"requester",
           {{"name", r.requester_name},
            {"phone", r.requester_phone},
            {"email", r.requester_email},
            {"language", r.requester_language}}},
          {"public", r.is_public},
          {"manual_dispatch", r.manual_dispatch},
          {"created_at", format_iso8601(r.created_at)},
          {"updated_at", format_iso8601(r.updated_at)}};
}

json events_json(const std::vector<store::TicketEventRow>& events, bool with_actor) {
  json a = json::array();
  for (const auto& e : events) {
    json j = {{"at", format_iso8601(e.at)},
              {"action", e.action},
              {"from", e.from_status},
              {"to", e.to_status},
              {"unit_name", e.unit_name}};
    if (with_actor) {
      j["id"] = e.id;
      j["actor"] = e.actor_name;
      j["actor_role"] = e.actor_role;
      j["unit_id"] = e.unit_id;
      j["note"] = e.note;
    }
    a.push_back(std::move(j));
  }
  return a;
}

json detail_json(const app::TicketDetail& d, Lang lang) {
  json j = ticket_json(d.view, lang);
  j["events"] = events_json(d.events, true);
  json as = json::array();
  for (const auto& a : d.assignments)
    as.push_back({{"kind", a.kind},
                  {"from_unit_id", a.from_unit_id},
                  {"to_unit_id", a.to_unit_id},
                  {"to_unit_name", a.to_unit_name},
                  {"at", format_iso8601(a.at)},
                  {"reason", a.reason}});
  j["assignments"] = as;
  json tm = json::array();
  for (const auto& t : d.timers)
    tm.push_back({{"kind", t.kind},
                  {"unit_id", t.unit_id},
                  {"tier", t.tier},
                  {"warn_at", format_iso8601(t.warn_at)},
                  {"due_at", format_iso8601(t.due_at)},
                  {"state", t.state}});
  j["timers"] = tm;
  j["route"] = {{"explanation", lang == Lang::kZh ? d.view.row.route_zh : d.view.row.route_en},
                {"manual_dispatch", d.view.row.manual_dispatch}};
  json acts = json::array();
  for (auto a : d.available) acts.push_back(rq::action_code(a));
  j["available_actions"] = acts;
  // 分类建议: the classifier's top categories with confidence (null without a model). `applied`:
  // intake set the ticket's category from it (the category is "suggested", not chosen).
  if (d.category_suggestion && !d.category_suggestion->top.empty()) {
    const auto& sg = *d.category_suggestion;
    auto one = [&](const app::ScoredCategory& c) {
      return json{{"code", c.code},
                  {"name", lang == Lang::kZh ? c.name_zh : c.name_en},
                  {"confidence", c.confidence}};
    };
    json j_sg = one(sg.top.front());
    json alts = json::array();
    for (size_t i = 1; i < sg.top.size(); ++i) alts.push_back(one(sg.top[i]));
    j_sg["alternatives"] = alts;
    j_sg["applied"] = sg.applied;
    j_sg["model_version"] = sg.model_version;
    j["category_suggestion"] = j_sg;
    j["category_source"] =
        sg.applied && d.view.row.category == sg.top.front().code ? "suggested" : "chosen";
  } else {
    j["category_suggestion"] = nullptr;
    j["category_source"] = "chosen";
  }
  return j;
}

json duplicates_json(const std::vector<app::DuplicateView>& ds, Lang lang) {
  json a = json::array();
  for (const auto& d : ds)
    a.push_back(
        {{"id", d.ticket.id},
         {"subject", d.ticket.subject},
         {"status", d.ticket.status},
         {"created_at", format_iso8601(d.ticket.created_at)},
         {"score", d.candidate.score},
         {"text_similarity", d.candidate.text_similarity},
         {"distance_m", d.candidate.distance_m ? json(*d.candidate.distance_m) : json(nullptr)},
         {"reasons", lang == Lang::kZh ? d.candidate.reasons_zh : d.candidate.reasons_en}});
  return a;
}

// The handler's answer 答复 to the citizen: the note of the latest reply (no staff names).
json reply_json(const std::vector<store::TicketEventRow>& events) {
  const auto* e = app::latest_reply(events);
  if (!e) return nullptr;
  return {{"text", e->note}, {"at", format_iso8601(e->at)}, {"unit_name", e->unit_name}};
}

// How the requester hears of progress, without the address: "email", "sms" or null (no e-mail
// and no mobile), and whether they left it on.
json updates_json(const app::TrackView& v) {
  const auto& channel = v.updates_channel;
  return {
      {"channel", channel.empty() || channel == app::kNotifyLog ? json(nullptr) : json(channel)},
      {"enabled", !v.row.requester_updates_off}};
}

json track_json(const app::TrackView& v, Lang lang) {
  const auto& r = v.row;
  json reply = reply_json(v.events);
  // Merged 已合并: where the case this request joined stands; its outcome is this requester's.
  json joined = nullptr;
  if (v.joined) {
    const auto& j = v.joined->row;
    joined = {{"status", j.status},
              {"status_name", status_json(j.status, lang)["name"]},
              {"handled_by", j.unit_name},
              {"expected_at", iso_or_null(j.resolution_due)},
              {"reply", reply_json(v.joined->events)},
              {"updated_at", format_iso8601(j.updated_at)},
              {"events", events_json(v.joined->events, false)}};
  }
  return {{"tracking_code", r.code},
          {"joined", joined},
          {"reply", reply},
          {"status", r.status},
          {"status_name", status_json(r.status, lang)["name"]},
          {"category", r.category},
          {"category_name", lang == Lang::kZh ? v.category_name_zh : v.category_name_en},
          {"subject", r.subject},
          {"handled_by", r.unit_name},
          {"expected_at", iso_or_null(r.resolution_due)},
          {"rating", v.ticket.rating ? json(rq::rating_code(*v.ticket.rating)) : json(nullptr)},
          {"created_at", format_iso8601(r.created_at)},
          {"updated_at", format_iso8601(r.updated_at)},
          {"events", events_json(v.events, false)},
          {"updates", updates_json(v)}};
}

json metric_rows_json(const std::vector<app::MetricRow>& rows, Lang lang) {
  json a = json::array();
  for (const auto& m : rows)
    a.push_back({{"code", m.code},
                 {"name", lang == Lang::kZh ? m.name_zh : m.name_en},
                 {"numerator", m.value.numerator},
                 {"denominator", m.value.denominator},
                 {"value", m.value.value ? json(*m.value.value) : json(nullptr)}});
  return a;
}

Response intake(app::App& app, Request& req, const auth::Principal& who) {
  auto body = http::parse_json_object(req.body);
  if (!body.ok()) return http::error(body.error(), req);
  http::JsonFields f(*body);
  app::IntakeInput in;
  auto channel = f.optional_enum("channel", {"citizen", "hotline", "grid", "transfer"});
  if (!channel.ok()) return http::error(channel.error(), req);
  if (*channel) in.channel = **channel;
  auto county = f.optional_string("county_code", 12);
  if (!county.ok()) return http::error(county.error(), req);
  in.county_code = county->value_or("");
  // Optional: without it the classifier's suggestion is used when confident enough.
  auto category = f.optional_string("category", 32);
  if (!category.ok()) return http::error(category.error(), req);
  in.category = category->value_or("");
  auto subject = f.required_string("subject", 100);
  if (!subject.ok()) return http::error(subject.error(), req);
  in.subject = *subject;
  auto text = f.required_string("text", 4000);
  if (!text.ok()) return http::error(text.error(), req);
  in.text = *text;
  auto address = f.optional_string("address", 200);
  if (!address.ok()) return http::error(address.error(), req);
  in.address = address->value_or("");
  auto name = f.optional_string("name", 64);
  if (!name.ok()) return http::error(name.error(), req);
  in.name = name->value_or("");
  auto phone = f.optional_string("phone", 20);
  if (!phone.ok()) return http::error(phone.error(), req);
  in.phone = phone->value_or("");
  auto email = f.optional_string("email", 254);
  if (!email.ok()) return http::error(email.error(), req);
  in.email = email->value_or("");
  // The language of the requester's updates: given, else (citizens filing themselves) the
  // language they are reading the form in; staff entering a call leave it to zh-CN.
  auto language = f.optional_enum("language", {"zh-CN", "en"});
  if (!language.ok()) return http::error(language.error(), req);
  if (*language)
    in.language = **language;
  else if (in.channel == "citizen")
    in.language = req.lang() == Lang::kEn ? "en" : "zh-CN";
  auto pub = f.optional_bool("public");
  if (!pub.ok()) return http::error(pub.error(), req);
  in.is_public = pub->value_or(false);
  auto at = f.optional_lat_lon();
  if (!at.ok()) return http::error(at.error(), req);
  in.lat = at->lat;
  in.lon = at->lon;
  in.idempotency_key = std::string(req.headers.get_or("Idempotency-Key"));
  // The citizen's photo upload token 附件凭证 (24 h, this ticket only; only its hash is kept) is
  // written in the intake's own transaction: an acknowledged intake always has its token, and
  // intake costs one commit. A replayed intake gets a fresh token (the first one is not kept).
  std::optional<app::AttachmentToken> token;
  if (who.user_id == 0) {
    token = app::AttachmentsService::new_token(app);
    in.in_transaction = [&token](store::Session& s, int64_t ticket_id) {
      return app::AttachmentsService::store_token(s, *token, ticket_id);
    };
  }
  auto r = app.requests().submit(who, in);
  if (!r.ok()) return http::error(r.error(), req);
  Lang lang = req.lang();
  json out = {{"request", detail_json(r->detail, lang)},
              {"tracking_code", r->detail.view.row.code},
              {"replayed", r->replayed},
              {"duplicates", duplicates_json(r->duplicates, lang)}};
  if (token) {
    out["attachment_token"] = token->token;
    out["attachment_token_expires_at"] = format_iso8601(token->expires_at);
  }
  auto res = http::json(r->replayed ? 200 : 201, out);
  res.headers.set("Location", "/api/v1/requests/" + std::to_string(r->detail.view.row.id));
  return res;
}

}  // namespace

Result<bool> callback_filter(const Request& req) {
  auto v = req.query_param("callback");
  if (!v || v->empty()) return false;
  if (*v == "due") return true;
  return make_error(ErrorCode::kInvalidInput, "callback=due or nothing", "callback");
}

void register_requests_routes(http::Router& router, app::App& app, const ApiConfig&) {
  http::RouteOptions open;
  open.public_access = true;
  open.body_limit = 16 * 1024;
  http::RouteOptions open_small;
  open_small.public_access = true;
  open_small.body_limit = 4 * 1024;
  http::RouteOptions body16;
  body16.body_limit = 16 * 1024;

  // Intake: anonymous citizens (no session, no CSRF) or signed-in staff (session + CSRF).
  router.add(
      "POST", "/api/v1/requests",
      [&app](Request& req) -> Response {
        std::string token = session_token(req);
        if (!token.empty()) {
          auto who = app.authenticate(token, req.remote_address, req.request_id);
          if (who.ok()) {
            if (req.headers.get_or("X-CSRF-Token") != who->second)
              return http::error(make_error(ErrorCode::kCsrf), req);
            return intake(app, req, who->first);
          }
        }
        auth::Principal citizen;
        citizen.role = auth::Role::kCitizen;
        citizen.ip = req.remote_address;
        citizen.request_id = req.request_id;
        return intake(app, req, citizen);
      },
      open);

  router.add(
      "GET", "/api/v1/requests", authed(app, [&app](Request& req, auth::Principal& p) {
        app::ListQuery q;
        q.status = str_param(req, "status");
        q.mine = str_param(req, "mine") == "1" || str_param(req, "mine") == "true";
        auto callback = callback_filter(req);
        if (!callback.ok()) return http::error(callback.error(), req);
        q.callback_due = *callback;
        q.deadline_order = str_param(req, "order") == "deadline";
        q.page = int_param(req, "page", 1, 1, 1'000'000);
        q.page_size = int_param(req, "page_size", 20, 1, 200);
        auto r = app.requests().list(p, q);
        if (!r.ok()) return http::error(r.error(), req);
        json items = json::array();
        for (const auto& v : r->items) items.push_back(ticket_json(v, req.lang()));
        return http::json(
            200,
            {{"items", items}, {"total", r->total}, {"page", q.page}, {"page_size", q.page_size}});
      }));

  // Literal paths before /requests/{id}: the first matching route wins.
  router.add("GET", "/api/v1/requests/hot", authed(app, [&app](Request& req, auth::Principal& p) {
               auto r = app.requests().hot(p, int_param(req, "days", 30, 1, 366));
               if (!r.ok()) return http::error(r.error(), req);
               json items = json::array();
               for (const auto& h : *r)
                 items.push_back(
                     {{"label", h.label},
                      {"category", h.category},
                      {"centre", h.centre ? json{{"lat", h.centre->lat}, {"lon", h.centre->lon}}
                                          : json(nullptr)},
                      {"request_ids", h.request_ids},
                      {"count_current", h.count_current},
                      {"count_previous", h.count_previous},
                      {"trend", h.trend},
                      {"trend_code", h.trend_code}});
               return http::json(200, {{"items", items}});
             }));

  router.add("GET", "/api/v1/requests/{id}", authed(app, [&app](Request& req, auth::Principal& p) {
               auto id = id_param(req);
               if (!id.ok()) return http::error(id.error(), req);
               auto r = app.requests().get(p, *id);
               if (!r.ok()) return http::error(r.error(), req);
               return http::json(200, detail_json(*r, req.lang()));
             }));

  router.add(
      "POST", "/api/v1/requests/{id}/actions/{action}",
      authed(app,
             [&app](Request& req, auth::Principal& p) {
               auto id = id_param(req);
               if (!id.ok()) return http::error(id.error(), req);
               app::ActionInput in;
               in.action = std::string(req.param("action"));
               in.idempotency_key = std::string(req.headers.get_or("Idempotency-Key"));
               json empty = json::object();
               Result<json> parsed = empty;
               if (!req.body.empty()) parsed = http::parse_json_object(req.body);
               if (!parsed.ok()) return http::error(parsed.error(), req);
               http::JsonFields f(*parsed);
               auto note = f.optional_string("note", 4000);
               if (!note.ok()) return http::error(note.error(), req);
               in.note = note->value_or("");
               auto target = f.optional_string("target_unit_id", 20);
               if (!target.ok()) return http::error(target.error(), req);
               in.target_unit_id = target->value_or("");
               auto lead = f.optional_string("lead_unit_id", 20);
               if (!lead.ok()) return http::error(lead.error(), req);
               in.lead_unit_id = lead->value_or("");
               auto merged = f.optional_string("merged_into", 20);
               if (!merged.ok()) return http::error(merged.error(), req);
               in.merged_into = merged->value_or("");
               auto rating =
                   f.optional_enum("rating", {"satisfied", "fairly_satisfied", "unsatisfied"});
               if (!rating.ok()) return http::error(rating.error(), req);
               in.rating = rating->value_or("");
               auto resolved = f.optional_bool("resolved");
               if (!resolved.ok()) return http::error(resolved.error(), req);
               in.resolved = *resolved;
               auto contacted = f.optional_bool("contacted");
               if (!contacted.ok()) return http::error(contacted.error(), req);
               in.contacted = contacted->value_or(false);
               auto due = f.optional_string("due", 40);
               if (!due.ok()) return http::error(due.error(), req);
               if (*due) {
                 int64_t t = 0;
                 if (!parse_iso8601(**due, t))
                   return http::error(make_error(ErrorCode::kInvalidInput, "ISO 8601", "due"), req);
                 in.supervise_due = t;
               }
               auto deps = parsed->find("department_ids");
               if (deps != parsed->end() && !deps->is_null()) {
                 if (!deps->is_array() || deps->size() > 20)
                   return http::error(
                       make_error(ErrorCode::kWrongType, "array of unit ids", "department_ids"),
                       req);
                 for (const auto& d : *deps) {
                   if (!d.is_string())
                     return http::error(
                         make_error(ErrorCode::kWrongType, "array of unit ids", "department_ids"),
                         req);
                   in.department_ids.push_back(d.get<std::string>());
                 }
               }
               auto r = app.requests().act(p, *id, in);
               if (!r.ok()) return http::error(r.error(), req);
               return http::json(200, detail_json(*r, req.lang()));
             }),
      body16);

  // Staff holding the ticket change its category 改分类 (audited, a "recategorize" event).
  router.add("POST", "/api/v1/requests/{id}/category",
             authed(app,
                    [&app](Request& req, auth::Principal& p) {
                      auto id = id_param(req);
                      if (!id.ok()) return http::error(id.error(), req);
                      auto parsed = http::parse_json_object(req.body);
                      if (!parsed.ok()) return http::error(parsed.error(), req);
                      http::JsonFields f(*parsed);
                      auto category = f.required_string("category", 32);
                      if (!category.ok()) return http::error(category.error(), req);
                      auto note = f.optional_string("note", 4000);
                      if (!note.ok()) return http::error(note.error(), req);
                      auto r =
                          app.requests().change_category(p, *id, *category, note->value_or(""));
                      if (!r.ok()) return http::error(r.error(), req);
                      return http::json(200, detail_json(*r, req.lang()));
                    }),
             body16);

  router.add("GET", "/api/v1/requests/{id}/duplicates",
             authed(app, [&app](Request& req, auth::Principal& p) {
               auto id = id_param(req);
               if (!id.ok()) return http::error(id.error(), req);
               auto r = app.requests().duplicates(p, *id);
               if (!r.ok()) return http::error(r.error(), req);
               return http::json(200, {{"items", duplicates_json(*r, req.lang())}});
             }));

  router.add("GET", "/api/v1/requests/{id}/requester",
             authed(app, [&app](Request& req, auth::Principal& p) {
               auto id = id_param(req);
               if (!id.ok()) return http::error(id.error(), req);
               auto r = app.requests().read_requester(p, *id);
               if (!r.ok()) return http::error(r.error(), req);
               return http::json(200, {{"name", r->name},
                                       {"phone", r->phone},
                                       {"email", r->email},
                                       {"language", r->language}});
             }));

  // Citizen tracking 查询: public, no personal data.
  router.add(
      "GET", "/api/v1/track/{code}",
      [&app](Request& req) -> Response {
        auto r = app.requests().track(std::string(req.param("code")));
        if (!r.ok()) return http::error(r.error(), req);
        return http::json(200, track_json(*r, req.lang()));
      },
      open);

  // The requester's own steps by tracking code (rating, 关注已有诉求, 重办): a JSON body with
  // the phone's last 4 digits, the step's own fields read by `step`, the tracking view back.
  using CitizenStep = std::function<Result<app::TrackView>(
      Request&, const json&, http::JsonFields&, const std::string& code, const std::string& last4)>;
  auto citizen_step = [&router, open_small](const char* path, CitizenStep step) {
    router.add(
        "POST", path,
        [step](Request& req) -> Response {
          auto body = http::parse_json_object(req.body);
          if (!body.ok()) return http::error(body.error(), req);
          http::JsonFields f(*body);
          auto last4 = f.required_string("phone_last4", 4);
          if (!last4.ok()) return http::error(last4.error(), req);
          auto r = step(req, *body, f, std::string(req.param("code")), *last4);
          if (!r.ok()) return http::error(r.error(), req);
          return http::json(200, track_json(*r, req.lang()));
        },
        open_small);
  };

  citizen_step(
      "/api/v1/track/{code}/rate",
      [&app](Request&, const json&, http::JsonFields& f, const std::string& code,
             const std::string& last4) -> Result<app::TrackView> {
        auto rating = f.required_enum("rating", {"satisfied", "fairly_satisfied", "unsatisfied"});
        if (!rating.ok()) return rating.error();
        auto resolved = f.optional_bool("resolved");
        if (!resolved.ok()) return resolved.error();
        auto note = f.optional_string("note", 4000);
        if (!note.ok()) return note.error();
        return app.requests().rate_by_citizen(code, last4, *rating, *resolved, note->value_or(""));
      });

  // 关注已有诉求: the requester says their new request is the same as a published one the
  // intake answer offered; recorded for staff to merge.
  citizen_step("/api/v1/track/{code}/same-as",
               [&app](Request& req, const json& body, http::JsonFields&, const std::string& code,
                      const std::string& last4) -> Result<app::TrackView> {
                 auto other = body.find("ticket_id");
                 if (other == body.end() || !other->is_number_integer())
                   return make_error(ErrorCode::kInvalidInput, "an integer", "ticket_id");
                 return app.requests().same_as_by_citizen(code, last4, other->get<int64_t>(),
                                                          req.remote_address, req.request_id);
               });

  // 进度通知开关: the requester turns their SMS / e-mail updates off or on again.
  citizen_step("/api/v1/track/{code}/updates",
               [&app](Request& req, const json&, http::JsonFields& f, const std::string& code,
                      const std::string& last4) -> Result<app::TrackView> {
                 auto enabled = f.required_bool("enabled");
                 if (!enabled.ok()) return enabled.error();
                 return app.requests().updates_by_citizen(code, last4, *enabled, req.remote_address,
                                                          req.request_id);
               });

  // Citizen-initiated 重办: an unsatisfied requester asks for the case to be handled again.
  citizen_step("/api/v1/track/{code}/reopen",
               [&app](Request& req, const json&, http::JsonFields& f, const std::string& code,
                      const std::string& last4) -> Result<app::TrackView> {
                 auto reason = f.required_string("reason", 4000);
                 if (!reason.ok()) return reason.error();
                 return app.requests().reopen_by_citizen(code, last4, *reason, req.remote_address,
                                                         req.request_id);
               });

  router.add(
      "GET", "/api/v1/categories",
      [&app](Request& req) -> Response {
        auto r = app.requests().categories();
        if (!r.ok()) return http::error(r.error(), req);
        json items = json::array();
        for (const auto& c : *r)
          items.push_back({{"code", c.code},
                           {"parent_code", c.parent_code},
                           {"name", req.lang() == Lang::kZh ? c.name_zh : c.name_en},
                           {"name_zh", c.name_zh},
                           {"name_en", c.name_en},
                           {"sla_tier", c.sla_tier}});
        return http::json(200, {{"items", items}});
      },
      open);

  // The counties served (public): code, name and where a map of each opens.
  router.add(
      "GET", "/api/v1/counties",
      [&app](Request& req) -> Response {
        auto r = app.requests().served_counties();
        if (!r.ok()) return http::error(r.error(), req);
        json items = json::array();
        for (const auto& c : *r)
          items.push_back(
              {{"code", c.code},
               {"name", c.name},
               {"centre",
                c.centre ? json{{"lat", c.centre->lat}, {"lon", c.centre->lon}} : json(nullptr)}});
        return http::json(200, {{"items", items}});
      },
      open);

  // A served county's grids as GeoJSON (public), for the location maps: outlines to place a pin
  // by, and which grid (and village/community) a pin lies in. Coordinates to 1e-5° (~1 m).
  router.add(
      "GET", "/api/v1/counties/{code}/grids",
      [&app](Request& req) -> Response {
        auto r = app.requests().county_grids(std::string(req.param("code")));
        if (!r.ok()) return http::error(r.error(), req);
        auto round5 = [](double v) { return std::round(v * 1e5) / 1e5; };
        json features = json::array();
        auto ring = [&](const std::vector<rq::GeoPoint>& pts) {
          json out = json::array();
          for (const auto& p : pts) out.push_back({round5(p.lon), round5(p.lat)});
          return out;
        };
        for (const auto& g : *r) {
          json polygons = json::array();  // each part: its outer ring, then its holes
          for (const auto& part : g.parts) {
            json rings = json::array({ring(part.outer)});
            for (const auto& hole : part.holes) rings.push_back(ring(hole));
            polygons.push_back(std::move(rings));
          }
          json geometry = polygons.size() == 1
                              ? json{{"type", "Polygon"}, {"coordinates", polygons[0]}}
                              : json{{"type", "MultiPolygon"}, {"coordinates", polygons}};
          features.push_back(
              {{"type", "Feature"},
               {"properties", {{"code", g.code}, {"name", g.name}, {"village", g.village_name}}},
               {"geometry", std::move(geometry)}});
        }
        auto res = http::json(200, {{"type", "FeatureCollection"}, {"features", features}});
        res.headers.set("Cache-Control", "public, max-age=300");
        return res;
      },
      open);

  router.add("GET", "/api/v1/metrics", authed(app, [&app](Request& req, auth::Principal& p) {
               auto r = app.requests().metrics(p, str_param(req, "area"), str_param(req, "from"),
                                               str_param(req, "to"));
               if (!r.ok()) return http::error(r.error(), req);
               Lang lang = req.lang();
               json units = json::array();
               for (const auto& u : r->units)
                 units.push_back({{"unit_id", u.unit_id},
                                  {"name", u.name},
                                  {"metrics", metric_rows_json(u.metrics, lang)}});
               json rankings = json::object();
               for (const auto& [code, rows] : r->rankings) {
                 json a = json::array();
                 for (const auto& x : rows)
                   a.push_back({{"unit_id", x.id},
                                {"rank", x.rank},
                                {"value", x.value.value ? json(*x.value.value) : json(nullptr)}});
                 rankings[code] = a;
               }
               json counters = json::object();
               for (const auto& [k, n] : r->counters) counters[k] = n;
               return http::json(200, {{"area", {{"code", r->area_code}, {"name", r->area_name}}},
                                       {"from", r->from.substr(1)},
                                       {"to", r->to.substr(1)},
                                       {"metrics", metric_rows_json(r->area, lang)},
                                       {"counters", counters},
                                       {"units", units},
                                       {"rankings", rankings}});
             }));
}

}  // namespace gj::api
