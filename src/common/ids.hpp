// IdGenerator seam: random, unguessable ids in production; a counter in tests so expected
// outputs stay stable.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace gj {

class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  // A 128-bit random token, hex (sessions, CSRF tokens, API keys).
  virtual std::string token() = 0;
  // A short public code for citizens (tracking codes): upper-case, no ambiguous characters.
  virtual std::string public_code(size_t length = 10) = 0;
};

class RandomIdGenerator final : public IdGenerator {
 public:
  std::string token() override;
  std::string public_code(size_t length) override;
};

class SequentialIdGenerator final : public IdGenerator {
 public:
  std::string token() override;
  std::string public_code(size_t length) override;

 private:
  std::atomic<uint64_t> next_{1};
};

// Cryptographically random bytes (OpenSSL RAND_bytes); aborts if the RNG fails.
void random_bytes(unsigned char* out, size_t n);
std::string to_hex(const unsigned char* data, size_t n);

}  // namespace gj
