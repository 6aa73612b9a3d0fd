// Roles and what each may do. A user is bound to one position: a division (scope) or a unit
// (department). Scope decides what they see; role decides what they may do.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace gj::auth {

enum class Role {
  kAdmin,       // 系统管理员
  kCommand,     // 指挥中心人员
  kTownship,    // 乡镇（街道）工作人员
  kVillage,     // 村（社区）干部
  kGridWorker,  // 网格员
  kDepartment,  // 部门办理人员
  kCitizen,     // 群众
};

struct RoleInfo {
  Role role;
  std::string_view code, name_zh, name_en;
  int scope_level;  // the division level the role is bound to (0: any, -1: none/unit)
};

const std::vector<RoleInfo>& all_roles();
const RoleInfo& role_info(Role r);
Result<Role> parse_role(std::string_view code);

enum class Permission {
  kManageUsers,       // create, edit, disable users; reset passwords
  kReadAudit,         // read the audit log
  kReadPersonalData,  // see ID numbers and phones in full (each read audited)
  kBrowseOrg,         // browse the organisation within scope
  kManageOrg,         // import grid boundaries and units within scope
};

bool has_permission(Role r, Permission p);

// The signed-in caller as every service sees it.
struct Principal {
  int64_t user_id = 0;
  std::string username, display_name;
  Role role = Role::kCitizen;
  std::string scope_code;  // division the user is bound to ("" for unit-bound or citizens)
  std::optional<int64_t> unit_id;
  bool must_change_password = false;  // an initial password still in use (see UserRecord)
  std::string ip, request_id;         // for the audit log
};

}  // namespace gj::auth
