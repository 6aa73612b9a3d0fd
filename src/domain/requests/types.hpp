// Citizen requests 民有所呼、我有所行 (接诉即办): the vocabulary shared by the lifecycle, routing,
// time limits, duplicates and metrics. Pure values; no storage, no HTTP (architecture.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/result.hpp"

namespace gj::requests {

// Administrative levels of the command chain 指挥链 (domain.md §0). Departments sit at the level
// of the division they belong to (county bureau 3, township station 4).
enum class Level : int {
  kProvince = 1,
  kPrefecture = 2,
  kCounty = 3,
  kTownship = 4,
  kVillage = 5,
  kGrid = 6,
};
std::string_view level_name(Level level, Lang lang);

// Unit types of the chain itself; anything else is a line department (职能部门) type such as
// "housing", "water", "transport", named by the deployment's responsibility matrix.
inline constexpr std::string_view kUnitCommandCentre = "command_centre";  // 县指挥中心
inline constexpr std::string_view kUnitTownshipPlatform = "township_platform";  // 乡镇综合指挥平台
inline constexpr std::string_view kUnitVillageCommittee = "village_committee";  // 村（居）委会
inline constexpr std::string_view kUnitGrid = "grid";                           // 网格
bool is_chain_unit_type(std::string_view type);

// A unit that can hold a ticket: the command centre, a township platform, a village committee,
// a grid (its worker) or a department.
struct UnitRef {
  std::string id;
  std::string type;           // one of the kUnit* above or a department type
  std::string division_code;  // the division the unit belongs to (NBS code or grid code)
  Level level = Level::kCounty;
  std::string name;  // display name, zh-CN
  bool is_department() const { return !is_chain_unit_type(type); }
  bool operator==(const UnitRef& o) const { return id == o.id; }
};

// Login roles (docs/api.md) plus the scheduler, which escalates on its own authority.
enum class Role {
  kAdmin,
  kCommand,
  kTownship,
  kVillage,
  kGridWorker,
  kDepartment,
  kCitizen,
  kSystem
};
std::string_view role_code(Role role);
Result<Role> parse_role(std::string_view code);

struct Actor {
  std::string user_id;
  Role role = Role::kCitizen;
  std::string division_code;  // scope the user is bound to (county, township, village, grid)
  std::string unit_id;        // the department (or other unit) the user works for, if any
};

struct GeoPoint {
  double lat = 0;
  double lon = 0;
};
// Valid WGS-84 coordinates (finite, in range). (0,0) is rejected: it is what broken clients send.
bool is_valid_point(const GeoPoint& p);
// Great-circle distance in metres (haversine, mean Earth radius 6,371,008.8 m).
double haversine_m(const GeoPoint& a, const GeoPoint& b);

// China has one time zone and no daylight saving: Asia/Shanghai is UTC+8 all year, so local
// dates and month periods are computed with a fixed offset (no tz database needed).
inline constexpr int kChinaUtcOffsetMinutes = 480;

}  // namespace gj::requests
