#pragma once
// Chat tokens: the visitor's only key to a chat. 32 random bytes from the kernel's generator
// (getrandom), base64url without padding (43 characters). The store keeps only the SHA-256 of
// the token's text, in lower-case hex; checks compare digests in constant time.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace seshat::visitors {

// A fresh token; nullopt if the random generator failed (never a weak token).
[[nodiscard]] std::optional<std::string> make_token();

// SHA-256 of `token`, 64 lower-case hex digits.
[[nodiscard]] std::string hash_token(std::string_view token);

// Whether `token` hashes to `stored_hash`, compared in constant time.
[[nodiscard]] bool token_matches(std::string_view token, std::string_view stored_hash);

// Whether two tokens are the same text, compared in constant time (but for their lengths).
[[nodiscard]] bool same_token(std::string_view token, std::string_view known);

// RFC 4648 section 5, without padding.
[[nodiscard]] std::string base64url(std::span<const unsigned char> bytes);

}  // namespace seshat::visitors
