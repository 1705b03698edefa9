#pragma once
// Who may call the API: the Origin policy (CORS) and the visitor's token in the request.

#include <string>
#include <string_view>
#include <vector>

namespace seshat::http {

enum class OriginVerdict {
  no_origin,    // no Origin header: not a cross-site browser request (curl, a server, a form GET)
  same_origin,  // Origin names the host the request was sent to
  allowed,      // listed in allowed_origins: answer with CORS headers
  refused,      // any other origin: 403
};

// `origin`: the Origin header ("" when absent); `host`: the Host header. `allowed` holds exact
// origins ("https://www.example.com", compared case-insensitively, without trailing '/'), or
// "*" for any origin.
[[nodiscard]] OriginVerdict check_origin(std::string_view origin, std::string_view host,
                                         const std::vector<std::string>& allowed);

// The token of "Authorization: Bearer <token>" (scheme case-insensitive); "" otherwise.
[[nodiscard]] std::string_view bearer_token(std::string_view authorization);

}  // namespace seshat::http
