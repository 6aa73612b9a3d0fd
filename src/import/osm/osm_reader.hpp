// OSM import (XML and PBF, through libosmium): the walking network, facilities by a configurable
// tag → type mapping, and residences 住宅 (residential buildings).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "domain/access/access.hpp"

namespace gj::osm {

// One tag rule of a facility type: key=value|value…, or key=* for any value.
struct TagRule {
  std::string type;
  std::string key;
  std::vector<std::string> values;  // empty = any value
};

// Which OSM objects are which facility type 设施类型. Text form, one rule per line:
//   # comment
//   medical  amenity=clinic|hospital|doctors
//   market   shop=supermarket
// A type may have several lines; an object matching rules of two types counts for both.
struct TypeMapping {
  std::vector<TagRule> rules;

  std::vector<std::string> types() const;  // in first-appearance order
  static TypeMapping defaults();
  static Result<TypeMapping> parse(std::string_view text);
  static Result<TypeMapping> load(const std::string& path);
};

// OSMnx's `walk` network filter (osmnx/_overpass.py): a way with `highway`, not area=yes,
// highway not matching abandoned|bus_guideway|construction|cycleway|motor|planned|platform|
// proposed|raceway|razed, foot not matching "no", access and service not matching "private".
// "Matching" is OSMnx's unanchored regex, i.e. a substring test.
using TagLookup = std::function<const char*(const char* key)>;
bool is_walkable_way(const TagLookup& tag);
bool is_residential_building(const TagLookup& tag);

struct OsmExtract {
  access::NetworkSource network;
  std::vector<access::Facility> facilities;
  std::vector<access::Residence> residences;
  size_t nodes_read = 0, ways_read = 0, walkable_ways = 0, one_node_ways = 0;
};

// fraction of the file read, 0..1
using ReadProgress = std::function<void(double fraction)>;

// Reads the whole file. Errors (kIo, kInvalidInput) name the file and what is wrong: missing or
// unreadable file, truncated or malformed data, a way referring to a node the file lacks, no
// walkable way at all.
Result<OsmExtract> read_osm(const std::string& path, const TypeMapping& mapping,
                            const ReadProgress& progress = {});

}  // namespace gj::osm
