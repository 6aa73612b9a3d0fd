// Passwords: argon2id hashes in the PHC string format, and the password rules.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace gj::auth {

struct PasswordParams {
  uint32_t t_cost = 3;          // iterations
  uint32_t m_cost_kib = 19456;  // 19 MiB (OWASP's argon2id minimum)
  uint32_t parallelism = 1;
};

// At least 10 characters, at most 128, with at least one letter and one digit.
Status check_password_rules(std::string_view password);
Result<std::string> hash_password(std::string_view password, const PasswordParams& p = {});
bool verify_password(std::string_view password, const std::string& encoded_hash);

// SHA-256 hex, for storing session tokens and API keys (only the hash is stored).
std::string sha256_hex(std::string_view data);

}  // namespace gj::auth
