#include "domain/auth/passwords.hpp"

#include <argon2.h>
#include <openssl/sha.h>

#include <cctype>
#include <vector>

#include "common/ids.hpp"
#include "common/text.hpp"

namespace gj::auth {

Status check_password_rules(std::string_view pw) {
  if (!is_valid_utf8(pw)) return make_error(ErrorCode::kInvalidUtf8, "", "password");
  size_t n = utf8_length(pw);
  bool letter = false, digit = false;
  for (unsigned char c : pw) {
    letter |= std::isalpha(c) != 0;
    digit |= std::isdigit(c) != 0;
  }
  if (n < 10 || n > 128 || !letter || !digit)
    return make_error(ErrorCode::kWeakPassword, "", "password");
  return {};
}

Result<std::string> hash_password(std::string_view password, const PasswordParams& p) {
  unsigned char salt[16];
  random_bytes(salt, sizeof salt);
  const size_t hash_len = 32;
  size_t enc_len =
      argon2_encodedlen(p.t_cost, p.m_cost_kib, p.parallelism, sizeof salt, hash_len, Argon2_id);
  std::vector<char> encoded(enc_len);
  int rc =
      argon2id_hash_encoded(p.t_cost, p.m_cost_kib, p.parallelism, password.data(), password.size(),
                            salt, sizeof salt, hash_len, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) return make_error(ErrorCode::kInternal, argon2_error_message(rc));
  return std::string(encoded.data());
}

bool verify_password(std::string_view password, const std::string& encoded_hash) {
  if (encoded_hash.rfind("$argon2id$", 0) != 0) return false;
  return argon2id_verify(encoded_hash.c_str(), password.data(), password.size()) == ARGON2_OK;
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
  return to_hex(md, sizeof md);
}

}  // namespace gj::auth
