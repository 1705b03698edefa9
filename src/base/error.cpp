#include "base/error.hpp"

namespace seshat::base {
namespace {

constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < k_errors.size(); ++i) {
    if (static_cast<std::size_t>(k_errors[i].error) != i) return false;
  }
  return true;
}
static_assert(table_in_enum_order(), "k_errors must list every Error in the enum's order");
static_assert(k_errors.size() == static_cast<std::size_t>(Error::unavailable) + 1);

}  // namespace

std::string_view to_string(Error error) {
  return info(error).name;
}

Failure failure(Error error) {
  return Failure{error, std::string(info(error).message)};
}

}  // namespace seshat::base
