// `gongjian backup`: an online, consistent copy of a SQLite store (the server may keep running),
// verified with PRAGMA integrity_check before it is reported as good, and then of the photo
// attachments' files beside it.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/command.hpp"
#include "store/db.hpp"

namespace gj::cli {
namespace {

const char* kUsage =
    "usage: gongjian backup --db PATH OUT_FILE [--attachments-dir DIR] [--attachments-out DIR]\n"
    "  Copies the SQLite store at PATH to OUT_FILE while it is in use (SQLite backup API),\n"
    "  then checks the copy with PRAGMA integrity_check. Progress goes to stderr.\n"
    "  Then the photo attachments' files (DIR, default: attachments/ beside PATH, as `serve`)\n"
    "  go to --attachments-out (default OUT_FILE.attachments): each file not already there is\n"
    "  copied and synced. Files never change once written, so pointing every backup at one\n"
    "  --attachments-out copies only the new ones. The copy of the store is taken first: every\n"
    "  photo it names was on disk before its row committed, so it is in the copied files.\n"
    "  PostgreSQL deployments back up with pg_dump / pg_basebackup (docs/storage.md); their\n"
    "  photos are in the database unless `serve --attachments-dir` was given.\n";

// Copies the files under `from` that `to` lacks (same relative path, same size = present),
// each synced; returns {copied, already there} or the first error.
Result<std::pair<int64_t, int64_t>> copy_new_files(const std::filesystem::path& from,
                                                   const std::filesystem::path& to) {
  namespace fs = std::filesystem;
  int64_t copied = 0, present = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(from, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->path().filename().string().rfind(".tmp", 0) == 0)
      continue;  // DiskFileStore's temporary names start with ".tmp"
    fs::path rel = fs::relative(it->path(), from, ec);
    fs::path target = to / rel;
    std::error_code e2;
    if (fs::exists(target, e2) && fs::file_size(target, e2) == it->file_size(e2)) {
      ++present;
      continue;
    }
    fs::create_directories(target.parent_path(), e2);
    if (e2 || !fs::copy_file(it->path(), target, fs::copy_options::overwrite_existing, e2))
      return make_error(ErrorCode::kStorageUnavailable,
                        "cannot copy " + it->path().string() + ": " + e2.message());
    int fd = ::open(target.c_str(), O_RDONLY);
    bool synced = fd >= 0 && ::fsync(fd) == 0;
    if (fd >= 0) ::close(fd);
    if (!synced)
      return make_error(ErrorCode::kStorageUnavailable, "cannot sync " + target.string());
    ++copied;
  }
  if (ec) return make_error(ErrorCode::kStorageUnavailable, from.string() + ": " + ec.message());
  return std::pair{copied, present};
}

int run_backup(const Args& args) {
  if (has_flag(args, "--help") || has_flag(args, "-h")) {
    std::cout << kUsage;
    return 0;
  }
  std::string db = flag_value(args, "--db");
  Args pos = positional(args, {"--db", "--attachments-dir", "--attachments-out"});
  if (db.empty()) return usage_error("--db PATH is required", kUsage);
  if (pos.size() != 1) return usage_error("give one OUT_FILE", kUsage);
  const std::string out = pos[0];
  if (db.rfind("postgres", 0) == 0) {
    return usage_error("backup copies SQLite stores; use pg_dump for PostgreSQL", kUsage);
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(db, ec)) {
    std::cerr << "gongjian backup: no store at " << db << "\n";
    return 1;
  }
  if (std::filesystem::exists(out, ec) && std::filesystem::equivalent(db, out, ec)) {
    std::cerr << "gongjian backup: OUT_FILE is the store itself\n";
    return 1;
  }
  int last_pct = -1, pages = 0;
  Status st = store::backup_sqlite(db, out, [&](int done, int total) {
    pages = total;
    int pct = total > 0 ? static_cast<int>(100LL * done / total) : 100;
    if (pct != last_pct) {
      std::fprintf(stderr, "\rbackup: %3d%% (%d/%d pages)", pct, done, total);
      last_pct = pct;
    }
  });
  std::fprintf(stderr, "\n");
  if (!st.ok()) {
    std::cerr << "gongjian backup: " << st.error().detail << "\n";
    return 1;
  }
  std::fprintf(stderr, "backup: checking the copy (PRAGMA integrity_check)\n");
  Status check = store::check_sqlite_integrity(out);
  if (!check.ok()) {
    std::cerr << "gongjian backup: the copy failed its integrity check: " << check.error().detail
              << "\n";
    return 1;
  }
  std::printf("backup written to %s (%d pages, integrity ok)\n", out.c_str(), pages);

  namespace fs = std::filesystem;
  fs::path files = flag_value(args, "--attachments-dir");
  if (files.empty()) files = fs::path(db).parent_path() / "attachments";
  fs::path files_out = flag_value(args, "--attachments-out", out + ".attachments");
  if (!fs::is_directory(files, ec)) {
    std::printf("no attachment files at %s (none uploaded yet, or kept in the database)\n",
                files.c_str());
    return 0;
  }
  std::fprintf(stderr, "backup: copying attachment files %s -> %s\n", files.c_str(),
               files_out.c_str());
  auto copied = copy_new_files(files, files_out);
  if (!copied.ok()) {
    std::cerr << "gongjian backup: " << copied.error().detail << "\n";
    return 1;
  }
  std::printf("attachment files in %s: %lld copied, %lld already there\n", files_out.c_str(),
              (long long)copied->first, (long long)copied->second);
  return 0;
}

const Registrar kRegistrar("backup", "online copy of a SQLite store, verified", run_backup);

}  // namespace
}  // namespace gj::cli
