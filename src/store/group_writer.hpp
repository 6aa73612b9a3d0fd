// Internal: the one writer with group commit (LevelDB's DBImpl::Write / BuildBatchGroup), shared
// by both backends. Callers queue; the writer thread takes up to max_group queued calls, runs
// them in one transaction (each inside its own savepoint when there are several), commits once,
// then wakes each caller with its own status. The commit is the only fsync, so N concurrent callers
// pay for one.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "store/db.hpp"

namespace gj::store::detail {

// What the writer needs from a backend connection. Every call returns kStorageUnavailable when
// the connection or the disk failed.
class CommitTarget {
 public:
  virtual ~CommitTarget() = default;
  virtual Status ensure_connected() = 0;  // PostgreSQL reconnects here after a lost connection
  virtual Status begin() = 0;             // BEGIN IMMEDIATE (SQLite) / BEGIN (PostgreSQL)
  virtual Status savepoint() = 0;
  // Ends a call that returned OK. A code other than kStorageUnavailable means the target
  // found the call's work unusable, undid that call alone, and that code is its answer.
  virtual Status release() = 0;
  virtual Status rollback_to() = 0;  // ROLLBACK TO + RELEASE: undoes one call only
  // Ends a call that returned OK and ran alone, without a savepoint: as release(), a code
  // other than kStorageUnavailable is the call's answer (the writer then rolls back).
  virtual Status end_lone_call() { return {}; }
  virtual Status commit() = 0;
  virtual void rollback() = 0;  // best effort; leaves no open transaction
  virtual Session& session() = 0;
};

class GroupWriter {
 public:
  GroupWriter(CommitTarget& target, int max_group, std::shared_ptr<FaultInjector> faults);
  ~GroupWriter();
  GroupWriter(const GroupWriter&) = delete;
  GroupWriter& operator=(const GroupWriter&) = delete;

  // Queues fn and blocks until its group is committed (or failed). kShuttingDown after stop().
  Status submit(const std::function<Status(Session&)>& fn);
  // Stops accepting, lets the writer finish everything queued, joins the thread. Idempotent.
  void stop();
  WriterStats stats() const;

 private:
  struct Job {
    const std::function<Status(Session&)>* fn;
    Status result;
    bool done = false;
    std::condition_variable cv;
  };
  void run();
  void commit_group(std::vector<Job*>& group);
  Status run_in_savepoints(std::vector<Job*>& group, Session& session);

  CommitTarget& target_;
  const size_t max_group_;
  std::shared_ptr<FaultInjector> faults_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::deque<Job*> queue_;
  bool stopping_ = false;
  std::thread thread_;

  std::atomic<uint64_t> calls_{0}, commits_{0}, failed_commits_{0}, largest_group_{0};
};

}  // namespace gj::store::detail
