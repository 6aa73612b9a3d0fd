#include "store/group_writer.hpp"

#include <exception>

#include "common/log.hpp"

namespace gj::store::detail {

namespace {
// Set on the writer thread: a write() issued from inside a write() would wait on itself.
thread_local const GroupWriter* tl_current_writer = nullptr;

Error unavailable(const std::string& why) {
  return make_error(ErrorCode::kStorageUnavailable, why);
}
}  // namespace

GroupWriter::GroupWriter(CommitTarget& target, int max_group, std::shared_ptr<FaultInjector> faults)
    : target_(target),
      max_group_(static_cast<size_t>(max_group < 1 ? 1 : max_group)),
      faults_(std::move(faults)) {
  thread_ = std::thread([this] { run(); });
}

GroupWriter::~GroupWriter() {
  stop();
}

Status GroupWriter::submit(const std::function<Status(Session&)>& fn) {
  if (tl_current_writer == this) {
    return make_error(ErrorCode::kInternal, "write() called from inside a write()");
  }
  Job job;
  job.fn = &fn;
  std::unique_lock lk(mu_);
  if (stopping_) return make_error(ErrorCode::kShuttingDown, "store is closing");
  queue_.push_back(&job);
  work_cv_.notify_one();
  job.cv.wait(lk, [&] { return job.done; });
  return std::move(job.result);
}

void GroupWriter::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

WriterStats GroupWriter::stats() const {
  WriterStats s;
  s.calls = calls_.load();
  s.commits = commits_.load();
  s.failed_commits = failed_commits_.load();
  s.largest_group = largest_group_.load();
  std::lock_guard lk(mu_);
  s.queued = queue_.size();
  return s;
}

void GroupWriter::run() {
  tl_current_writer = this;
  std::vector<Job*> group;
  group.reserve(max_group_);
  for (;;) {
    {
      std::unique_lock lk(mu_);
      work_cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
      // Draining on stop: queued calls were accepted, so they are committed before we exit.
      if (queue_.empty()) return;
      while (!queue_.empty() && group.size() < max_group_) {
        group.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    commit_group(group);
    {
      std::lock_guard lk(mu_);
      for (Job* j : group) {
        j->done = true;
        j->cv.notify_one();
      }
    }
    group.clear();
  }
}

// Each call of a group in its own savepoint, so a failing call is undone alone and the others
// still commit. A non-ok Status means the transaction itself is lost.
Status GroupWriter::run_in_savepoints(std::vector<Job*>& group, Session& session) {
  Status st;
  for (Job* j : group) {
    Status sp = target_.savepoint();
    if (!sp.ok()) {
      st = sp;
      break;
    }
    Status r;
    try {
      r = (*j->fn)(session);
    } catch (const std::exception& e) {
      r = make_error(ErrorCode::kInternal, std::string("exception in write: ") + e.what());
    }
    Status end = r.ok() ? target_.release() : target_.rollback_to();
    j->result = std::move(r);
    if (!end.ok()) {
      // Any other code means the target undid this call alone (see CommitTarget::release).
      if (end.error().code != ErrorCode::kStorageUnavailable) {
        j->result = end;
        continue;
      }
      st = end;
      break;
    }
  }

  return st;
}

void GroupWriter::commit_group(std::vector<Job*>& group) {
  calls_ += group.size();
  auto fail_all = [&](const std::string& why) {
    ++failed_commits_;
    for (Job* j : group) j->result = unavailable(why);
  };

  Status st = target_.ensure_connected();
  if (st.ok()) st = target_.begin();
  if (!st.ok()) {
    target_.rollback();
    fail_all(st.error().detail);
    log::warn("store.begin_failed", {{"detail", st.error().detail}});
    return;
  }

  Session& session = target_.session();
  if (group.size() == 1) {
    // A call alone needs no savepoint: the transaction is its undo. Besides a round trip on
    // PostgreSQL, this spares SQLite a cost that grows with the call: while a savepoint is open
    // every statement's own journal is kept, and ending each statement got slower as a large
    // call (an import of 100,000 grids) went on: quadratic, 37 s instead of 3 s.
    Job* j = group.front();
    Status r;
    try {
      r = (*j->fn)(session);
    } catch (const std::exception& e) {
      r = make_error(ErrorCode::kInternal, std::string("exception in write: ") + e.what());
    }
    if (r.ok()) r = target_.end_lone_call();
    if (!r.ok()) {
      target_.rollback();
      j->result = std::move(r);
      return;
    }
  } else {
    st = run_in_savepoints(group, session);
  }

  if (st.ok() && faults_ && faults_->fail_commit()) {
    st = unavailable("injected commit failure");
  }
  if (st.ok()) st = target_.commit();
  if (!st.ok()) {
    // Nothing of this group is stored: every caller hears so, even one whose own fn failed.
    target_.rollback();
    fail_all(st.error().detail);
    log::warn("store.commit_failed",
              {{"detail", st.error().detail}, {"calls", std::to_string(group.size())}});
    return;
  }
  ++commits_;
  uint64_t n = group.size(), prev = largest_group_.load();
  while (n > prev && !largest_group_.compare_exchange_weak(prev, n)) {
  }
}

}  // namespace gj::store::detail
