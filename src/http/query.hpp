#pragma once
// The query string of a request: `key=value&...`, percent-decoded ('+' is a space).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace seshat::http {

// The decoded value of the first `key` in `query`; nullopt when absent or badly encoded.
[[nodiscard]] std::optional<std::string> query_value(std::string_view query, std::string_view key);

// "%41+b" -> "A b"; nullopt on a broken escape.
[[nodiscard]] std::optional<std::string> percent_decode(std::string_view text);

// A non-negative decimal count named `name` (for the error sentence). Absent: `fallback`.
// Above `max`: `max` (a longer wait than allowed is simply the longest allowed).
[[nodiscard]] base::Result<std::int64_t> parse_count(const std::optional<std::string>& text,
                                                     std::string_view name, std::int64_t fallback,
                                                     std::int64_t max);

}  // namespace seshat::http
