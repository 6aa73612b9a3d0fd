// The file-store seam for attachments 附件 (style.md §6, LevelDB's Env): put/get/remove by key,
// so a test can make a write fail and see a 503 with nothing stored. DiskFileStore keeps one
// file per key under a directory (several `serve` nodes would need that directory shared);
// DatabaseFileStore keeps the bytes in the store itself (migration 0024), so every node on one
// PostgreSQL reads what any node stored and the database backup holds them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"

namespace gj::store {
class Database;
}

namespace gj::app {

struct StoredFile {
  std::string key;
  int64_t modified_ms = 0;  // last write, epoch ms (the orphan sweep's grace period)
};

class FileStore {
 public:
  virtual ~FileStore() = default;
  // Durable before it returns: the bytes are written to a temporary file, synced and renamed
  // into place (and the directory synced), so a key never names half a file.
  // kStorageUnavailable when anything fails (nothing is left under `key`).
  virtual Status put(const std::string& key, const std::string& bytes) = 0;
  // kNotFound when there is no such key; kStorageUnavailable on a read failure.
  virtual Result<std::string> get(const std::string& key) = 0;
  // Absent keys are not an error.
  virtual Status remove(const std::string& key) = 0;
  virtual Result<std::vector<StoredFile>> list() = 0;
};

// Keys are relative paths of [A-Za-z0-9._-] segments separated by '/' (checked: no "..").
class DiskFileStore final : public FileStore {
 public:
  explicit DiskFileStore(std::string dir);
  const std::string& dir() const { return dir_; }

  Status put(const std::string& key, const std::string& bytes) override;
  Result<std::string> get(const std::string& key) override;
  Status remove(const std::string& key) override;
  Result<std::vector<StoredFile>> list() override;

 private:
  std::string dir_;
};

// One row per key in the store's file_blobs table; each put is its own durable write. Its
// modified_ms is wall-clock time, like a file's: the orphan sweep compares it with real time.
class DatabaseFileStore final : public FileStore {
 public:
  explicit DatabaseFileStore(store::Database& db) : db_(db) {}

  Status put(const std::string& key, const std::string& bytes) override;
  Result<std::string> get(const std::string& key) override;
  Status remove(const std::string& key) override;
  Result<std::vector<StoredFile>> list() override;

 private:
  store::Database& db_;
  SystemClock clock_;
};

bool is_valid_file_key(const std::string& key);

}  // namespace gj::app
