// Personal data (个人信息): validation on input, masking on output.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace gj::auth {

// GB 11643-1999 citizen ID number: 17 digits + check character (0-9 or X), weighted mod 11,
// with a plausible birth date. Accepts a lower-case x and returns the normalised form.
Result<std::string> validate_id_number(std::string_view id);
// Mainland phone numbers for call-backs: mobiles (11 digits, 1[3-9], an optional +86) and
// landlines with their area code (固定电话: 0 + a 2- or 3-digit area code + 7 or 8 digits, 10 to
// 12 digits in all). Spaces, dashes and parentheses are removed: "(0914) 232-1234" → 09142321234.
Result<std::string> validate_phone(std::string_view phone);
// A validated number that can take an SMS: a mobile (a landline cannot).
bool is_mobile(std::string_view validated_phone);

// 610***********123X: keep the 3-digit region prefix and the last 4 characters.
std::string mask_id_number(std::string_view id);
// 138****5678
std::string mask_phone(std::string_view phone);

}  // namespace gj::auth
