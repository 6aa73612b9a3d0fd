#include "http/forwarded.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "common/text.hpp"

namespace gj::http {
namespace {

// Parses an IPv4 or IPv6 literal into 16 bytes (IPv4 and IPv4-mapped IPv6 compare as IPv4).
bool parse_ip(std::string_view text, bool& v6, uint8_t out[16]) {
  std::string s(text);
  std::memset(out, 0, 16);
  in_addr a4{};
  if (inet_pton(AF_INET, s.c_str(), &a4) == 1) {
    v6 = false;
    std::memcpy(out, &a4, 4);
    return true;
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
    static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(a6.s6_addr, kMapped, 12) == 0) {
      v6 = false;
      std::memcpy(out, a6.s6_addr + 12, 4);
    } else {
      v6 = true;
      std::memcpy(out, a6.s6_addr, 16);
    }
    return true;
  }
  return false;
}

bool in_prefix(const uint8_t a[16], const uint8_t b[16], int prefix) {
  int full = prefix / 8, rest = prefix % 8;
  if (std::memcmp(a, b, full) != 0) return false;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

}  // namespace

Result<TrustedProxies> TrustedProxies::parse(std::string_view list) {
  TrustedProxies t;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string item = trim(list.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    start = comma == std::string_view::npos ? list.size() + 1 : comma + 1;
    if (item.empty()) continue;
    Net n;
    std::string addr = item;
    int prefix = -1;
    if (size_t slash = item.find('/'); slash != std::string::npos) {
      addr = item.substr(0, slash);
      std::string p = item.substr(slash + 1);
      if (p.empty() || p.size() > 3 || p.find_first_not_of("0123456789") != std::string::npos)
        return make_error(ErrorCode::kInvalidInput, "bad prefix in " + item, "trusted-proxies");
      prefix = std::stoi(p);
    }
    if (!parse_ip(addr, n.v6, n.bytes))
      return make_error(ErrorCode::kInvalidInput, "not an IP address: " + item, "trusted-proxies");
    int max = n.v6 ? 128 : 32;
    if (prefix > max)
      return make_error(ErrorCode::kInvalidInput, "prefix too long in " + item, "trusted-proxies");
    n.prefix = prefix < 0 ? max : prefix;
    t.nets_.push_back(n);
  }
  return t;
}

bool TrustedProxies::contains(std::string_view address) const {
  bool v6 = false;
  uint8_t b[16];
  if (!parse_ip(address, v6, b)) return false;
  for (const auto& n : nets_)
    if (n.v6 == v6 && in_prefix(n.bytes, b, n.prefix)) return true;
  return false;
}

std::string client_address(std::string_view peer, std::string_view x_forwarded_for,
                           const TrustedProxies& proxies) {
  if (proxies.empty() || x_forwarded_for.empty() || !proxies.contains(peer))
    return std::string(peer);
  std::string client(peer);
  size_t end = x_forwarded_for.size();
  for (;;) {
    size_t comma = x_forwarded_for.rfind(',', end == 0 ? 0 : end - 1);
    size_t from = comma == std::string_view::npos ? 0 : comma + 1;
    std::string hop = trim(x_forwarded_for.substr(from, end - from));
    bool v6 = false;
    uint8_t b[16];
    // A malformed hop ends the walk: what lies left of it cannot be trusted either.
    if (hop.empty() || !parse_ip(hop, v6, b)) return client;
    client = hop;
    if (!proxies.contains(hop) || comma == std::string_view::npos) return client;
    end = comma;
  }
}

}  // namespace gj::http
