#include "common/error.hpp"

#include <array>

namespace gj {
namespace {
constexpr std::array kCatalogue = {
#define GJ_ROW(name, status, pub, zh, en) ErrorInfo{ErrorCode::name, status, pub, zh, en},
    GJ_ERROR_CATALOGUE(GJ_ROW)
#undef GJ_ROW
};
}  // namespace

const ErrorInfo& error_info(ErrorCode code) {
  return kCatalogue[static_cast<size_t>(code)];
}

bool error_code_from_public(std::string_view pub, ErrorCode& out) {
  for (const auto& e : kCatalogue) {
    if (e.public_code == pub) {
      out = e.code;
      return true;
    }
  }
  return false;
}

Lang parse_lang(std::string_view accept_language) {
  // zh-CN is the default; English only when asked for first.
  auto pos = accept_language.find_first_not_of(" ");
  if (pos != std::string_view::npos && accept_language.substr(pos, 2) == "en") return Lang::kEn;
  return Lang::kZh;
}

std::string Error::message(Lang lang) const {
  const auto& info = error_info(code);
  // The field travels separately (error.field) so that interfaces can place the message beside
  // the input; internal field names never appear in the text people read.
  return std::string(lang == Lang::kZh ? info.message_zh : info.message_en);
}

}  // namespace gj
