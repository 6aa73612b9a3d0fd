// gongjian apikey add --name NAME: a key for another system calling the Open311 GeoReport v2
// API (POST /open311/v2/requests). The key is printed once, as the last line; only its hash is
// stored.
#include <iostream>

#include "app/apikeys.hpp"
#include "cli/command.hpp"
#include "cli/store_options.hpp"

namespace gj::cli {
namespace {

const char* kUsage =
    "usage: gongjian apikey add --name NAME [--db PATH | --postgres URL]\n"
    "Creates an API key for the Open311 GeoReport v2 API (docs/open311.md) and prints it as\n"
    "the last line. Only its SHA-256 hash is stored: keep the key, it cannot be shown again.\n";

int run(const Args& args) {
  auto pos = positional(args, {"--db", "--postgres", "--name"});
  if (has_flag(args, "--help")) {
    std::cout << kUsage << kStoreUsage;
    return 0;
  }
  if (pos.size() != 1 || pos[0] != "add")
    return usage_error("apikey: expected the action add", kUsage);
  std::string name = flag_value(args, "--name");
  if (name.empty()) return usage_error("apikey add: --name NAME is required", kUsage);
  auto db = open_store(args);
  if (!db) return 1;
  SystemClock clock;
  auto key = app::apikeys::add(*db, clock, name);
  db->close();
  if (!key.ok()) {
    std::cerr << "gongjian apikey: " << key.error().message(Lang::kEn);
    if (!key.error().detail.empty()) std::cerr << " (" << key.error().detail << ")";
    std::cerr << "\n";
    return 1;
  }
  std::cout << "API key \"" << name << "\" created (id " << key->id
            << "); only its hash is stored, keep it now:\n"
            << key->key << "\n";
  return 0;
}

const Registrar kReg{"apikey", "create an API key for the Open311 GeoReport v2 API", run};
}  // namespace
}  // namespace gj::cli
