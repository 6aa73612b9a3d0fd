// Runs nx_reference.py (networkx) on the graph the engine dumped and compares every node.
#pragma once

#include <string>

#include "domain/access/access.hpp"

namespace gj::access::testing {

struct Comparison {
  bool ran = false;         // python3 with networkx answered
  std::string message;      // why not, or the first disagreement
  size_t pairs = 0;         // (node, type) pairs within the cutoff, engine side
  size_t mismatched = 0;    // pairs missing on one side or more than 1 m apart
  double max_abs_diff = 0;  // over pairs both sides have
};

Comparison compare_with_networkx(const WalkGraph& graph, const std::vector<TypeSeeds>& seeds,
                                 double cutoff_m);

}  // namespace gj::access::testing
