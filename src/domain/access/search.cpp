// Bounded multi-source shortest paths over the walking graph.
//
// Why a bucket queue over exact doubles: distances must match networkx within 1 m, so edge
// lengths stay exact (float per edge, double sums) instead of rounded integer metres. Buckets
// are Δ metres wide (Δ ≈ 1 m); inside a bucket nodes are scanned in arrival order and a node
// improved again is simply queued again (label correcting, as in Δ-stepping). Since no edge
// leads to a lower bucket, every distance is final once its bucket is empty: the result is exact
// Dijkstra, without a heap's log factor.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "domain/access/access.hpp"

namespace gj::access {

struct BoundedSearch::Impl {
  explicit Impl(const WalkGraph& graph)
      : g(graph), dist(graph.node_count(), std::numeric_limits<float>::infinity()) {
    touched.reserve(graph.node_count());
  }

  // The search proper, over a label array `dist` (kInf where unlabelled). With kTrack the
  // labelled nodes are listed in `touched` so a shared workspace can be reset afterwards.
  template <bool kTrack>
  void relax(std::span<const Seed> seeds, double cutoff, float* dist) {
    relax_on<kTrack>(g.offsets().data(), g.all_arcs().data(), seeds, cutoff, dist);
  }

  // Over any CSR (the full graph, or the core graph of junctions and chains).
  template <bool kTrack>
  void relax_on(const uint32_t* offsets, const WalkGraph::Arc* arcs, std::span<const Seed> seeds,
                double cutoff, float* dist, double min_delta = 1.0) {
    if (!(cutoff >= 0)) return;
    const double delta = std::max(min_delta, cutoff / 8192.0);
    const auto max_bucket = static_cast<size_t>(cutoff / delta);
    size_t nb = 1;  // a power of two ≥ max_bucket + 2, so the ring index is a mask
    while (nb < max_bucket + 2) nb <<= 1;
    const size_t mask = nb - 1;
    if (buckets.size() < nb) buckets.resize(nb);
    const double inv = 1.0 / delta;
    const float fcut = static_cast<float>(cutoff);
    // Labels are stored as float (4 bytes a node: half the memory of double at 1 M nodes);
    // the bucket always comes from the stored value so scans and pushes agree. Sums are formed
    // in double; the float rounding (< 0.1 mm at 1 km) is far inside the 1 m budget.
    // Entries queued and not yet scanned: when none is left the search stops, instead of
    // stepping through the empty buckets up to the cut-off (a thousand of them for a 1,125 m
    // ball, which dominated the many small balls of site suggestion).
    size_t queued = 0;
    for (const auto& s : seeds) {
      const float fd = static_cast<float>(std::max(0.0, s.offset_m));
      if (fd > fcut || !(fd < dist[s.node])) continue;
      if (kTrack && dist[s.node] == kInf) touched.push_back(s.node);
      dist[s.node] = fd;
      buckets[static_cast<size_t>(fd * inv) & mask].push_back(s.node);
      ++queued;
    }
    for (size_t b = 0; b <= max_bucket && queued > 0; ++b) {
      auto& bucket = buckets[b & mask];
      if (bucket.empty()) continue;
      for (size_t i = 0; i < bucket.size(); ++i) {
        const uint32_t u = bucket[i];
        const double du = dist[u];  // exactly the stored float
        // An entry whose node has since improved into an earlier bucket is stale. A node
        // improved within this bucket is queued twice; the second scan finds nothing to relax.
        if (static_cast<size_t>(du * inv) != b) continue;
        for (uint32_t k = offsets[u], end = offsets[u + 1]; k < end; ++k) {
          const float nd = static_cast<float>(du + arcs[k].length_m);
          const uint32_t v = arcs[k].to;
          if (nd <= fcut && nd < dist[v]) {
            if (kTrack && dist[v] == kInf) touched.push_back(v);
            dist[v] = nd;
            buckets[static_cast<size_t>(nd * inv) & mask].push_back(v);
            ++queued;
          }
        }
      }
      queued -= bucket.size();
      bucket.clear();
    }
  }

  template <typename Visit>
  void search(std::span<const Seed> seeds, double cutoff, Visit&& visit) {
    relax<true>(seeds, cutoff, dist.data());
    for (uint32_t v : touched) {
      visit(v, dist[v]);
      dist[v] = kInf;
    }
    touched.clear();
  }

  static constexpr float kInf = std::numeric_limits<float>::infinity();

  const WalkGraph& g;
  // run_ball: chains ending at each core node, and a visited mark per chain.
  std::vector<uint32_t> incidence_start, incidence, chain_stamp;
  uint32_t stamp = 0;
  std::vector<Seed> core_seeds;
  struct InChain {
    uint32_t chain;
    double pos, offset;
  };
  std::vector<InChain> in_chain;  // ball(): seeds inside chains
  std::vector<BoundedSearch::Reached> reached;
  std::vector<float> dist;
  std::vector<uint32_t> touched;
  std::vector<std::vector<uint32_t>> buckets;
};

BoundedSearch::BoundedSearch(const WalkGraph& graph) : impl_(new Impl(graph)) {}
BoundedSearch::~BoundedSearch() {
  delete impl_;
}
BoundedSearch::BoundedSearch(BoundedSearch&& o) noexcept : impl_(o.impl_) {
  o.impl_ = nullptr;
}

void BoundedSearch::run(std::span<const Seed> seeds, double cutoff_m,
                        const std::function<void(uint32_t, double)>& visit) {
  impl_->search(seeds, cutoff_m, [&](uint32_t v, double d) { visit(v, d); });
}

void BoundedSearch::run_all_nodes(std::span<const Seed> seeds, double cutoff_m, float* out) {
  // Search the core graph (junctions and dead ends joined by whole chains), then fill every
  // chain's interior in one sequential pass: a node inside a chain is reached through one of
  // the chain's two ends, or from a facility inside the same chain.
  const WalkGraph& g = impl_->g;
  const uint32_t core = g.core_node_count();
  const auto chains = g.chains();
  struct InChain {
    uint32_t chain;
    double pos, offset;
  };
  std::vector<Seed> core_seeds;
  std::vector<InChain> in_chain;
  for (const auto& s : seeds) {
    if (s.node < core) {
      core_seeds.push_back(s);
      continue;
    }
    const uint32_t c = g.chain_of(s.node);
    double pos = 0;
    for (uint32_t v = chains[c].first; v <= s.node; ++v) pos += g.back_step(v);
    const double off = std::max(0.0, s.offset_m);
    core_seeds.push_back({chains[c].a, off + pos});
    core_seeds.push_back({chains[c].b, off + std::max(0.0, chains[c].length_m - pos)});
    in_chain.push_back({c, pos, off});
  }
  std::sort(in_chain.begin(), in_chain.end(),
            [](const InChain& x, const InChain& y) { return x.chain < y.chain; });
  impl_->relax_on<false>(g.core_offsets().data(), g.core_arcs().data(), core_seeds, cutoff_m, out);
  const float fcut = static_cast<float>(cutoff_m);
  size_t si = 0;
  for (uint32_t c = 0; c + 1 < chains.size(); ++c) {
    const auto& ch = chains[c];
    const double da = out[ch.a], db = out[ch.b];
    while (si < in_chain.size() && in_chain[si].chain < c) ++si;
    const size_t s_end = [&] {
      size_t e = si;
      while (e < in_chain.size() && in_chain[e].chain == c) ++e;
      return e;
    }();
    if (da == kUnreached && db == kUnreached && si == s_end) continue;
    double pos = 0;
    for (uint32_t v = ch.first; v < chains[c + 1].first; ++v) {
      pos += g.back_step(v);
      double d = std::min(da + pos, db + (ch.length_m - pos));
      for (size_t k = si; k < s_end; ++k)
        d = std::min(d, in_chain[k].offset + std::abs(pos - in_chain[k].pos));
      const auto fd = static_cast<float>(d);
      if (fd <= fcut) out[v] = fd;
    }
  }
}

// Bucket width of the small balls: with 1 m buckets a 1,125 m ball steps through ~1,100
// mostly empty buckets for a few hundred core nodes. Wider buckets stay exact (a node improved
// inside its bucket is scanned again, and no edge leads to an earlier bucket); they cost a few
// re-scans instead. cutoff/32 (35 m at 1,125 m) measured best among 1, 8, 16, 35, 40, 80,
// 150 and 300 m (docs/access.md, "Siting"). GJ_BALL_DELTA overrides it for measurements.
double ball_delta(double cutoff_m) {
  static const double fixed = [] {
    const char* e = std::getenv("GJ_BALL_DELTA");
    return e ? std::atof(e) : 0.0;
  }();
  if (fixed > 0) return fixed;
  return std::max(1.0, cutoff_m / 32.0);
}

void BoundedSearch::run_ball(std::span<const Seed> seeds, double cutoff_m,
                             const std::function<void(uint32_t, double)>& visit) {
  for (const auto& r : ball(seeds, cutoff_m)) visit(r.node, r.dist_m);
}

// The balls of site suggestion: the queue only sees core nodes; chains next to a labelled core
// node (or holding a seed) are walked afterwards. Balls of a kilometre visit a few thousand
// nodes, two thirds of them inside chains. `whole(c, da, db)` may take a chain as a whole
// (then its nodes are not visited one by one); `visit(node, dist)` gets every other node.
template <typename Whole, typename Visit>
void ball_search(BoundedSearch::Impl& I, std::span<const Seed> seeds, double cutoff_m,
                 Whole&& whole, Visit&& visit) {
  const WalkGraph& g = I.g;
  const uint32_t core = g.core_node_count();
  const auto chains = g.chains();
  if (I.incidence_start.empty()) {
    // core node → chains ending there (CSR), built on first use.
    I.incidence_start.assign(core + 1, 0);
    for (size_t c = 0; c + 1 < chains.size(); ++c) {
      ++I.incidence_start[chains[c].a + 1];
      if (chains[c].b != chains[c].a) ++I.incidence_start[chains[c].b + 1];
    }
    for (uint32_t v = 0; v < core; ++v) I.incidence_start[v + 1] += I.incidence_start[v];
    I.incidence.resize(I.incidence_start.back());
    std::vector<uint32_t> fill(I.incidence_start.begin(), I.incidence_start.end() - 1);
    for (size_t c = 0; c + 1 < chains.size(); ++c) {
      I.incidence[fill[chains[c].a]++] = static_cast<uint32_t>(c);
      if (chains[c].b != chains[c].a) I.incidence[fill[chains[c].b]++] = static_cast<uint32_t>(c);
    }
    I.chain_stamp.assign(chains.size(), 0);
  }
  I.core_seeds.clear();
  auto& in_chain = I.in_chain;
  in_chain.clear();
  for (const auto& s : seeds) {
    if (s.node < core) {
      I.core_seeds.push_back(s);
      continue;
    }
    const uint32_t c = g.chain_of(s.node);
    double pos = 0;
    for (uint32_t v = chains[c].first; v <= s.node; ++v) pos += g.back_step(v);
    const double off = std::max(0.0, s.offset_m);
    I.core_seeds.push_back({chains[c].a, off + pos});
    I.core_seeds.push_back({chains[c].b, off + std::max(0.0, chains[c].length_m - pos)});
    in_chain.push_back({c, pos, off});
  }
  I.relax_on<true>(g.core_offsets().data(), g.core_arcs().data(), I.core_seeds, cutoff_m,
                   I.dist.data(), ball_delta(cutoff_m));
  if (++I.stamp == 0) {  // wrapped: clear old stamps
    std::fill(I.chain_stamp.begin(), I.chain_stamp.end(), 0);
    I.stamp = 1;
  }
  const float fcut = static_cast<float>(cutoff_m);
  auto walk_chain = [&](uint32_t c, bool may_be_whole) {
    if (I.chain_stamp[c] == I.stamp) return;
    I.chain_stamp[c] = I.stamp;
    const auto& ch = chains[c];
    const double da = I.dist[ch.a], db = I.dist[ch.b];
    if (may_be_whole && whole(c, da, db)) return;
    double pos = 0;
    for (uint32_t v = ch.first; v < chains[c + 1].first; ++v) {
      pos += g.back_step(v);
      double d = std::min(da + pos, db + (ch.length_m - pos));
      for (const auto& sc : in_chain)
        if (sc.chain == c) d = std::min(d, sc.offset + std::abs(pos - sc.pos));
      const auto fd = static_cast<float>(d);
      if (fd <= fcut) visit(v, fd);
    }
  };
  for (const auto& sc : in_chain) walk_chain(sc.chain, false);  // a seed inside: node by node
  for (uint32_t u : I.touched)
    for (uint32_t k = I.incidence_start[u]; k < I.incidence_start[u + 1]; ++k)
      walk_chain(I.incidence[k], true);
  for (uint32_t u : I.touched) {
    visit(u, I.dist[u]);
    I.dist[u] = BoundedSearch::Impl::kInf;
  }
  I.touched.clear();
}

const std::vector<BoundedSearch::Reached>& BoundedSearch::ball(std::span<const Seed> seeds,
                                                               double cutoff_m) {
  impl_->reached.clear();
  ball_search(
      *impl_, seeds, cutoff_m, [](uint32_t, double, double) { return false; },
      [&](uint32_t v, float d) {
        impl_->reached.push_back({v, d});
      });
  return impl_->reached;
}

void BoundedSearch::add_ball(std::span<const Seed> seeds, double cutoff_m, double weight,
                             double* node_gain, double* chain_gain) {
  // A chain whose farthest interior point from the ball's centre, (da + db + length) / 2, is
  // within the cut-off lies wholly inside: one addition for the chain instead of one per node
  // (most chains of a 1 km ball). Monotone rounding keeps this the same set as node by node.
  const auto chains = impl_->g.chains();
  ball_search(
      *impl_, seeds, cutoff_m,
      [&](uint32_t c, double da, double db) {
        if (!((da + db + chains[c].length_m) * 0.5 <= cutoff_m)) return false;
        chain_gain[c] += weight;
        return true;
      },
      [&](uint32_t v, float) { node_gain[v] += weight; });
}

void BoundedSearch::run_into(std::span<const Seed> seeds, double cutoff_m, float* out) {
  // Searches straight in the caller's array (all kUnreached): no copy, no reset pass.
  impl_->relax<false>(seeds, cutoff_m, out);
}

unsigned default_threads(unsigned requested, size_t jobs) {
  unsigned t = requested ? requested : std::max(1u, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::max<size_t>(1, std::min<size_t>(t, jobs)));
}

unsigned search_threads(size_t nodes, size_t types) {
  // Types run in parallel only when the work pays for a second thread: below about
  // kParallelMinWork node×type pairs a search takes a few milliseconds, and starting a thread
  // and sharing the memory bus (on a machine whose cores are busy with other work) costs more
  // than it saves. Measured in docs/access.md ("Threads").
  if (nodes * types < kParallelMinWork) return 1;
  return default_threads(0, types);
}

NodeDistances nearest_facility_distances(const WalkGraph& graph, std::span<const TypeSeeds> seeds,
                                         double cutoff_m, unsigned threads,
                                         const ProgressFn& progress) {
  NodeDistances out;
  out.cutoff_m = cutoff_m;
  out.dist_m.resize(seeds.size());
  for (const auto& s : seeds) out.types.push_back(s.type);
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::mutex progress_mu;
  auto worker = [&] {
    BoundedSearch search(graph);
    for (size_t t; (t = next.fetch_add(1)) < seeds.size();) {
      auto& d = out.dist_m[t];
      d.assign(graph.node_count(), kUnreached);
      search.run_all_nodes(seeds[t].seeds, cutoff_m, d.data());
      if (progress) {
        std::lock_guard lock(progress_mu);  // counted under the lock so reports stay in order
        progress("search " + seeds[t].type, static_cast<double>(++done) / seeds.size());
      }
    }
  };
  const unsigned nt = threads ? default_threads(threads, seeds.size())
                              : search_threads(graph.node_count(), seeds.size());
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < nt; ++i) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();
  return out;
}

}  // namespace gj::access
