#include "domain/auth/personal_data.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

namespace gj::auth {

Result<std::string> validate_id_number(std::string_view raw) {
  std::string id(raw);
  if (id.size() != 18) return make_error(ErrorCode::kInvalidIdNumber, "length", "id_number");
  if (id[17] == 'x') id[17] = 'X';
  static const int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static const char kCheck[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  int sum = 0;
  for (int i = 0; i < 17; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(id[i])))
      return make_error(ErrorCode::kInvalidIdNumber, "non-digit", "id_number");
    sum += (id[i] - '0') * kWeights[i];
  }
  if (kCheck[sum % 11] != id[17])
    return make_error(ErrorCode::kInvalidIdNumber, "checksum", "id_number");
  using namespace std::chrono;
  int y = std::stoi(id.substr(6, 4));
  unsigned m = static_cast<unsigned>(std::stoi(id.substr(10, 2)));
  unsigned d = static_cast<unsigned>(std::stoi(id.substr(12, 2)));
  year_month_day ymd{year(y), month(m), day(d)};
  if (!ymd.ok() || y < 1900 || y > 2100)
    return make_error(ErrorCode::kInvalidIdNumber, "birth date", "id_number");
  return id;
}

bool is_mobile(std::string_view p) {
  return p.size() == 11 && p[0] == '1' && p[1] >= '3' && p[1] <= '9' &&
         std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<std::string> validate_phone(std::string_view raw) {
  std::string p;
  for (char c : raw)
    if (c != ' ' && c != '-' && c != '(' && c != ')') p.push_back(c);
  if (p.rfind("+86", 0) == 0) p = p.substr(3);
  bool ok = !p.empty();
  for (char c : p) ok = ok && std::isdigit(static_cast<unsigned char>(c));
  const bool mobile = is_mobile(p);
  // 区号 (0 + 2 or 3 digits: 010, 029, 0914) and a 7- or 8-digit local number.
  const bool landline = p.size() >= 10 && p.size() <= 12 && p[0] == '0' && p[1] != '0';
  ok = ok && (mobile || landline);
  if (!ok) return make_error(ErrorCode::kInvalidPhone, "format", "phone");
  return p;
}

std::string mask_id_number(std::string_view id) {
  if (id.size() < 8) return std::string(id.size(), '*');
  return std::string(id.substr(0, 3)) + std::string(id.size() - 7, '*') +
         std::string(id.substr(id.size() - 4));
}

std::string mask_phone(std::string_view phone) {
  if (phone.size() < 7) return std::string(phone.size(), '*');
  return std::string(phone.substr(0, 3)) + std::string(phone.size() - 7, '*') +
         std::string(phone.substr(phone.size() - 4));
}

}  // namespace gj::auth
