// Result<T>: a value or an Error (style.md §2). Small on purpose; std::expected needs C++23.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "common/error.hpp"

namespace gj {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : err_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return err_;
  }

 private:
  Error err_{};
  bool ok_ = true;
};

using Status = Result<void>;

// Propagate an error from a Result-returning expression.
#define GJ_TRY(expr)                       \
  do {                                     \
    auto&& _gj_r = (expr);                 \
    if (!_gj_r.ok()) return _gj_r.error(); \
  } while (0)

#define GJ_CONCAT_INNER(a, b) a##b
#define GJ_CONCAT(a, b) GJ_CONCAT_INNER(a, b)
#define GJ_ASSIGN_OR_RETURN(lhs, expr)                                                   \
  auto GJ_CONCAT(_gj_tmp_, __LINE__) = (expr);                                           \
  if (!GJ_CONCAT(_gj_tmp_, __LINE__).ok()) return GJ_CONCAT(_gj_tmp_, __LINE__).error(); \
  lhs = std::move(GJ_CONCAT(_gj_tmp_, __LINE__)).value()

}  // namespace gj
