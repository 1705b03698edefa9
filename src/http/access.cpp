#include "http/access.hpp"

#include <algorithm>
#include <cctype>

#include "base/text.hpp"

namespace seshat::http {
namespace {

using base::trim;

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

OriginVerdict check_origin(std::string_view origin, std::string_view host,
                           const std::vector<std::string>& allowed) {
  origin = trim(origin);
  if (origin.empty()) return OriginVerdict::no_origin;
  for (const auto& entry : allowed) {
    std::string_view candidate = trim(entry);
    while (candidate.ends_with('/')) candidate.remove_suffix(1);
    if (candidate == "*" || equal_ignoring_case(candidate, origin)) return OriginVerdict::allowed;
  }
  // Same origin: "scheme://authority" whose authority is the Host the browser sent to.
  const auto scheme_end = origin.find("://");
  if (scheme_end != std::string_view::npos && !host.empty()) {
    const auto scheme = origin.substr(0, scheme_end);
    const auto authority = origin.substr(scheme_end + 3);
    if ((scheme == "http" || scheme == "https") && equal_ignoring_case(authority, trim(host)))
      return OriginVerdict::same_origin;
  }
  return OriginVerdict::refused;
}

std::string_view bearer_token(std::string_view authorization) {
  authorization = trim(authorization);
  constexpr std::string_view k_scheme = "bearer ";
  if (authorization.size() <= k_scheme.size() ||
      !equal_ignoring_case(authorization.substr(0, k_scheme.size()), k_scheme))
    return {};
  return trim(authorization.substr(k_scheme.size()));
}

}  // namespace seshat::http
