// Text checks shared by every input path: UTF-8 validity, length in characters, JSON quoting.
#pragma once

#include <string>
#include <string_view>

namespace gj {

bool is_valid_utf8(std::string_view s);
// Number of Unicode code points (assumes valid UTF-8).
size_t utf8_length(std::string_view s);
std::string json_quote(std::string_view s);
std::string trim(std::string_view s);

}  // namespace gj
