#include "app/attachments_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/ids.hpp"
#include "store/db.hpp"
#include "store/repos/attachment_repo.hpp"

namespace gj::app {

namespace fs = std::filesystem;

namespace {

Error unavailable(const std::string& what) {
  return make_error(ErrorCode::kStorageUnavailable, what + ": " + std::strerror(errno));
}

// fsync a directory so a rename inside it survives a power loss.
bool sync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

bool is_valid_file_key(const std::string& key) {
  if (key.empty() || key.size() > 200 || key.front() == '/' || key.back() == '/') return false;
  std::string_view rest = key;
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    if (seg.empty() || seg == "." || seg == "..") return false;
    for (char c : seg)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
        return false;
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return true;
}

DiskFileStore::DiskFileStore(std::string dir) : dir_(std::move(dir)) {}

Status DiskFileStore::put(const std::string& key, const std::string& bytes) {
  if (!is_valid_file_key(key)) return make_error(ErrorCode::kInternal, "bad file key " + key);
  fs::path target = fs::path(dir_) / key;
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec)
    return make_error(ErrorCode::kStorageUnavailable,
                      "cannot create " + target.parent_path().string() + ": " + ec.message());
  unsigned char rnd[8];
  random_bytes(rnd, sizeof rnd);
  fs::path tmp = target.parent_path() / (".tmp-" + to_hex(rnd, sizeof rnd));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) return unavailable("cannot create " + tmp.string());
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Error e = unavailable("cannot write " + tmp.string());
      ::close(fd);
      ::unlink(tmp.c_str());
      return e;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Error e = unavailable("cannot sync " + tmp.string());
    ::close(fd);
    ::unlink(tmp.c_str());
    return e;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    Error e = unavailable("cannot rename to " + target.string());
    ::unlink(tmp.c_str());
    return e;
  }
  if (!sync_dir(target.parent_path())) return unavailable("cannot sync " + dir_);
  return {};
}

Result<std::string> DiskFileStore::get(const std::string& key) {
  if (!is_valid_file_key(key)) return make_error(ErrorCode::kNotFound);
  fs::path p = fs::path(dir_) / key;
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    if (!fs::exists(p)) return make_error(ErrorCode::kNotFound, "no file " + key);
    return unavailable("cannot read " + p.string());
  }
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return unavailable("cannot read " + p.string());
  return out.str();
}

Status DiskFileStore::remove(const std::string& key) {
  if (!is_valid_file_key(key)) return {};
  std::error_code ec;
  fs::remove(fs::path(dir_) / key, ec);
  if (ec) return make_error(ErrorCode::kStorageUnavailable, "cannot remove " + key);
  return {};
}

Result<std::vector<StoredFile>> DiskFileStore::list() {
  std::vector<StoredFile> out;
  std::error_code ec;
  if (!fs::exists(dir_, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(dir_, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    StoredFile f;
    f.key = fs::relative(it->path(), dir_, ec).generic_string();
    auto t = fs::last_write_time(it->path(), ec);
    if (ec) continue;
    auto sys = std::chrono::file_clock::to_sys(t);
    f.modified_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(sys.time_since_epoch()).count();
    out.push_back(std::move(f));
  }
  if (ec) return make_error(ErrorCode::kStorageUnavailable, "cannot list " + dir_);
  return out;
}

// ---------------------------------------------------------------- in the database

namespace {

// A store that cannot take or give the bytes is "storage unavailable" (503) to the caller,
// whatever the database said.
Error as_unavailable(const Error& e) {
  if (e.code == ErrorCode::kStorageUnavailable || e.code == ErrorCode::kNotFound) return e;
  return make_error(ErrorCode::kStorageUnavailable, "file store: " + e.detail);
}

}  // namespace

Status DatabaseFileStore::put(const std::string& key, const std::string& bytes) {
  if (!is_valid_file_key(key)) return make_error(ErrorCode::kInternal, "bad file key " + key);
  int64_t now = clock_.now_ms();
  Status st =
      db_.write([&](store::Session& s) { return store::file_blobs::put(s, key, bytes, now); });
  if (!st.ok()) return as_unavailable(st.error());
  return {};
}

Result<std::string> DatabaseFileStore::get(const std::string& key) {
  if (!is_valid_file_key(key)) return make_error(ErrorCode::kNotFound);
  auto r = db_.read_value<std::string>(
      [&](store::Session& s) { return store::file_blobs::get(s, key); });
  if (!r.ok()) return as_unavailable(r.error());
  return r;
}

Status DatabaseFileStore::remove(const std::string& key) {
  Status st = db_.write([&](store::Session& s) { return store::file_blobs::remove(s, key); });
  if (!st.ok()) return as_unavailable(st.error());
  return {};
}

Result<std::vector<StoredFile>> DatabaseFileStore::list() {
  auto r = db_.read_value<std::vector<store::file_blobs::Entry>>(
      [](store::Session& s) { return store::file_blobs::list(s); });
  if (!r.ok()) return as_unavailable(r.error());
  std::vector<StoredFile> out;
  out.reserve(r->size());
  for (auto& e : *r) out.push_back({std::move(e.key), e.modified_at});
  return out;
}

}  // namespace gj::app
