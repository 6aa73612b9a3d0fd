// Writes the searched graph as CSV so references run on exactly the same graph.
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "domain/access/access.hpp"

namespace gj::access {

namespace {
struct File {
  std::FILE* f = nullptr;
  ~File() {
    if (f) std::fclose(f);
  }
};
}  // namespace

Status dump_graph(const WalkGraph& graph, std::span<const TypeSeeds> seeds,
                  const std::string& directory) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) return make_error(ErrorCode::kIo, "cannot create " + directory + ": " + ec.message());
  auto open = [&](const char* name, File& file) -> Status {
    std::string p = directory + "/" + name;
    file.f = std::fopen(p.c_str(), "w");
    if (!file.f) return make_error(ErrorCode::kIo, "cannot write " + p);
    return {};
  };
  {
    // nodes.csv: every node, isolated ones included.
    File f;
    GJ_TRY(open("nodes.csv", f));
    std::fputs("osm_node_id,lat,lon\n", f.f);
    for (uint32_t v = 0; v < graph.node_count(); ++v)
      std::fprintf(f.f, "%lld,%.10f,%.10f\n", static_cast<long long>(graph.osm_id(v)),
                   graph.coord(v).lat, graph.coord(v).lon);
    if (std::ferror(f.f)) return make_error(ErrorCode::kIo, "write failed: nodes.csv");
  }
  {
    // edges.csv: each undirected edge once, with the exact length the engine uses.
    File f;
    GJ_TRY(open("edges.csv", f));
    std::fputs("u,v,length_m\n", f.f);
    for (uint32_t v = 0; v < graph.node_count(); ++v) {
      for (const auto& a : graph.arcs(v))
        if (v < a.to)
          std::fprintf(f.f, "%lld,%lld,%.9g\n", static_cast<long long>(graph.osm_id(v)),
                       static_cast<long long>(graph.osm_id(a.to)), static_cast<double>(a.length_m));
    }
    if (std::ferror(f.f)) return make_error(ErrorCode::kIo, "write failed: edges.csv");
  }
  {
    File f;
    GJ_TRY(open("seeds.csv", f));
    std::fputs("facility_type,osm_node_id,offset_m\n", f.f);
    for (const auto& ts : seeds)
      for (const auto& s : ts.seeds)
        std::fprintf(f.f, "%s,%lld,%.17g\n", ts.type.c_str(),
                     static_cast<long long>(graph.osm_id(s.node)), s.offset_m);
    if (std::ferror(f.f)) return make_error(ErrorCode::kIo, "write failed: seeds.csv");
  }
  return {};
}

}  // namespace gj::access
