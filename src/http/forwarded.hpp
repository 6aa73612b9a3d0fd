// The client's address behind reverse proxies 反向代理 (nginx, a load balancer in front of
// several app nodes). X-Forwarded-For is only believed when the TCP peer is a proxy the
// deployment names (--trusted-proxies): otherwise anyone could write any address into the audit
// log. The list is read from the right (the nearest hop) and the first address that is not a
// trusted proxy is the client, as nginx's real_ip_recursive does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace gj::http {

class TrustedProxies {
 public:
  // "10.0.0.0/8, 127.0.0.1, ::1, fd00::/8": addresses or CIDR blocks, comma separated.
  static Result<TrustedProxies> parse(std::string_view list);
  bool empty() const { return nets_.empty(); }
  bool contains(std::string_view address) const;

 private:
  struct Net {
    bool v6 = false;
    uint8_t bytes[16] = {};
    int prefix = 0;
  };
  std::vector<Net> nets_;
};

// The address to record for a request from `peer` carrying `x_forwarded_for` (may be empty).
std::string client_address(std::string_view peer, std::string_view x_forwarded_for,
                           const TrustedProxies& proxies);

}  // namespace gj::http
