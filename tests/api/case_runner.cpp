#include "case_runner.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "common/clock.hpp"

namespace gj::api_cases {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// ------------------------------------------------------------------------------------------
// Case files

struct Step {
  std::string name;
  int line = 0;
  std::string client;  // empty: keep the current one
  std::string method, target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int expect_status = 0;
  std::vector<std::pair<std::string, std::string>> expect_headers;
  std::string expect_body;  // empty: not checked
};

std::string rtrim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  return s;
}

bool is_blank(const std::string& s) {
  return s.find_first_not_of(" \t\r") == std::string::npos;
}

bool is_comment(const std::string& s) {
  auto p = s.find_first_not_of(" \t");
  return p != std::string::npos && s[p] == '#' && s.compare(p, 3, "###") != 0;
}

// "Name: value" where Name is an HTTP token.
bool split_header(const std::string& line, std::string& name, std::string& value) {
  auto colon = line.find(':');
  if (colon == std::string::npos || colon == 0) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = line[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  }
  name = line.substr(0, colon);
  value = line.substr(colon + 1);
  auto p = value.find_first_not_of(' ');
  value = p == std::string::npos ? "" : value.substr(p);
  return true;
}

std::string join_block(const std::vector<std::string>& lines) {
  size_t b = 0, e = lines.size();
  while (b < e && is_blank(lines[b])) ++b;
  while (e > b && is_blank(lines[e - 1])) --e;
  std::string out;
  for (size_t i = b; i < e; ++i) {
    if (i > b) out += '\n';
    out += lines[i];
  }
  return out;
}

bool parse_case_file(const fs::path& path, std::vector<Step>& steps, std::string& err) {
  std::ifstream in(path);
  if (!in) {
    err = "cannot read " + path.string();
    return false;
  }
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(rtrim(l));
  size_t i = 0, n = lines.size();
  auto fail = [&](const std::string& m) {
    err = path.string() + ":" + std::to_string(i + 1) + ": " + m;
    return false;
  };
  while (i < n && (is_blank(lines[i]) || is_comment(lines[i]))) ++i;
  while (i < n) {
    if (!lines[i].starts_with("###")) return fail("expected '### step name'");
    Step s;
    s.line = static_cast<int>(i + 1);
    s.name = lines[i].substr(3);
    s.name.erase(0, s.name.find_first_not_of(' '));
    ++i;
    auto skip = [&] {
      while (i < n && (is_blank(lines[i]) || is_comment(lines[i]))) ++i;
    };
    skip();
    if (i < n && lines[i].starts_with("as ")) {
      s.client = lines[i].substr(3);
      ++i;
      skip();
    }
    if (i >= n) return fail("missing request line");
    {
      std::istringstream rl(lines[i]);
      rl >> s.method >> s.target;
      std::string extra;
      if (s.method.empty() || s.target.empty() || s.target[0] != '/' || (rl >> extra))
        return fail("request line must be 'METHOD /path'");
      ++i;
    }
    std::string name, value;
    while (i < n && !is_comment(lines[i]) && split_header(lines[i], name, value)) {
      s.headers.emplace_back(name, value);
      ++i;
    }
    std::vector<std::string> body;
    while (i < n && !lines[i].starts_with("expect ") && !lines[i].starts_with("###")) {
      if (!is_comment(lines[i])) body.push_back(lines[i]);
      ++i;
    }
    s.body = join_block(body);
    if (i >= n || !lines[i].starts_with("expect ")) return fail("missing 'expect STATUS'");
    try {
      s.expect_status = std::stoi(lines[i].substr(7));
    } catch (...) {
      return fail("'expect' needs a status code");
    }
    ++i;
    while (i < n && !is_comment(lines[i]) && split_header(lines[i], name, value)) {
      s.expect_headers.emplace_back(name, value);
      ++i;
    }
    std::vector<std::string> expected;
    while (i < n && !lines[i].starts_with("###")) {
      if (!is_comment(lines[i])) expected.push_back(lines[i]);
      ++i;
    }
    s.expect_body = join_block(expected);
    steps.push_back(std::move(s));
  }
  return true;
}

// ------------------------------------------------------------------------------------------
bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

const std::string* find_header(const HeaderList& h, std::string_view name) {
  for (const auto& [k, v] : h)
    if (iequals(k, name)) return &v;
  return nullptr;
}

// ------------------------------------------------------------------------------------------
// Scenario state: captures and one cookie jar + CSRF token per named client.

struct ClientState {
  std::map<std::string, std::string> cookies;
  std::string csrf;
};

struct Scenario {
  std::map<std::string, json> captures;
  std::map<std::string, ClientState> clients;
  std::string current = "default";
};

// Replaces {{name}} by the captured value: strings JSON-escaped without quotes (so "{{x}}"
// stays valid JSON), anything else as JSON text; {{env:NAME}} by an environment variable,
// JSON-escaped the same way.
bool substitute(const std::string& in, const Scenario& sc, std::string& out, std::string& err) {
  out.clear();
  size_t pos = 0;
  while (true) {
    auto b = in.find("{{", pos);
    if (b == std::string::npos) {
      out.append(in, pos);
      return true;
    }
    auto e = in.find("}}", b + 2);
    if (e == std::string::npos) {
      out.append(in, pos);
      return true;
    }
    out.append(in, pos, b - pos);
    std::string name = in.substr(b + 2, e - b - 2);
    if (name.starts_with("env:")) {  // {{env:NAME}}: an environment variable (API keys)
      const char* v = std::getenv(name.c_str() + 4);
      if (v == nullptr) {
        err = "environment variable " + name.substr(4) + " is not set";
        return false;
      }
      std::string q = json(std::string(v)).dump();
      out += q.substr(1, q.size() - 2);
      pos = e + 2;
      continue;
    }
    auto it = sc.captures.find(name);
    if (it == sc.captures.end()) {
      err = "nothing captured as '" + name + "'";
      return false;
    }
    if (it->second.is_string()) {
      std::string q = it->second.dump();
      out += q.substr(1, q.size() - 2);
    } else {
      out += it->second.dump();
    }
    pos = e + 2;
  }
}

// The placeholder name of a string like "<capture:id>", or "".
std::string placeholder(const json& v) {
  if (!v.is_string()) return {};
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() >= 3 && s.front() == '<' && s.back() == '>') return s.substr(1, s.size() - 2);
  return {};
}

bool match_json(const json& expected, const json& actual, const std::string& where, Scenario& sc,
                std::string& why) {
  std::string ph = placeholder(expected);
  if (!ph.empty()) {
    auto bad = [&](const char* what) {
      why = where + ": expected " + what + ", got " + actual.dump();
      return false;
    };
    if (ph == "any") return true;
    if (ph == "string") return actual.is_string() ? true : bad("a string");
    if (ph == "int") return actual.is_number_integer() ? true : bad("an integer");
    if (ph == "number") return actual.is_number() ? true : bad("a number");
    if (ph == "bool") return actual.is_boolean() ? true : bad("true or false");
    if (ph == "null") return actual.is_null() ? true : bad("null");
    if (ph == "array") return actual.is_array() ? true : bad("an array");
    if (ph == "object") return actual.is_object() ? true : bad("an object");
    if (ph == "iso8601") {
      int64_t ms;
      if (actual.is_string() && gj::parse_iso8601(actual.get<std::string>(), ms)) return true;
      return bad("an ISO 8601 time with zone");
    }
    if (ph.starts_with("capture:")) {
      if (actual.is_null()) return bad("a value to capture");
      sc.captures[ph.substr(8)] = actual;
      return true;
    }
    // Not a placeholder we know: compare literally below.
  }
  if (expected.is_object()) {
    if (!actual.is_object()) {
      why = where + ": expected an object, got " + actual.dump();
      return false;
    }
    for (auto it = expected.begin(); it != expected.end(); ++it) {
      std::string sub = where + "." + it.key();
      bool absent_wanted = placeholder(it.value()) == "absent";
      auto a = actual.find(it.key());
      if (a == actual.end()) {
        if (absent_wanted) continue;
        why = sub + ": missing";
        return false;
      }
      if (absent_wanted) {
        why = sub + ": expected no such key, got " + a->dump();
        return false;
      }
      if (!match_json(it.value(), *a, sub, sc, why)) return false;
    }
    return true;
  }
  if (expected.is_array()) {
    if (!actual.is_array()) {
      why = where + ": expected an array, got " + actual.dump();
      return false;
    }
    bool open = !expected.empty() && placeholder(expected.back()) == "...";
    size_t n = open ? expected.size() - 1 : expected.size();
    if (open ? actual.size() < n : actual.size() != n) {
      why = where + ": expected " + (open ? "at least " : "") + std::to_string(n) +
            " elements, got " + std::to_string(actual.size());
      return false;
    }
    for (size_t i = 0; i < n; ++i)
      if (!match_json(expected[i], actual[i], where + "[" + std::to_string(i) + "]", sc, why))
        return false;
    return true;
  }
  if (expected != actual) {
    why = where + ": expected " + expected.dump() + ", got " + actual.dump();
    return false;
  }
  return true;
}

void remember_cookies(const Reply& r, ClientState& c) {
  for (const auto& [k, v] : r.headers) {
    if (!iequals(k, "Set-Cookie")) continue;
    auto semi = v.find(';');
    std::string pair = v.substr(0, semi);
    auto eq = pair.find('=');
    if (eq == std::string::npos) continue;
    std::string name = pair.substr(0, eq), value = pair.substr(eq + 1);
    std::string attrs = semi == std::string::npos ? "" : v.substr(semi);
    std::string lower;
    for (char ch : attrs) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (lower.find("max-age=0") != std::string::npos || value.empty())
      c.cookies.erase(name);
    else
      c.cookies[name] = value;
  }
}

bool unsafe_method(const std::string& m) {
  return m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE";
}

// Runs one step; "" on success, else the reason.
std::string run_step(const Transport& transport, const Step& s, Scenario& sc) {
  if (!s.client.empty()) sc.current = s.client;
  ClientState& client = sc.clients[sc.current];
  std::string err, target, body;
  if (!substitute(s.target, sc, target, err) || !substitute(s.body, sc, body, err)) return err;
  HeaderList headers;
  for (const auto& [k, v] : s.headers) {
    std::string val;
    if (!substitute(v, sc, val, err)) return err;
    headers.emplace_back(k, val);
  }
  if (!body.empty() && !find_header(headers, "Content-Type")) {
    bool looks_json = body[0] == '{' || body[0] == '[';
    headers.emplace_back("Content-Type",
                         looks_json ? "application/json" : "application/x-www-form-urlencoded");
  }
  if (!client.cookies.empty() && !find_header(headers, "Cookie")) {
    std::string cookie;
    for (const auto& [k, v] : client.cookies) cookie += (cookie.empty() ? "" : "; ") + k + "=" + v;
    headers.emplace_back("Cookie", cookie);
  }
  if (unsafe_method(s.method) && !client.csrf.empty() && !find_header(headers, "X-CSRF-Token"))
    headers.emplace_back("X-CSRF-Token", client.csrf);

  Reply r = transport(s.method, target, headers, body);
  if (!r.error.empty()) return r.error;
  remember_cookies(r, client);
  json actual = json::parse(r.body, nullptr, false);
  if (actual.is_object() && actual.contains("csrf_token") && actual["csrf_token"].is_string())
    client.csrf = actual["csrf_token"].get<std::string>();
  if (auto* t = find_header(r.headers, "X-CSRF-Token")) client.csrf = *t;

  std::string body_hint = r.body.size() > 300 ? r.body.substr(0, 300) + "…" : r.body;
  if (r.status != s.expect_status)
    return "expected status " + std::to_string(s.expect_status) + ", got " +
           std::to_string(r.status) + " " + body_hint;
  for (const auto& [k, v] : s.expect_headers) {
    const std::string* got = find_header(r.headers, k);
    std::string ph =
        v.size() > 2 && v.front() == '<' && v.back() == '>' ? v.substr(1, v.size() - 2) : "";
    if (ph == "absent") {
      if (got) return "header " + k + ": expected none, got '" + *got + "'";
      continue;
    }
    if (!got) return "header " + k + ": missing";
    if (ph == "any") continue;
    if (ph.starts_with("capture:")) {
      sc.captures[ph.substr(8)] = *got;
      continue;
    }
    std::string want;
    if (!substitute(v, sc, want, err)) return err;
    if (*got != want) return "header " + k + ": expected '" + want + "', got '" + *got + "'";
  }
  if (s.expect_body.empty()) return {};
  std::string want;
  if (!substitute(s.expect_body, sc, want, err)) return err;
  if (want[0] == '{' || want[0] == '[') {
    json expected = json::parse(want, nullptr, false);
    if (expected.is_discarded()) return "the expected body is not valid JSON";
    if (actual.is_discarded()) return "the response body is not JSON: " + body_hint;
    std::string why;
    if (!match_json(expected, actual, "$", sc, why)) return why;
    return {};
  }
  if (r.body.find(want) == std::string::npos)
    return "the response body does not contain '" + want + "': " + body_hint;
  return {};
}

}  // namespace

Totals run_cases(const std::vector<fs::path>& inputs, const Transport& transport, std::ostream& out,
                 bool verbose) {
  Totals t;
  std::vector<fs::path> files;
  for (const auto& p : inputs) {
    if (fs::is_directory(p)) {
      for (const auto& e : fs::recursive_directory_iterator(p))
        if (e.is_regular_file() && e.path().extension() == ".case") files.push_back(e.path());
    } else {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::vector<Step> steps;
    std::string err;
    if (!parse_case_file(f, steps, err)) {
      out << "FAIL " << f.string() << ": " << err << "\n";
      ++t.failed;
      continue;
    }
    Scenario sc;
    for (size_t k = 0; k < steps.size(); ++k) {
      const Step& s = steps[k];
      std::string label = f.string() + ":" + std::to_string(s.line) + " " + s.name;
      std::string why = run_step(transport, s, sc);
      if (why.empty()) {
        ++t.passed;
        out << "ok   " << label << "\n";
        continue;
      }
      ++t.failed;
      out << "FAIL " << label << "\n     " << why << "\n";
      // Later steps depend on this one (captures, sessions): they are not run.
      for (size_t j = k + 1; j < steps.size(); ++j)
        out << "skip " << f.string() << ":" << steps[j].line << " " << steps[j].name << "\n";
      break;
    }
    if (verbose)
      for (const auto& [k, v] : sc.captures)
        out << "     captured " << k << " = " << v.dump() << "\n";
  }
  return t;
}

}  // namespace gj::api_cases
