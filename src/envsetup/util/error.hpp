// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace envsetup::util {

// What kind of failure an Error is; the CLI maps each kind to one documented exit code
// (docs/cli.md).
enum class ErrorKind {
  usage,         // bad flags or arguments
  input,         // bad data given by the user: a matrix file, a version string
  no_solution,   // the request cannot be satisfied on this host
  environment,   // the host is missing something envsetup needs
  network,       // download or connection failure
  integrity,     // checksum or archive validation failure
  verification,  // a verification check ran and failed
  io,            // a local file operation failed
  internal,      // a bug
};

// An expected failure, carried as a value. `message` says what failed, `causes` why
// (outermost first), `hints` what the user can do. Messages start lower-case and have no
// trailing period.
struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string message;
  std::vector<std::string> causes;
  std::vector<std::string> hints;

  Error with_cause(std::string cause) &&;
  Error with_hint(std::string hint) &&;
};

[[nodiscard]] Error make_error(ErrorKind kind, std::string message);

// Either a value or an Error. A small stand-in for std::expected (C++23).
template <typename T>
class [[nodiscard]] Result {
public:
  Result(T value) : m_state(std::move(value)) {}          // NOLINT: implicit by design
  Result(Error error) : m_state(std::move(error)) {}      // NOLINT: implicit by design

  [[nodiscard]] bool ok() const { return m_state.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(m_state); }
  const T& value() const& { return std::get<0>(m_state); }
  T&& value() && { return std::get<0>(std::move(m_state)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The value, or `fallback` when this holds an error.
  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

  const Error& error() const& { return std::get<1>(m_state); }
  Error&& error() && { return std::get<1>(std::move(m_state)); }

private:
  std::variant<T, Error> m_state;
};

// Result of an operation that has no value on success.
struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() { return Unit{}; }

}  // namespace envsetup::util

// Evaluates `expr` (a Result); on error returns the error from the enclosing function.
#define ENVSETUP_TRY(expr)                                 \
  do {                                                     \
    auto envsetup_try_result_ = (expr);                    \
    if (!envsetup_try_result_.ok()) {                      \
      return std::move(envsetup_try_result_).error();      \
    }                                                      \
  } while (false)
