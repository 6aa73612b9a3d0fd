// A small county for the requests tests: 柞水县 with two townships (real NBS codes and names),
// three villages, square synthetic grids and the units of the command chain. Implements the
// HierarchyView seam over plain maps, the way the integrator implements it over the store.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "domain/requests/router.hpp"

namespace gj::requests::testing {

inline UnitRef unit(std::string id, std::string type, std::string division, Level level,
                    std::string name) {
  return UnitRef{std::move(id), std::move(type), std::move(division), level, std::move(name)};
}

// Square grid with its south-west corner at (lat, lon), side `deg` degrees.
inline GridShape square(std::string code, std::string name, std::string village, double lat,
                        double lon, double deg) {
  return GridShape{
      std::move(code),
      std::move(name),
      std::move(village),
      {{{{lat, lon}, {lat + deg, lon}, {lat + deg, lon + deg}, {lat, lon + deg}}, {}}}};
}

class MapHierarchy final : public HierarchyView {
 public:
  std::map<std::string, DivisionInfo, std::less<>> divisions;
  std::vector<GridShape> grids;
  std::vector<UnitRef> all_units;

  std::optional<DivisionInfo> division(std::string_view code) const override {
    auto it = divisions.find(code);
    if (it == divisions.end()) return std::nullopt;
    return it->second;
  }
  std::vector<DivisionInfo> divisions_under(std::string_view code, Level level) const override {
    std::vector<DivisionInfo> out;
    for (const auto& [c, d] : divisions) {
      if (d.level != level) continue;
      std::string p = d.parent_code;
      for (int i = 0; i < 8 && !p.empty(); ++i) {
        if (p == code) {
          out.push_back(d);
          break;
        }
        auto it = divisions.find(p);
        p = it == divisions.end() ? "" : it->second.parent_code;
      }
    }
    return out;
  }
  std::vector<GridShape> grids_under(std::string_view) const override { return grids; }
  std::vector<UnitRef> units(std::string_view division_code,
                             std::string_view unit_type) const override {
    std::vector<UnitRef> out;
    for (const auto& u : all_units)
      if (u.division_code == division_code && u.type == unit_type) out.push_back(u);
    return out;
  }
  void add_division(std::string code, std::string name, std::string parent, Level level) {
    divisions[code] = DivisionInfo{code, std::move(name), std::move(parent), level};
  }
};

inline constexpr const char* kCounty = "611026000000";       // 柞水县
inline constexpr const char* kQianyou = "611026001000";      // 乾佑街道
inline constexpr const char* kYingpan = "611026101000";      // 营盘镇
inline constexpr const char* kRenhe = "611026001001";        // 仁和社区居委会 (乾佑)
inline constexpr const char* kCheJiahe = "611026001200";     // 车家河村委会 (乾佑)
inline constexpr const char* kYaowangtang = "611026101201";  // 药王堂村委会 (营盘)
inline constexpr const char* kGridRenhe1 = "611026001001001";
inline constexpr const char* kGridRenhe2 = "611026001001002";
inline constexpr const char* kGridYaowang1 = "611026101201001";

inline MapHierarchy make_county() {
  MapHierarchy h;
  h.add_division("611000000000", "商洛市", "610000000000", Level::kPrefecture);
  h.add_division(kCounty, "柞水县", "611000000000", Level::kCounty);
  h.add_division(kQianyou, "乾佑街道", kCounty, Level::kTownship);
  h.add_division(kYingpan, "营盘镇", kCounty, Level::kTownship);
  h.add_division(kRenhe, "仁和社区居委会", kQianyou, Level::kVillage);
  h.add_division(kCheJiahe, "车家河村委会", kQianyou, Level::kVillage);
  h.add_division(kYaowangtang, "药王堂村委会", kYingpan, Level::kVillage);
  h.add_division(kGridRenhe1, "仁和一网格", kRenhe, Level::kGrid);
  h.add_division(kGridRenhe2, "仁和二网格", kRenhe, Level::kGrid);
  h.add_division(kGridYaowang1, "药王堂一网格", kYaowangtang, Level::kGrid);
  // Synthetic grids: 0.01° squares near 柞水 (33.68 N, 109.11 E).
  h.grids.push_back(square(kGridRenhe1, "仁和一网格", kRenhe, 33.68, 109.11, 0.01));
  h.grids.push_back(square(kGridRenhe2, "仁和二网格", kRenhe, 33.68, 109.12, 0.01));
  h.grids.push_back(square(kGridYaowang1, "药王堂一网格", kYaowangtang, 33.80, 109.20, 0.01));
  h.all_units = {
      unit("cc", std::string(kUnitCommandCentre), kCounty, Level::kCounty, "柞水县指挥中心"),
      unit("tp-qianyou", std::string(kUnitTownshipPlatform), kQianyou, Level::kTownship,
           "乾佑街道综合指挥平台"),
      unit("tp-yingpan", std::string(kUnitTownshipPlatform), kYingpan, Level::kTownship,
           "营盘镇综合指挥平台"),
      unit("vc-renhe", std::string(kUnitVillageCommittee), kRenhe, Level::kVillage,
           "仁和社区居委会"),
      unit("vc-chejiahe", std::string(kUnitVillageCommittee), kCheJiahe, Level::kVillage,
           "车家河村委会"),
      unit("vc-yaowangtang", std::string(kUnitVillageCommittee), kYaowangtang, Level::kVillage,
           "药王堂村委会"),
      unit("grid-renhe1", std::string(kUnitGrid), kGridRenhe1, Level::kGrid, "仁和一网格"),
      unit("grid-renhe2", std::string(kUnitGrid), kGridRenhe2, Level::kGrid, "仁和二网格"),
      unit("grid-yaowang1", std::string(kUnitGrid), kGridYaowang1, Level::kGrid, "药王堂一网格"),
      unit("dept-housing", "housing", kCounty, Level::kCounty, "县住建局"),
      unit("dept-water", "water", kCounty, Level::kCounty, "县水务局"),
      unit("dept-env", "environment", kCounty, Level::kCounty, "县生态环境分局"),
      unit("st-water-qianyou", "water", kQianyou, Level::kTownship, "乾佑街道水利站"),
  };
  return h;
}

inline UnitRef find_unit(const MapHierarchy& h, std::string_view id) {
  for (const auto& u : h.all_units)
    if (u.id == id) return u;
  return {};
}

inline ResponsibilityMatrix make_matrix() {
  return ResponsibilityMatrix(
      "v3",
      {{"城乡建设", "城乡建设", "Urban-rural construction"},
       {"城乡建设/道路", "道路", "Roads"},
       {"城乡建设/道路/路灯", "路灯", "Street lights"},
       {"城乡建设/供水", "供水", "Water supply"},
       {"环境保护", "环境保护", "Environment"},
       {"环境保护/噪声", "噪声", "Noise"},
       {"劳动和社会保障", "劳动和社会保障", "Labour and social security"}},
      {{"城乡建设", std::string(kUnitTownshipPlatform), Level::kTownship, "ordinary"},
       {"城乡建设/道路/路灯", std::string(kUnitVillageCommittee), Level::kVillage, "ordinary"},
       {"城乡建设/供水", "water", Level::kTownship, "utilities"},
       {"环境保护", "environment", Level::kCounty, "ordinary"}},
      {"", std::string(kUnitTownshipPlatform), Level::kTownship, "ordinary"});
}

}  // namespace gj::requests::testing
