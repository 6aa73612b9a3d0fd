// The client address behind trusted reverse proxies (src/http/forwarded).
#include "http/forwarded.hpp"

#include <gtest/gtest.h>

using gj::http::client_address;
using gj::http::TrustedProxies;

TEST(Forwarded, the_list_of_trusted_proxies_is_validated) {
  EXPECT_TRUE(TrustedProxies::parse("").ok());
  EXPECT_TRUE(TrustedProxies::parse("127.0.0.1, 10.0.0.0/8 ,::1,fd00::/8").ok());
  EXPECT_FALSE(TrustedProxies::parse("10.0.0.0/33").ok());
  EXPECT_FALSE(TrustedProxies::parse("10.0.0.0/").ok());
  EXPECT_FALSE(TrustedProxies::parse("proxy.local").ok());
  EXPECT_FALSE(TrustedProxies::parse("::1/129").ok());
}

TEST(Forwarded, cidr_blocks_match_by_prefix_and_family) {
  auto t = *TrustedProxies::parse("10.0.0.0/8, 192.168.1.0/25, fd00::/8");
  EXPECT_TRUE(t.contains("10.255.0.1"));
  EXPECT_FALSE(t.contains("11.0.0.1"));
  EXPECT_TRUE(t.contains("192.168.1.127"));
  EXPECT_FALSE(t.contains("192.168.1.128"));
  EXPECT_TRUE(t.contains("fd12::1"));
  EXPECT_FALSE(t.contains("fe80::1"));
  EXPECT_TRUE(t.contains("::ffff:10.1.1.1"));  // IPv4-mapped peer on a dual-stack socket
  EXPECT_FALSE(t.contains("not-an-ip"));
}

TEST(Forwarded, only_a_trusted_peer_can_name_the_client) {
  auto t = *TrustedProxies::parse("127.0.0.1, 10.0.0.0/8");
  // An untrusted peer's header is ignored: anyone can write one.
  EXPECT_EQ(client_address("203.0.113.9", "198.51.100.1", t), "203.0.113.9");
  // The nearest untrusted hop from the right is the client.
  EXPECT_EQ(client_address("127.0.0.1", "198.51.100.1", t), "198.51.100.1");
  EXPECT_EQ(client_address("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.0.0.5", t), "198.51.100.1");
  // Every hop a proxy: the leftmost.
  EXPECT_EQ(client_address("127.0.0.1", "10.0.0.9, 10.0.0.5", t), "10.0.0.9");
  // A malformed hop stops the walk at the last good address.
  EXPECT_EQ(client_address("127.0.0.1", "198.51.100.1, garbage", t), "127.0.0.1");
  EXPECT_EQ(client_address("127.0.0.1", "garbage, 10.0.0.5", t), "10.0.0.5");
  EXPECT_EQ(client_address("127.0.0.1", "", t), "127.0.0.1");
  EXPECT_EQ(client_address("127.0.0.1", " 2001:db8::7 ", t), "2001:db8::7");
  // No trusted proxies configured: always the peer.
  EXPECT_EQ(client_address("127.0.0.1", "198.51.100.1", TrustedProxies{}), "127.0.0.1");
}
