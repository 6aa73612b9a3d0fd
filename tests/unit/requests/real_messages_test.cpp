// Duplicate suggestions and hot-issue clustering on real citizen messages (TipDM 2020 附件3,
// test data only: read from ../shared/data when present, never shipped). Messages posted more
// than once under the same subject are the ground truth for "the same issue".
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>

#include "common/csv.hpp"
#include "domain/requests/duplicates.hpp"
#include "domain/requests/metrics.hpp"

namespace gj::requests {
namespace {

using namespace std::chrono;

const std::string kPath =
    std::string(GJ_SHARED_DIR) + "/data/citizen-messages/attachment3_hot_issue_messages.csv";

// "2019/2/28 11:25:05" (or "2019-08-01 00:00:00") in local (UTC+8) time.
std::optional<TimePoint> parse_time(std::string s) {
  std::replace(s.begin(), s.end(), '-', '/');  // a few rows say 2019-08-01 00:00:00
  int y, mo, d, h = 0, mi = 0, se = 0;
  if (std::sscanf(s.c_str(), "%d/%d/%d %d:%d:%d", &y, &mo, &d, &h, &mi, &se) < 3)
    return std::nullopt;
  year_month_day ymd{year(y), month(unsigned(mo)), day(unsigned(d))};
  if (!ymd.ok()) return std::nullopt;
  return time_point_cast<milliseconds>(sys_days(ymd) + hours(h) + minutes(mi) + seconds(se) -
                                       minutes(kChinaUtcOffsetMinutes));
}

struct Corpus {
  std::vector<RequestSummary> rows;
  std::vector<std::string> subjects;
};

Corpus load() {
  Corpus c;
  auto table = csv::read_file(kPath);
  if (!table.ok()) return c;
  int id = table->column("留言编号"), subj = table->column("留言主题"),
      when = table->column("留言时间"), detail = table->column("留言详情");
  for (const auto& r : table->rows) {
    auto t = parse_time(r[when]);
    if (!t) continue;
    c.rows.push_back(
        {r[id], "", r[subj] + "\n" + r[detail], std::nullopt, "", *t, RequestStatus::kDispatched});
    c.subjects.push_back(r[subj]);
  }
  return c;
}

TEST(RealMessages, repeated_posts_of_one_issue_are_suggested_as_duplicates_at_intake) {
  if (!std::filesystem::exists(kPath)) GTEST_SKIP() << "no citizen-messages data";
  Corpus c = load();
  ASSERT_GT(c.rows.size(), 4000u);
  std::map<std::string, std::vector<size_t>> by_subject;
  for (size_t i = 0; i < c.rows.size(); ++i) by_subject[c.subjects[i]].push_back(i);

  DuplicateOptions o;
  o.category_match = CategoryMatch::kAny;  // this file has no categories
  o.window = hours(24 * 365 * 3);
  DuplicateFinder finder(o);
  int probes = 0, hits = 0;
  std::clock_t t0 = std::clock();  // CPU time: the machine is shared, wall time is noise
  for (const auto& [subject, idx] : by_subject) {
    if (idx.size() < 2 || probes >= 60) continue;
    // The latest post is the new request; every other post of the subject is a candidate,
    // among 300 unrelated messages.
    size_t probe = idx.back();
    std::vector<RequestSummary> cands;
    for (size_t k = 0; k + 1 < idx.size(); ++k) cands.push_back(c.rows[idx[k]]);
    for (size_t k = 0; k < c.rows.size() && cands.size() < idx.size() - 1 + 300; k += 13)
      if (c.subjects[k] != subject) cands.push_back(c.rows[k]);
    TimePoint now = c.rows[probe].received_at + hours(1);
    for (auto& cand : cands) cand.received_at = std::min(cand.received_at, now);
    auto out = finder.find(c.rows[probe], cands, now);
    ++probes;
    std::set<std::string> same;
    for (size_t k = 0; k + 1 < idx.size(); ++k) same.insert(c.rows[idx[k]].id);
    if (!out.empty() && same.count(out.front().id)) ++hits;
  }
  double ms = 1000.0 * double(std::clock() - t0) / CLOCKS_PER_SEC;
  double rate = probes ? double(hits) / probes : 0;
  std::printf(
      "[ measure  ] duplicates: top-1 is a same-subject post for %d of %d probes (%.1f %%),"
      " %.1f ms CPU per probe over ~300 candidates\n",
      hits, probes, 100 * rate, ms / std::max(1, probes));
  ASSERT_GE(probes, 50);
  EXPECT_GE(rate, 0.75);  // measured 49 of 60; a floor, not the figure
}

TEST(RealMessages, hot_issue_clustering_groups_posts_that_share_a_subject) {
  if (!std::filesystem::exists(kPath)) GTEST_SKIP() << "no citizen-messages data";
  Corpus c = load();
  ASSERT_EQ(c.rows.size(), 4326u);
  TimePoint lo = c.rows[0].received_at, hi = lo;
  for (const auto& r : c.rows) {
    lo = std::min(lo, r.received_at);
    hi = std::max(hi, r.received_at);
  }
  HotIssueOptions o;
  o.max_results = 100000;
  o.min_count = 1;
  std::clock_t t0 = std::clock();
  auto issues = cluster_hot_issues(c.rows, lo, lo, hi + seconds(1), o);
  double ms = 1000.0 * double(std::clock() - t0) / CLOCKS_PER_SEC;
  std::map<std::string, size_t> cluster_of;
  for (size_t i = 0; i < issues.size(); ++i)
    for (const auto& id : issues[i].request_ids) cluster_of[id] = i;
  std::map<std::string, std::vector<std::string>> by_subject;
  for (size_t i = 0; i < c.rows.size(); ++i) by_subject[c.subjects[i]].push_back(c.rows[i].id);
  int pairs = 0, together = 0;
  for (const auto& [s, ids] : by_subject)
    for (size_t k = 1; k < ids.size(); ++k) {
      ++pairs;
      if (cluster_of.at(ids[k]) == cluster_of.at(ids[0])) ++together;
    }
  std::printf(
      "[ measure  ] hot issues: %zu messages → %zu clusters in %.0f ms CPU; %d of %d "
      "same-subject pairs together (%.1f %%)\n",
      c.rows.size(), issues.size(), ms, together, pairs, 100.0 * together / pairs);
  EXPECT_EQ(pairs, 117);  // 104 subjects posted more than once
  EXPECT_GE(double(together) / pairs, 0.8);
  EXPECT_LT(issues.size(), c.rows.size());  // it does cluster
}

}  // namespace
}  // namespace gj::requests
