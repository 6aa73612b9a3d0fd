// Static files for the built web app (web/dist): MIME types, no path traversal, long caching
// for hashed assets, no-cache for index.html, SPA fallback, ETag → 304, optional .gz.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace gj::http {

class StaticFiles {
 public:
  // `root` is the directory to serve; it need not exist yet (then everything is 404).
  explicit StaticFiles(std::filesystem::path root);

  // Answers a GET/HEAD for a non-/api path: the file, index.html for app routes (paths whose
  // last segment has no dot), or 404 kNotFound.
  Response serve(const Request& req) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

// MIME type from the file name's extension ("application/octet-stream" if unknown).
std::string_view mime_type(std::string_view filename);

}  // namespace gj::http
