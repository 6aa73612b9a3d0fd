#include "http/static_files.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "http/body.hpp"

namespace gj::http {

namespace fs = std::filesystem;

std::string_view mime_type(std::string_view name) {
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  std::string ext(name.substr(dot + 1));
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json; charset=utf-8"},
      {"map", "application/json; charset=utf-8"},
      {"webmanifest", "application/manifest+json"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"ico", "image/x-icon"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"ttf", "font/ttf"},
      {"otf", "font/otf"},
      {"txt", "text/plain; charset=utf-8"},
      {"csv", "text/csv; charset=utf-8"},
      {"xml", "application/xml"},
      {"pdf", "application/pdf"},
      {"wasm", "application/wasm"},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {"geojson", "application/geo+json"},
      {"pbf", "application/x-protobuf"},
  };
  for (const auto& [e, t] : kTypes)
    if (e == ext) return t;
  return "application/octet-stream";
}

StaticFiles::StaticFiles(fs::path root) : root_(std::move(root)) {
  std::error_code ec;
  auto canon = fs::weakly_canonical(root_, ec);
  if (!ec) root_ = canon;
}

namespace {

struct FileInfo {
  bool regular = false;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
};

FileInfo stat_file(const fs::path& p) {
  struct stat st {};
  FileInfo fi;
  if (::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    fi.regular = true;
    fi.size = static_cast<uint64_t>(st.st_size);
    fi.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  }
  return fi;
}

bool read_whole(const fs::path& p, std::string& out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = std::move(ss).str();
  return true;
}

// Size and modification time identify a version well enough for a build output directory.
std::string make_etag(const FileInfo& fi, bool gzip) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "\"%llx-%llx%s\"", static_cast<unsigned long long>(fi.size),
                static_cast<unsigned long long>(fi.mtime_ns), gzip ? "-gz" : "");
  return buf;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match == "*") return true;
  // A list of tags, possibly weak (W/"…").
  while (!if_none_match.empty()) {
    auto comma = if_none_match.find(',');
    std::string_view t = if_none_match.substr(0, comma);
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
    if (t.starts_with("W/")) t.remove_prefix(2);
    if (t == etag) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

bool accepts_gzip(std::string_view accept_encoding) {
  // Good enough for browsers: "gzip, deflate, br"; a q=0 opt-out is honoured.
  auto p = accept_encoding.find("gzip");
  if (p == std::string_view::npos) return false;
  auto rest = accept_encoding.substr(p + 4);
  auto comma = rest.find(',');
  auto params = rest.substr(0, comma);
  return params.find("q=0") == std::string_view::npos ||
         params.find("q=0.") != std::string_view::npos;
}

Response not_found(const Request& req) {
  return error(make_error(ErrorCode::kNotFound), req);
}

}  // namespace

Response StaticFiles::serve(const Request& req) const {
  std::string rel;
  if (!percent_decode(req.path, rel, false)) return not_found(req);
  // Traversal and oddities are refused before touching the file system: no "..", no NUL,
  // no backslashes, no hidden files.
  if (rel.empty() || rel.front() != '/' || rel.find('\0') != std::string::npos ||
      rel.find('\\') != std::string::npos || rel.find("/.") != std::string::npos)
    return not_found(req);
  std::string_view last(rel);
  last = last.substr(last.rfind('/') + 1);
  bool looks_like_file = last.find('.') != std::string_view::npos;

  fs::path file = root_ / fs::path(rel.substr(1));
  if (rel.back() == '/') file /= "index.html";
  FileInfo fi = stat_file(file);
  if (fi.regular) {
    // Symlinks may point outside the root: resolve and check the prefix.
    std::error_code ec;
    auto canon = fs::canonical(file, ec);
    auto root_str = root_.native();
    if (ec || canon.native().compare(0, root_str.size(), root_str) != 0 ||
        (canon.native().size() > root_str.size() && canon.native()[root_str.size()] != '/'))
      return not_found(req);
  } else if (!looks_like_file) {
    // An app route (/requests/123): the SPA's router handles it in the browser.
    file = root_ / "index.html";
    fi = stat_file(file);
    if (!fi.regular) return not_found(req);
  } else {
    return not_found(req);
  }

  std::string name = file.filename().string();
  bool is_index = name == "index.html";
  bool immutable = rel.starts_with("/assets/") && !is_index;

  // Precompressed sibling (vite-plugin-compression writes x.js.gz next to x.js).
  bool gzip = false;
  fs::path gz = file;
  gz += ".gz";
  FileInfo gzi;
  if (accepts_gzip(req.headers.get_or("Accept-Encoding"))) {
    gzi = stat_file(gz);
    gzip = gzi.regular;
  }

  Response res;
  res.content_type = std::string(mime_type(name));
  res.headers.set("ETag", make_etag(gzip ? gzi : fi, gzip));
  res.headers.set("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
  res.headers.set("Vary", "Accept-Encoding");
  if (etag_matches(req.headers.get_or("If-None-Match"), res.headers.get_or("ETag"))) {
    res.status = 304;
    return res;
  }
  if (!read_whole(gzip ? gz : file, res.body)) return not_found(req);
  if (gzip) res.headers.set("Content-Encoding", "gzip");
  res.status = 200;
  return res;
}

}  // namespace gj::http
