#include "domain/auth/roles.hpp"

namespace gj::auth {

const std::vector<RoleInfo>& all_roles() {
  static const std::vector<RoleInfo> roles = {
      {Role::kAdmin, "admin", "系统管理员", "System administrator", 0},
      {Role::kCommand, "command", "指挥中心人员", "Command-centre staff", 3},
      {Role::kTownship, "township", "乡镇（街道）工作人员", "Township / street staff", 4},
      {Role::kVillage, "village", "村（社区）干部", "Village / community cadre", 5},
      {Role::kGridWorker, "grid_worker", "网格员", "Grid worker", 6},
      {Role::kDepartment, "department", "部门办理人员", "Department handler", -1},
      {Role::kCitizen, "citizen", "群众", "Citizen", -1},
  };
  return roles;
}

const RoleInfo& role_info(Role r) {
  return all_roles().at(static_cast<size_t>(r));
}

Result<Role> parse_role(std::string_view code) {
  for (const auto& r : all_roles())
    if (r.code == code) return r.role;
  return make_error(ErrorCode::kInvalidInput, "unknown role", "role");
}

bool has_permission(Role r, Permission p) {
  switch (p) {
    case Permission::kManageUsers:
    case Permission::kReadAudit:
    case Permission::kReadPersonalData:
    case Permission::kManageOrg:
      return r == Role::kAdmin;
    case Permission::kBrowseOrg:
      return r != Role::kCitizen;
  }
  return false;
}

}  // namespace gj::auth
