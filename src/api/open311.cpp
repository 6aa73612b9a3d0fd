#include "api/open311.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/apikeys.hpp"
#include "app/requests_service.hpp"
#include "common/clock.hpp"
#include "common/text.hpp"
#include "domain/auth/passwords.hpp"
#include "domain/requests/status.hpp"
#include "http/body.hpp"
#include "store/repos/apikey_repo.hpp"

namespace gj::api {
namespace {

using http::Request;
using http::Response;
using ojson = nlohmann::ordered_json;
namespace rq = gj::requests;

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr int64_t kMaxRangeMs = 90 * kDayMs;  // GET /requests: range ≤ 90 days
constexpr size_t kMaxListed = 1000;           // … or the first 1,000 requests
constexpr size_t kMaxDescription = 4000;
constexpr const char* kChangeset = "2026-11-28T00:00:00+08:00";

enum class Format { kJson, kXml };

// "requests.json" → ("requests", kJson). Every Open311 path ends in .json or .xml.
std::optional<std::pair<std::string, Format>> split_format(std::string_view file) {
  auto dot = file.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  std::string_view ext = file.substr(dot + 1);
  Format f;
  if (ext == "json")
    f = Format::kJson;
  else if (ext == "xml")
    f = Format::kXml;
  else
    return std::nullopt;
  return std::make_pair(std::string(file.substr(0, dot)), f);
}

// ---------------------------------------------------------------- XML by hand

// Text content: markup characters escaped; characters XML 1.0 forbids (C0 controls other than
// tab, LF, CR) dropped, since stored text may hold them and a parser would reject the document.
void xml_escape(std::string_view s, std::string& out) {
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') break;
        out += c;
    }
  }
}

// The element name of one item of a list named `plural` (endpoints → endpoint).
std::string singular(const std::string& plural) {
  if (plural == "service_requests") return "request";
  if (plural == "attributes") return "attribute";
  if (!plural.empty() && plural.back() == 's') return plural.substr(0, plural.size() - 1);
  return plural + "_item";
}

void to_xml(const std::string& name, const ojson& v, std::string& out) {
  out += '<' + name + '>';
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) to_xml(it.key(), it.value(), out);
  } else if (v.is_array()) {
    const std::string item = singular(name);
    for (const auto& e : v) to_xml(item, e, out);
  } else if (v.is_string()) {
    xml_escape(v.get_ref<const std::string&>(), out);
  } else if (!v.is_null()) {
    out += v.dump();  // numbers and booleans
  }
  out += "</" + name + '>';
}

// One answer in the asked format: JSON as is, XML under `root` (a list's items named by
// singular(root)).
Response render(int status, Format f, const std::string& root, const ojson& body) {
  if (f == Format::kJson) return Response(status, body.dump(), "application/json; charset=utf-8");
  std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
  to_xml(root, body, out);
  out += '\n';
  return Response(status, std::move(out), "text/xml; charset=utf-8");
}

// The spec's error list: [{"code":403,"description":"…"}] or <errors><error>…</error></errors>.
Response o311_error(Format f, int status, const std::string& description) {
  ojson e = ojson::array();
  e.push_back({{"code", status}, {"description", description}});
  return render(status, f, "errors", e);
}

// Our catalogue error → Open311: 404 unknown resource, 403 api_key, 400 anything else (server
// faults keep their 5xx: they are not the client's).
Response o311_error(Format f, const Error& err) {
  int status = 400;
  if (err.code == ErrorCode::kNotFound) status = 404;
  if (err.code == ErrorCode::kForbidden) status = 403;
  if (error_info(err.code).http_status >= 500) status = error_info(err.code).http_status;
  std::string d = err.message(Lang::kEn);
  if (!err.field.empty()) d += " (" + err.field + ")";
  if (!err.detail.empty()) d += ": " + err.detail;
  return o311_error(f, status, d);
}

std::string param(const http::Params& p, std::string_view name) {
  auto it = p.find(name);
  return it == p.end() ? std::string() : it->second;
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t c = s.find(',', pos);
    if (c == std::string::npos) c = s.size();
    std::string v = trim(std::string_view(s).substr(pos, c - pos));
    if (!v.empty()) out.push_back(v);
    pos = c + 1;
  }
  return out;
}

std::optional<double> parse_number(const std::string& s) {
  if (s.empty() || s.size() > 32) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (errno != 0 || end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// "No HTML" (spec, description): a '<' that opens a tag, comment or declaration.
bool has_markup(std::string_view s) {
  for (size_t i = 0; i + 1 < s.size(); ++i)
    if (s[i] == '<' && (std::isalpha(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '/' ||
                        s[i + 1] == '!' || s[i + 1] == '?'))
      return true;
  return false;
}

// The first `n` characters (not bytes) of UTF-8 text.
std::string utf8_prefix(const std::string& s, size_t n) {
  size_t chars = 0, i = 0;
  while (i < s.size() && chars < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    ++chars;
  }
  return s.substr(0, std::min(i, s.size()));
}

// ---------------------------------------------------------------- jurisdiction, services

// The county 县 answering: jurisdiction_id when given (it must be a county in the store),
// otherwise the only county (single-jurisdiction server, as the spec allows).
Result<std::string> jurisdiction(app::App& app, const std::string& given) {
  auto codes = app.db().read_value<std::vector<std::string>>(
      [](store::Session& s) { return store::jurisdictions::county_codes(s); });
  if (!codes.ok()) return codes.error();
  if (!given.empty()) {
    if (std::find(codes->begin(), codes->end(), given) == codes->end())
      return make_error(ErrorCode::kNotFound, "unknown jurisdiction_id", "jurisdiction_id");
    return given;
  }
  if (codes->size() == 1) return codes->front();
  if (codes->empty()) return make_error(ErrorCode::kNotFound, "no jurisdiction configured");
  return make_error(ErrorCode::kMissingField, "this server has several counties",
                    "jurisdiction_id");
}

struct Service {
  store::CategoryRow row;
  std::string group_zh, group_en;
};

// Services are the leaves of the category tree 诉求分类 (L2 under an L1 group).
Result<std::vector<Service>> services(app::App& app) {
  auto cats = app.requests().categories();
  if (!cats.ok()) return cats.error();
  std::set<std::string> parents;
  for (const auto& c : *cats)
    if (!c.parent_code.empty()) parents.insert(c.parent_code);
  std::vector<Service> out;
  for (const auto& c : *cats) {
    if (parents.count(c.code)) continue;
    Service s;
    s.row = c;
    for (const auto& p : *cats)
      if (p.code == c.parent_code) {
        s.group_zh = p.name_zh;
        s.group_en = p.name_en;
      }
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(),
            [](const Service& a, const Service& b) { return a.row.code < b.row.code; });
  return out;
}

ojson service_json(const Service& s, Lang lang) {
  const bool zh = lang == Lang::kZh;
  return {{"service_code", s.row.code},
          {"service_name", zh ? s.row.name_zh : s.row.name_en},
          {"description", zh ? s.row.name_zh : s.row.name_en},
          {"metadata", false},  // no extra attributes: GET /services/{code} answers 404
          {"type", "realtime"},
          {"keywords", s.row.name_zh + "," + s.row.name_en},
          {"group", zh ? s.group_zh : s.group_en}};
}

// ---------------------------------------------------------------- requests

// A public ticket as a GeoReport request: never the requester's name, phone or e-mail, nor
// staff names or notes.
ojson request_json(const app::TrackView& v, Lang lang) {
  const auto& r = v.row;
  std::string status = "open", notes;
  auto st = rq::parse_status(r.status);
  if (st.ok()) {
    status = std::string(rq::open311_code(*st));
    notes = std::string(rq::status_name(*st, lang));
  }
  // Our status name, plus who holds it now; staff notes stay out (they may name people, and
  // the citizen tracking page does not show them either).
  if (!r.unit_name.empty())
    notes += (lang == Lang::kZh ? "（" : " (") + r.unit_name + (lang == Lang::kZh ? "）" : ")");
  auto opt_num = [](const std::optional<double>& d) { return d ? ojson(*d) : ojson(nullptr); };
  return {{"service_request_id", std::to_string(r.id)},
          {"status", status},
          {"status_notes", notes},
          {"service_name", lang == Lang::kZh ? v.category_name_zh : v.category_name_en},
          {"service_code", r.category},
          {"description", r.body},
          {"agency_responsible", r.unit_name},
          {"service_notice", ""},
          {"requested_datetime", format_iso8601(r.created_at)},
          {"updated_datetime", format_iso8601(r.updated_at)},
          {"expected_datetime",
           r.resolution_due ? ojson(format_iso8601(*r.resolution_due)) : ojson(nullptr)},
          {"address", r.address},
          {"address_id", ""},
          {"zipcode", ""},
          {"lat", opt_num(r.lat)},
          {"long", opt_num(r.lon)},
          {"media_url", ""}};
}

Response list_requests(app::App& app, Request& req, Format f) {
  const Lang lang = req.lang();
  auto county = jurisdiction(app, std::string(req.query_param("jurisdiction_id").value_or("")));
  if (!county.ok()) return o311_error(f, county.error());
  ojson out = ojson::array();

  // service_request_id overrides every other parameter.
  if (auto ids = req.query_param("service_request_id"); ids && !ids->empty()) {
    app::RequestsService::PublicQuery q;
    q.county_code = *county;
    q.limit = static_cast<int>(kMaxListed);
    for (const auto& s : split_list(std::string(*ids))) {
      if (q.ids.size() >= kMaxListed) break;
      if (s.size() > 18 ||
          !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        continue;
      q.ids.push_back(std::stoll(s));
    }
    if (!q.ids.empty()) {
      auto found = app.requests().search_public(q);
      if (!found.ok()) return o311_error(f, found.error());
      for (const auto& v : *found) out.push_back(request_json(v, lang));
    }
    return render(200, f, "service_requests", out);
  }

  app::RequestsService::PublicQuery q;
  q.county_code = *county;
  q.limit = static_cast<int>(kMaxListed);
  std::set<std::string> codes;
  for (const auto& c : split_list(std::string(req.query_param("service_code").value_or(""))))
    if (codes.insert(c).second) q.categories.push_back(c);
  bool want_open = false, want_closed = false;
  auto statuses = split_list(std::string(req.query_param("status").value_or("")));
  for (const auto& s : statuses) {
    if (s == "open")
      want_open = true;
    else if (s == "closed")
      want_closed = true;
    else
      return o311_error(f, 400, "status must be open, closed or both (open,closed)");
  }
  if (statuses.empty()) want_open = want_closed = true;

  std::optional<int64_t> start, end;
  for (auto [name, slot] : {std::pair{"start_date", &start}, std::pair{"end_date", &end}}) {
    auto v = req.query_param(name);
    if (!v || v->empty()) continue;
    int64_t ms = 0;
    if (!parse_iso8601(std::string(*v), ms))
      return o311_error(f, 400,
                        std::string(name) +
                            " must be a W3C date with a zone, e.g. "
                            "2026-11-01T00:00:00+08:00");
    *slot = ms;
  }
  const int64_t now = app.clock().now_ms();
  if (start && end && *end < *start) return o311_error(f, 400, "end_date is before start_date");
  if (start && end && *end - *start > kMaxRangeMs)
    return o311_error(f, 400, "the date range may span at most 90 days");
  if (!start && !end) {
    end = now;
    start = now - kMaxRangeMs;
  } else if (!start) {
    start = *end - kMaxRangeMs;
  } else if (!end) {
    end = *start + kMaxRangeMs;
  }

  // Every filter the spec names in one indexed query (newest first, at most kMaxListed).
  q.open = want_open;
  q.closed = want_closed;
  q.from_ms = *start;
  q.to_ms = *end;
  auto found = app.requests().search_public(q);
  if (!found.ok()) return o311_error(f, found.error());
  for (const auto& v : *found) out.push_back(request_json(v, lang));
  return render(200, f, "service_requests", out);
}

Response post_request(app::App& app, Request& req, Format f) {
  auto form = http::parse_urlencoded(req.body);
  if (!form.ok()) return o311_error(f, form.error());
  const http::Params& p = *form;
  auto key = app::apikeys::check(app.db(), param(p, "api_key"));
  if (!key.ok()) return o311_error(f, key.error());

  auto county = jurisdiction(app, param(p, "jurisdiction_id"));
  if (!county.ok()) return o311_error(f, county.error());
  const std::string code = param(p, "service_code");
  if (code.empty()) return o311_error(f, 400, "service_code is required");
  auto svcs = services(app);
  if (!svcs.ok()) return o311_error(f, svcs.error());
  auto svc = std::find_if(svcs->begin(), svcs->end(),
                          [&](const Service& s) { return s.row.code == code; });
  if (svc == svcs->end()) return o311_error(f, 404, "unknown service_code " + code);

  app::IntakeInput in;
  in.channel = std::string(app::kChannelCitizen);
  in.county_code = *county;
  in.category = code;
  const std::string lat = param(p, "lat"), lon = param(p, "long");
  if (!lat.empty() || !lon.empty()) {
    auto la = parse_number(lat), lo = parse_number(lon);
    if (!la || !lo || *la < -90 || *la > 90 || *lo < -180 || *lo > 180)
      return o311_error(f, 400, "lat and long must both be given, in degrees (WGS84)");
    in.lat = *la;
    in.lon = *lo;
  }
  in.address = trim(param(p, "address_string"));
  if (in.address.empty()) in.address = trim(param(p, "address_id"));
  if (!in.lat && in.address.empty())
    return o311_error(f, 400, "a location is required: lat and long, or address_string");

  const std::string description = trim(param(p, "description"));
  if (utf8_length(description) > kMaxDescription)
    return o311_error(f, 400, "description is longer than 4,000 characters");
  if (has_markup(description)) return o311_error(f, 400, "description may not contain HTML");
  const std::string& service_name = svc->row.name_zh;
  in.text = description.empty() ? service_name : description;
  in.subject = description.empty() ? service_name : utf8_prefix(description, 40);
  in.name = trim(param(p, "first_name") + " " + param(p, "last_name"));
  in.phone = trim(param(p, "phone"));
  // The spec's optional e-mail: progress updates go there (else by SMS to the phone), in the
  // language the client asked for (Accept-Language).
  in.email = trim(param(p, "email"));
  in.language = req.lang() == Lang::kEn ? "en" : "zh-CN";
  // Our callbacks 回访 need a phone: this jurisdiction requires it (the spec lets servers do so).
  if (in.phone.empty())
    return o311_error(f, 400, "phone is required: the county calls every requester back");
  // Open311 requests are public by nature (GET /requests lists them); personal data is not.
  in.is_public = true;
  // Same key + same form = the same request (a client retrying after a lost answer).
  std::string canonical = std::to_string(key->id);
  for (const auto& [k, v] : p)
    if (k != "api_key") canonical += "\n" + k + "=" + v;
  in.idempotency_key = "open311:" + auth::sha256_hex(canonical).substr(0, 48);

  auth::Principal citizen;
  citizen.role = auth::Role::kCitizen;
  citizen.ip = req.remote_address;
  citizen.request_id = req.request_id;
  auto r = app.requests().submit(citizen, in);
  if (!r.ok()) {
    if (r.error().code == ErrorCode::kInvalidCode)  // unknown county
      return o311_error(f, 404, "unknown jurisdiction_id");
    return o311_error(f, r.error());
  }
  const auto& row = r->detail.view.row;
  std::string notice = req.lang() == Lang::kZh ? "已受理" : "Received";
  if (row.resolution_due)
    notice += (req.lang() == Lang::kZh ? "，预计办结时间 " : "; expected by ") +
              format_iso8601(*row.resolution_due);
  ojson out = ojson::array();
  out.push_back({{"service_request_id", std::to_string(row.id)},
                 {"token", row.code},
                 {"service_notice", notice},
                 {"account_id", nullptr}});
  return render(r->replayed ? 200 : 201, f, "service_requests", out);
}

Response discovery(const Request& req, Format f) {
  std::string host(req.headers.get_or("Host", "localhost"));
  std::string scheme(req.headers.get_or("X-Forwarded-Proto", "http"));
  if (scheme != "https") scheme = "http";
  ojson formats = ojson::array({"text/xml", "application/json"});
  return render(
      200, f, "discovery",
      {{"changeset", kChangeset},
       {"contact", "The county command centre 县指挥中心 (12345)"},
       {"key_service", "API keys are issued by the county's administrator (gongjian apikey add)"},
       {"endpoints", ojson::array({{{"specification", "http://wiki.open311.org/GeoReport_v2"},
                                    {"url", scheme + "://" + host + "/open311/v2"},
                                    {"changeset", kChangeset},
                                    {"type", "production"},
                                    {"formats", formats}}})}});
}

// The format of a path that names none: JSON for the error (the spec has no other way).
Format format_or_json(std::string_view file) {
  auto sf = split_format(file);
  return sf ? sf->second : Format::kJson;
}

Response no_resource(Format f) {
  return o311_error(f, 404, "unknown resource");
}

}  // namespace

void register_open311_routes(http::Router& router, app::App& app) {
  http::RouteOptions open;
  open.public_access = true;
  open.csrf_exempt = true;
  open.body_limit = 4 * 1024;
  http::RouteOptions post = open;
  post.body_limit = 16 * 1024;

  router.add(
      "GET", "/open311/v2/{file}",
      [&app](Request& req) -> Response {
        auto sf = split_format(req.param("file"));
        if (!sf) return no_resource(Format::kJson);
        auto [name, f] = *sf;
        if (name == "discovery") return discovery(req, f);
        if (name == "requests") return list_requests(app, req, f);
        if (name == "services") {
          if (auto j = req.query_param("jurisdiction_id"); j && !j->empty()) {
            auto county = jurisdiction(app, std::string(*j));
            if (!county.ok()) return o311_error(f, county.error());
          }
          auto svcs = services(app);
          if (!svcs.ok()) return o311_error(f, svcs.error());
          ojson out = ojson::array();
          for (const auto& s : *svcs) out.push_back(service_json(s, req.lang()));
          return render(200, f, "services", out);
        }
        return no_resource(f);
      },
      open);

  router.add(
      "POST", "/open311/v2/{file}",
      [&app](Request& req) -> Response {
        auto sf = split_format(req.param("file"));
        if (!sf || sf->first != "requests") return no_resource(format_or_json(req.param("file")));
        return post_request(app, req, sf->second);
      },
      post);

  // Service definitions exist only for services with metadata=true; ours have none.
  router.add(
      "GET", "/open311/v2/services/{file}",
      [&app](Request& req) -> Response {
        auto sf = split_format(req.param("file"));
        if (!sf) return no_resource(Format::kJson);
        auto svcs = services(app);
        if (!svcs.ok()) return o311_error(sf->second, svcs.error());
        bool known = std::any_of(svcs->begin(), svcs->end(),
                                 [&](const Service& s) { return s.row.code == sf->first; });
        if (!known) return o311_error(sf->second, 404, "unknown service_code " + sf->first);
        return o311_error(sf->second, 404,
                          "service " + sf->first + " has no metadata (no service definition)");
      },
      open);

  router.add(
      "GET", "/open311/v2/requests/{file}",
      [&app](Request& req) -> Response {
        auto sf = split_format(req.param("file"));
        if (!sf) return no_resource(Format::kJson);
        const std::string& id = sf->first;
        if (id.empty() || id.size() > 18 ||
            !std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; }))
          return o311_error(sf->second, 404, "unknown service_request_id");
        auto v = app.requests().get_public(std::stoll(id));
        if (!v.ok()) {
          if (v.error().code == ErrorCode::kNotFound)
            return o311_error(sf->second, 404, "unknown service_request_id");
          return o311_error(sf->second, v.error());
        }
        ojson out = ojson::array();
        out.push_back(request_json(*v, req.lang()));
        return render(200, sf->second, "service_requests", out);
      },
      open);

  // Tokens: POST answers with both the id and a token (the tracking code 查询码).
  router.add(
      "GET", "/open311/v2/tokens/{file}",
      [&app](Request& req) -> Response {
        auto sf = split_format(req.param("file"));
        if (!sf) return no_resource(Format::kJson);
        auto v = app.requests().track(sf->first);
        if (!v.ok() || !v->row.is_public) {
          if (!v.ok() && v.error().code != ErrorCode::kNotFound &&
              v.error().code != ErrorCode::kInvalidInput)
            return o311_error(sf->second, v.error());
          return o311_error(sf->second, 404, "unknown token");
        }
        ojson out = ojson::array();
        out.push_back({{"service_request_id", std::to_string(v->row.id)}, {"token", v->row.code}});
        return render(200, sf->second, "service_requests", out);
      },
      open);
}

}  // namespace gj::api
