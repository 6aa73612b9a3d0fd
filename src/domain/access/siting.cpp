// Site suggestion 选址 as maximal covering (MCLP), lazy greedy.
//
// Only households not yet within reach matter, and only candidates within reach of one of them
// can gain anything; so the initial gains come from one bounded search per uncovered residence
// (reverse direction: the graph is undirected), not one per candidate. Greedy then re-evaluates
// the best candidate with one forward search; gains only shrink as sites are added
// (submodularity), so a re-evaluated gain still ≥ every stale one is the true maximum.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <queue>
#include <thread>

#include "domain/access/access.hpp"

namespace gj::access {

unsigned default_threads(unsigned requested, size_t jobs);

namespace {
// node → items attached there with an offset (CSR).
struct Attach {
  std::vector<uint32_t> start;
  std::vector<std::pair<uint32_t, float>> items;  // (item, offset)
  void build(uint32_t nodes, const std::vector<std::tuple<uint32_t, uint32_t, float>>& rows) {
    start.assign(nodes + 1, 0);
    for (auto& [v, i, o] : rows) ++start[v + 1];
    for (uint32_t v = 0; v < nodes; ++v) start[v + 1] += start[v];
    items.resize(rows.size());
    std::vector<uint32_t> fill(start.begin(), start.end() - 1);
    for (auto& [v, i, o] : rows) items[fill[v]++] = {i, o};
  }
};
}  // namespace

Result<SitingResult> suggest_sites(const WalkGraph& graph, std::span<const Residence> residences,
                                   const AccessReport& report, const SitingParams& params,
                                   const ProgressFn& progress) {
  auto tit = std::find(report.types.begin(), report.types.end(), params.type);
  if (tit == report.types.end())
    return make_error(ErrorCode::kInvalidInput, "no distances for type '" + params.type + "'",
                      "type");
  if (params.k < 1 || params.k > 10000)
    return make_error(ErrorCode::kInvalidInput, "k must be between 1 and 10000", "k");
  if (!(params.reach_m > 0) || params.reach_m > report.cutoff_m + 1e-9)
    return make_error(ErrorCode::kInvalidInput,
                      "reach must be positive and within the distance cut-off", "reach_m");
  if (report.anchors.size() != residences.size())
    return make_error(ErrorCode::kInvalidInput, "the report belongs to other residences");
  const size_t t = tit - report.types.begin(), nt = report.types.size();
  const uint32_t n = graph.node_count();
  const double reach = params.reach_m;

  SitingResult out;
  // Demand: homes on the network still beyond reach of every existing facility.
  std::vector<uint32_t> demand;
  for (uint32_t r = 0; r < residences.size(); ++r) {
    out.households_total += residences[r].households;
    if (report.residence_dist_m[r * nt + t] <= reach)
      out.households_covered_before += residences[r].households;
    else if (report.anchors[r].placed() && residences[r].households > 0)
      demand.push_back(r);
  }

  // Candidates: every node, or the given points snapped onto the network.
  const bool all_nodes = params.candidates.empty();
  const uint32_t nc = all_nodes ? n : static_cast<uint32_t>(params.candidates.size());
  std::vector<Anchor> cand_anchor;
  Attach cand_at;
  if (!all_nodes) {
    std::vector<std::tuple<uint32_t, uint32_t, float>> rows;
    for (uint32_t c = 0; c < nc; ++c) {
      Anchor a = graph.snap(params.candidates[c], params.max_snap_m);
      for (int i = 0; i < a.count; ++i)
        rows.emplace_back(a.seeds[i].node, c, static_cast<float>(a.seeds[i].offset_m));
      cand_anchor.push_back(a);
    }
    cand_at.build(n, rows);
  }
  Attach dem_at;
  {
    std::vector<std::tuple<uint32_t, uint32_t, float>> rows;
    for (uint32_t r : demand) {
      const auto& a = report.anchors[r];
      for (int i = 0; i < a.count; ++i)
        rows.emplace_back(a.seeds[i].node, r, static_cast<float>(a.seeds[i].offset_m));
    }
    dem_at.build(n, rows);
  }

  // Initial gains: one reverse search per uncovered home, spread over threads.
  const unsigned nth = default_threads(params.threads, std::max<size_t>(1, demand.size() / 64));
  std::vector<std::vector<double>> part(nth, std::vector<double>(nc, 0.0));
  // Every node a candidate: chains wholly inside a ball are counted once per chain (add_ball).
  const auto chains = graph.chains();
  std::vector<std::vector<double>> chain_part(
      all_nodes ? nth : 0, std::vector<double>(all_nodes ? chains.size() : 0, 0.0));
  std::atomic<size_t> next{0};
  auto worker = [&](unsigned w) {
    BoundedSearch search(graph);
    auto& gain = part[w];
    std::vector<uint32_t> stamp(all_nodes ? 0 : nc, UINT32_MAX);
    for (size_t i; (i = next.fetch_add(1)) < demand.size();) {
      const uint32_t r = demand[i];
      const auto& a = report.anchors[r];
      const double wgt = residences[r].households;
      if (all_nodes) {
        search.add_ball({a.seeds.data(), a.count}, reach, wgt, gain.data(), chain_part[w].data());
        continue;
      }
      const auto& reached = search.ball({a.seeds.data(), a.count}, reach);
      for (const auto& x : reached) {
        const uint32_t v = x.node;
        const double d = x.dist_m;
        for (uint32_t k = cand_at.start[v]; k < cand_at.start[v + 1]; ++k) {
          auto [c, off] = cand_at.items[k];
          if (d + off <= reach && stamp[c] != r) {
            stamp[c] = r;
            gain[c] += wgt;
          }
        }
      }
    }
  };
  {
    std::vector<std::thread> pool;
    for (unsigned w = 1; w < nth; ++w) pool.emplace_back(worker, w);
    worker(0);
    for (auto& th : pool) th.join();
  }
  std::vector<double> gain = std::move(part[0]);
  for (unsigned w = 1; w < nth; ++w)
    for (uint32_t c = 0; c < nc; ++c) gain[c] += part[w][c];
  if (all_nodes)
    for (size_t c = 0; c + 1 < chains.size(); ++c) {
      double add = 0;
      for (unsigned w = 0; w < nth; ++w) add += chain_part[w][c];
      if (add != 0)
        for (uint32_t v = chains[c].first; v < chains[c + 1].first; ++v) gain[v] += add;
    }
  if (progress) progress("siting gains", 1.0);

  // Lazy greedy. Ties go to the lower candidate index so results are reproducible.
  using Item = std::pair<double, int64_t>;  // (gain, -candidate)
  std::priority_queue<Item> heap;
  for (uint32_t c = 0; c < nc; ++c)
    if (gain[c] > 0) heap.emplace(gain[c], -static_cast<int64_t>(c));
  std::vector<char> covered(residences.size(), 0);
  std::vector<uint32_t> seen(residences.size(), UINT32_MAX);
  BoundedSearch search(graph);
  std::vector<uint32_t> newly;
  uint32_t eval_id = 0;
  auto evaluate = [&](uint32_t c) {
    newly.clear();
    double g = 0;
    Seed node_seed{c, 0.0};
    std::span<const Seed> seeds =
        all_nodes ? std::span<const Seed>(&node_seed, 1)
                  : std::span<const Seed>(cand_anchor[c].seeds.data(), cand_anchor[c].count);
    ++eval_id;
    for (const auto& x : search.ball(seeds, reach)) {
      const uint32_t v = x.node;
      const double d = x.dist_m;
      for (uint32_t k = dem_at.start[v]; k < dem_at.start[v + 1]; ++k) {
        auto [r, off] = dem_at.items[k];
        if (covered[r] || seen[r] == eval_id || d + off > reach) continue;
        seen[r] = eval_id;
        g += residences[r].households;
        newly.push_back(r);
      }
    }
    return g;
  };
  double covered_hh = out.households_covered_before;
  while (static_cast<int>(out.sites.size()) < params.k && !heap.empty()) {
    auto [stale, negc] = heap.top();
    heap.pop();
    const auto c = static_cast<uint32_t>(-negc);
    const double g = evaluate(c);
    if (g <= 0) continue;
    if (!heap.empty() && g + 1e-9 < heap.top().first) {
      heap.emplace(g, negc);
      continue;
    }
    SiteSuggestion s;
    s.rank = static_cast<int>(out.sites.size()) + 1;
    if (all_nodes) {
      s.candidate = graph.osm_id(c);
      s.point = graph.coord(c);
    } else {
      s.candidate = c;
      s.point = params.candidates[c];
    }
    s.households_added = g;
    s.residences_added = newly.size();
    for (uint32_t r : newly) covered[r] = 1;
    covered_hh += g;
    s.households_covered_after = covered_hh;
    out.sites.push_back(s);
    if (progress) progress("siting", static_cast<double>(out.sites.size()) / params.k);
  }
  return out;
}

}  // namespace gj::access
