// SPDX-License-Identifier: Apache-2.0
#include <envsetup/util/error.hpp>

namespace envsetup::util {

Error Error::with_cause(std::string cause) &&
{
  causes.push_back(std::move(cause));
  return std::move(*this);
}

Error Error::with_hint(std::string hint) &&
{
  hints.push_back(std::move(hint));
  return std::move(*this);
}

Error make_error(ErrorKind kind, std::string message)
{
  Error error;
  error.kind = kind;
  error.message = std::move(message);
  return error;
}

}  // namespace envsetup::util
