// API case files (tests/api/README.md) run through a transport: a real socket in
// gj_api_runner, or http::handle() in-process (in_process.hpp) for fast unit tests.
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace gj::api_cases {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Reply {
  int status = 0;
  HeaderList headers;
  std::string body;
  std::string error;  // transport failure ("" when a response arrived)
};

// Sends one request; the runner has already added cookies, CSRF and Content-Type.
using Transport = std::function<Reply(const std::string& method, const std::string& target,
                                      const HeaderList& headers, const std::string& body)>;

struct Totals {
  int passed = 0;
  int failed = 0;
};

// Runs the case files and folders (searched recursively for *.case; run in path order),
// printing one line per step to `out` but not the closing line.
Totals run_cases(const std::vector<std::filesystem::path>& inputs, const Transport& transport,
                 std::ostream& out, bool verbose = false);

}  // namespace gj::api_cases
