#include "import/osm/osm_reader.hpp"

#include <algorithm>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <osmium/io/any_input.hpp>
#include <osmium/osm/node.hpp>
#include <osmium/osm/way.hpp>
#include <sstream>

namespace gj::osm {

namespace {

bool contains(const char* v, const char* needle) {
  return v && std::strstr(v, needle);
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
  return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}

}  // namespace

bool is_walkable_way(const TagLookup& tag) {
  const char* hw = tag("highway");
  if (!hw) return false;
  if (contains(tag("area"), "yes")) return false;
  static const char* kExcluded[] = {"abandoned", "bus_guideway", "construction", "cycleway",
                                    "motor",     "planned",      "platform",     "proposed",
                                    "raceway",   "razed"};
  for (const char* x : kExcluded)
    if (contains(hw, x)) return false;
  if (contains(tag("foot"), "no")) return false;
  if (contains(tag("access"), "private")) return false;
  if (contains(tag("service"), "private")) return false;
  return true;
}

bool is_residential_building(const TagLookup& tag) {
  const char* b = tag("building");
  if (!b) return false;
  static const char* kHomes[] = {"residential",        "apartments", "house",    "detached",
                                 "semidetached_house", "terrace",    "bungalow", "dormitory"};
  for (const char* h : kHomes)
    if (std::strcmp(b, h) == 0) return true;
  return false;
}

std::vector<std::string> TypeMapping::types() const {
  std::vector<std::string> out;
  for (const auto& r : rules)
    if (std::find(out.begin(), out.end(), r.type) == out.end()) out.push_back(r.type);
  return out;
}

TypeMapping TypeMapping::defaults() {
  // Issue 5's defaults: medical 医疗, school 学校, elderly care 养老, market 市场, community
  // service 社区服务.
  return *parse(
      "medical amenity=clinic|hospital|doctors\n"
      "school amenity=school|kindergarten\n"
      "elderly amenity=social_facility|nursing_home\n"
      "elderly social_facility=nursing_home|assisted_living\n"
      "market amenity=marketplace\n"
      "market shop=supermarket\n"
      "community amenity=community_centre\n");
}

Result<TypeMapping> TypeMapping::parse(std::string_view text) {
  TypeMapping m;
  std::istringstream in{std::string(text)};
  std::string line;
  int no = 0;
  while (std::getline(in, line)) {
    ++no;
    auto hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    std::string l = trim(line);
    if (l.empty()) continue;
    auto sp = l.find_first_of(" \t");
    auto bad = [&](const std::string& why) {
      return make_error(ErrorCode::kInvalidInput, "type mapping line " + std::to_string(no) + ": " +
                                                      why + " (expected: TYPE key=value|value…)");
    };
    if (sp == std::string::npos) return bad("no tag rule");
    TagRule r;
    r.type = l.substr(0, sp);
    std::string rule = trim(l.substr(sp));
    auto eq = rule.find('=');
    if (eq == std::string::npos || eq == 0) return bad("no key=value");
    r.key = trim(rule.substr(0, eq));
    std::string vals = trim(rule.substr(eq + 1));
    if (vals.empty()) return bad("no value");
    if (vals != "*") {
      std::istringstream vs(vals);
      for (std::string v; std::getline(vs, v, '|');)
        if (!trim(v).empty()) r.values.push_back(trim(v));
    }
    if (r.type.find(',') != std::string::npos) return bad("a type name may not hold a comma");
    m.rules.push_back(std::move(r));
  }
  if (m.rules.empty()) return make_error(ErrorCode::kInvalidInput, "the type mapping is empty");
  return m;
}

Result<TypeMapping> TypeMapping::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(ErrorCode::kIo, "cannot read type mapping " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto m = parse(ss.str());
  if (!m) return make_error(m.error().code, path + ": " + m.error().detail);
  return m;
}

namespace {

struct Loc {
  int64_t id;
  osmium::Location loc;
  bool operator<(const Loc& o) const { return id < o.id; }
};

class Collector {
 public:
  Collector(const TypeMapping& m, OsmExtract& out) : mapping_(m), out_(out) {}

  void node(const osmium::Node& n) {
    ++out_.nodes_read;
    if (!n.location().valid()) return;
    if (!locs_.empty() && n.id() <= locs_.back().id) sorted_ = false;
    locs_.push_back({n.id(), n.location()});
    if (n.tags().empty()) return;
    TagLookup tag = [&](const char* k) { return n.tags().get_value_by_key(k); };
    access::GeoPoint p{n.location().lat(), n.location().lon()};
    add_pois(tag, p, n.id(), n.id());
  }

  Status way(const osmium::Way& w) {
    ++out_.ways_read;
    const auto& tags = w.tags();
    if (tags.empty()) return {};
    TagLookup tag = [&](const char* k) { return tags.get_value_by_key(k); };
    const bool walk = is_walkable_way(tag);
    const bool poi = is_residential_building(tag) || matches_any(tag);
    if (!walk && !poi) return {};
    ensure_sorted();
    double slat = 0, slon = 0;
    size_t count = 0;
    for (const auto& nr : w.nodes()) {
      auto it = std::lower_bound(locs_.begin(), locs_.end(), Loc{nr.ref(), osmium::Location()});
      if (it == locs_.end() || it->id != nr.ref())
        return make_error(ErrorCode::kInvalidInput,
                          "way " + std::to_string(w.id()) + " refers to node " +
                              std::to_string(nr.ref()) + ", which is not in the file");
      if (walk) refs_.push_back(nr.ref());
      // A closed ring repeats its first node; the centroid counts it once.
      if (count > 0 && &nr == &w.nodes().back() && nr.ref() == w.nodes().front().ref()) continue;
      slat += it->loc.lat();
      slon += it->loc.lon();
      ++count;
    }
    if (walk) {
      ++out_.walkable_ways;
      if (w.nodes().size() < 2) ++out_.one_node_ways;
      way_ends_.push_back(refs_.size());
    }
    if (poi && count > 0) add_pois(tag, {slat / count, slon / count}, w.id(), -1);
    return {};
  }

  // Turns the collected ways into a NetworkSource with nodes in OSM id order.
  void finish() {
    auto& net = out_.network;
    std::vector<int64_t> ids(refs_);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    ids.shrink_to_fit();
    net.node_coords.reserve(ids.size());
    for (int64_t id : ids) {
      auto it = std::lower_bound(locs_.begin(), locs_.end(), Loc{id, osmium::Location()});
      net.node_coords.push_back({it->loc.lat(), it->loc.lon()});
    }
    std::deque<Loc>().swap(locs_);
    std::vector<uint32_t> way;
    size_t begin = 0;
    for (size_t end : way_ends_) {
      way.clear();
      for (size_t i = begin; i < end; ++i)
        way.push_back(static_cast<uint32_t>(std::lower_bound(ids.begin(), ids.end(), refs_[i]) -
                                            ids.begin()));
      net.add_way(way);
      begin = end;
    }
    net.node_ids = std::move(ids);
    std::vector<int64_t>().swap(refs_);
  }

 private:
  bool matches(const TagLookup& tag, const TagRule& r) const {
    const char* v = tag(r.key.c_str());
    if (!v) return false;
    if (r.values.empty()) return true;
    for (const auto& x : r.values)
      if (x == v) return true;
    return false;
  }
  bool matches_any(const TagLookup& tag) const {
    for (const auto& r : mapping_.rules)
      if (matches(tag, r)) return true;
    return false;
  }
  void add_pois(const TagLookup& tag, access::GeoPoint p, int64_t id, int64_t network_node) {
    std::vector<const std::string*> done;
    for (const auto& r : mapping_.rules) {
      if (!matches(tag, r)) continue;
      if (std::find_if(done.begin(), done.end(), [&](auto* t) { return *t == r.type; }) !=
          done.end())
        continue;
      done.push_back(&r.type);
      access::Facility f;
      f.type = r.type;
      f.point = p;
      f.source_id = id;
      f.network_node = network_node;
      if (const char* name = tag("name")) f.name = name;
      if (const char* hours = tag("opening_hours")) f.opening_hours = hours;
      out_.facilities.push_back(std::move(f));
    }
    if (is_residential_building(tag)) {
      access::Residence r;
      r.id = id;
      r.point = p;
      if (const char* flats = tag("building:flats")) {
        char* end = nullptr;
        double v = std::strtod(flats, &end);
        if (end != flats && v > 0 && v < 100000) r.households = v;
      }
      if (const char* street = tag("addr:street")) r.street = street;
      out_.residences.push_back(std::move(r));
    }
  }
  void ensure_sorted() {
    if (sorted_) return;
    std::sort(locs_.begin(), locs_.end());
    sorted_ = true;
  }

  const TypeMapping& mapping_;
  OsmExtract& out_;
  // Every node's location (nodes precede ways in OSM files). A deque, so growing never holds
  // two copies at once: at 3 M nodes that is the difference between 50 and 150 MB.
  std::deque<Loc> locs_;
  bool sorted_ = true;
  std::vector<int64_t> refs_;
  std::vector<size_t> way_ends_;
};

}  // namespace

Result<OsmExtract> read_osm(const std::string& path, const TypeMapping& mapping,
                            const ReadProgress& progress) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return make_error(ErrorCode::kIo, path + ": no such file");
  OsmExtract out;
  Collector c(mapping, out);
  try {
    osmium::io::File file(path);
    osmium::io::Reader reader(file, osmium::osm_entity_bits::node | osmium::osm_entity_bits::way);
    const double size = std::max<size_t>(1, reader.file_size());
    while (osmium::memory::Buffer buffer = reader.read()) {
      for (const auto& item : buffer) {
        if (item.type() == osmium::item_type::node) {
          c.node(static_cast<const osmium::Node&>(item));
        } else if (item.type() == osmium::item_type::way) {
          Status s = c.way(static_cast<const osmium::Way&>(item));
          if (!s) {
            reader.close();
            return make_error(s.error().code, path + ": " + s.error().detail);
          }
        }
      }
      if (progress) progress(std::min(1.0, reader.offset() / size));
    }
    reader.close();
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInvalidInput,
                      path + " is not readable OSM data (truncated or damaged?): " + e.what());
  }
  if (out.nodes_read == 0 && out.ways_read == 0)
    return make_error(ErrorCode::kInvalidInput, path + " holds no OSM nodes or ways");
  if (out.walkable_ways == 0)
    return make_error(ErrorCode::kInvalidInput,
                      path +
                          " has no walkable ways (highway=* open to pedestrians), so there is "
                          "no walking network");
  c.finish();
  return out;
}

}  // namespace gj::osm
