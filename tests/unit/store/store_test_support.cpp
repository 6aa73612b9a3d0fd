#include "store_test_support.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

namespace gj::store::testing {

namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string run_command(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run " + cmd);
  std::array<char, 512> buf;
  while (fgets(buf.data(), buf.size(), p)) out += buf.data();
  int rc = pclose(p);
  if (rc != 0) throw std::runtime_error("command failed: " + cmd);
  return trim(out);
}

// A server this process started itself; stopped when the test program ends.
class OwnServer : public ::testing::Environment {
 public:
  void TearDown() override {
    if (!dir.empty()) {
      std::string cmd = std::string(GJ_SOURCE_DIR) + "/scripts/pg-temp.sh stop " + dir;
      std::system(cmd.c_str());
      dir.clear();
    }
  }
  std::string dir;
};
OwnServer* g_own_server =
    static_cast<OwnServer*>(::testing::AddGlobalTestEnvironment(new OwnServer));

std::string random_suffix() {
  std::random_device rd;
  std::mt19937_64 rng(rd() ^ static_cast<uint64_t>(getpid()));
  const char* hex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 12; ++i) s += hex[rng() % 16];
  return s;
}

}  // namespace

const std::string& postgres_url() {
  static std::once_flag once;
  static std::string url;
  std::call_once(once, [] {
    if (const char* env = std::getenv("GJ_TEST_POSTGRES_URL"); env && *env) {
      url = env;
      return;
    }
    std::string line;
    if (const char* file = std::getenv("GJ_TEST_POSTGRES_URL_FILE"); file && *file) {
      std::ifstream in(file);
      std::getline(in, line);
    }
    if (line.empty()) {
      line = run_command(std::string(GJ_SOURCE_DIR) + "/scripts/pg-temp.sh start");
      g_own_server->dir = line.substr(0, line.find(' '));
    }
    url = trim(line.substr(line.find(' ') + 1));
  });
  if (url.empty()) throw std::runtime_error("no PostgreSQL for the tests");
  return url;
}

std::vector<std::vector<std::string>> pg_admin(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("connect " + url + ": " + msg);
  }
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  PGresult* r = PQexec(c, sql.c_str());
  auto st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    std::string msg = PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(c);
    throw std::runtime_error(sql + ": " + msg);
  }
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < PQntuples(r); ++i) {
    rows.emplace_back();
    for (int j = 0; j < PQnfields(r); ++j) rows.back().push_back(PQgetvalue(r, i, j));
  }
  PQclear(r);
  PQfinish(c);
  return rows;
}

FreshStore::FreshStore(Backend backend) : backend_(backend) {
  if (backend == Backend::kSqlite) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "gj-store-test.XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    target_ = dir_ + "/store.db";
  } else {
    const std::string& base = postgres_url();
    schema_ = "t_" + random_suffix();
    pg_admin(base, "CREATE SCHEMA " + schema_);
    // Every connection of the store (writer and readers) gets the schema on its search_path.
    target_ = base + (base.find('?') == std::string::npos ? "?" : "&") +
              "options=-csearch_path%3D" + schema_;
  }
}

FreshStore::~FreshStore() {
  db_.reset();
  try {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    if (!schema_.empty()) pg_admin(postgres_url(), "DROP SCHEMA " + schema_ + " CASCADE");
  } catch (const std::exception& e) {
    ADD_FAILURE() << "cleanup: " << e.what();
  }
}

Database& FreshStore::open(Options options, std::shared_ptr<FaultInjector> faults) {
  db_.reset();
  options.target = target_;
  auto r = open_database(options, std::move(faults));
  if (!r.ok()) throw std::runtime_error("open " + target_ + ": " + r.error().detail);
  db_ = std::move(r).value();
  return *db_;
}

bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return pred();
}

}  // namespace gj::store::testing
