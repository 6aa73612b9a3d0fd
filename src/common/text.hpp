// Text checks shared by every input path: UTF-8 validity, length in characters, JSON quoting;
// and base64.
#pragma once

#include <string>
#include <string_view>

namespace gj {

bool is_valid_utf8(std::string_view s);
// Number of Unicode code points (assumes valid UTF-8).
size_t utf8_length(std::string_view s);
std::string json_quote(std::string_view s);
std::string trim(std::string_view s);
// RFC 4648 base64 with padding (MIME headers, SMTP AUTH, packed binary in TEXT columns).
std::string base64_encode(std::string_view in);
// False on a character outside the alphabet, a bad length or misplaced padding.
bool base64_decode(std::string_view in, std::string& out);

}  // namespace gj
