#include "nx_compare.hpp"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "common/csv.hpp"

namespace gj::access::testing {

Comparison compare_with_networkx(const WalkGraph& graph, const std::vector<TypeSeeds>& seeds,
                                 double cutoff_m) {
  Comparison c;
  namespace fs = std::filesystem;
  std::random_device rd;
  fs::path dir = fs::temp_directory_path() / ("gj-nx-" + std::to_string(rd()));
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } cleanup{dir};
  if (auto s = dump_graph(graph, seeds, dir.string()); !s) {
    c.message = s.error().detail;
    return c;
  }
  const std::string ref = (dir / "reference.csv").string();
  // Debian's interpreter with python3-networkx, whatever python3 a PATH may put first.
  const char* py = std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3 " : "python3 ";
  const std::string cmd = std::string(py) + GJ_SOURCE_DIR + "/tests/unit/access/nx_reference.py " +
                          dir.string() + " " + std::to_string(cutoff_m) + " " + ref;
  if (std::system(cmd.c_str()) != 0) {
    c.message = "the networkx reference failed: " + cmd;
    return c;
  }
  c.ran = true;
  auto table = csv::read_file(ref);
  if (!table) {
    c.message = "cannot read " + ref;
    c.ran = false;
    return c;
  }
  std::map<std::pair<int64_t, std::string>, double> want;
  for (const auto& row : table->rows) want[{std::stoll(row[0]), row[1]}] = std::stod(row[2]);
  auto d = nearest_facility_distances(graph, seeds, cutoff_m, 2);
  for (size_t t = 0; t < d.types.size(); ++t) {
    for (uint32_t v = 0; v < graph.node_count(); ++v) {
      const float got = d.dist_m[t][v];
      auto it = want.find({graph.osm_id(v), d.types[t]});
      if (got == kUnreached) {
        // Only a pair sitting on the cutoff itself may fall on either side of it.
        if (it != want.end() && std::abs(it->second - cutoff_m) > 1e-3) {
          ++c.mismatched;
          if (c.message.empty())
            c.message = "node " + std::to_string(graph.osm_id(v)) + " " + d.types[t] +
                        ": engine unreached, networkx " + std::to_string(it->second);
        }
        continue;
      }
      ++c.pairs;
      if (it == want.end()) {
        if (std::abs(got - cutoff_m) > 1e-3) {
          ++c.mismatched;
          if (c.message.empty())
            c.message = "node " + std::to_string(graph.osm_id(v)) + " " + d.types[t] +
                        ": networkx unreached, engine " + std::to_string(got);
        }
        continue;
      }
      const double diff = std::abs(got - it->second);
      c.max_abs_diff = std::max(c.max_abs_diff, diff);
      if (diff > 1.0) {
        ++c.mismatched;
        if (c.message.empty())
          c.message = "node " + std::to_string(graph.osm_id(v)) + " " + d.types[t] + ": engine " +
                      std::to_string(got) + ", networkx " + std::to_string(it->second);
      }
      want.erase(it);
    }
  }
  // Anything networkx still has was never reported by the engine: already counted above for
  // unreached nodes, so nothing else may remain.
  return c;
}

}  // namespace gj::access::testing
