#include "common/ids.hpp"

#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

namespace gj {

void random_bytes(unsigned char* out, size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) != 1) {
    std::fputs("fatal: RAND_bytes failed\n", stderr);
    std::abort();
  }
}

std::string to_hex(const unsigned char* data, size_t n) {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  s.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    s.push_back(kHex[data[i] >> 4]);
    s.push_back(kHex[data[i] & 15]);
  }
  return s;
}

std::string RandomIdGenerator::token() {
  unsigned char b[16];
  random_bytes(b, sizeof b);
  return to_hex(b, sizeof b);
}

std::string RandomIdGenerator::public_code(size_t length) {
  static const char kAlphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";  // no 0/O, 1/I/L
  std::string s;
  unsigned char b[64];
  random_bytes(b, length);
  for (size_t i = 0; i < length; ++i) s.push_back(kAlphabet[b[i] % (sizeof kAlphabet - 1)]);
  return s;
}

std::string SequentialIdGenerator::token() {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%032llx", static_cast<unsigned long long>(next_++));
  return buf;
}

std::string SequentialIdGenerator::public_code(size_t length) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "T%0*llu", static_cast<int>(length - 1),
                static_cast<unsigned long long>(next_++));
  return buf;
}

}  // namespace gj
