#pragma once
// Timestamps as the API shows them: RFC 3339, UTC, milliseconds ("2026-11-25T09:43:59.123Z").

#include <cstdint>
#include <string>

namespace seshat::base {

// `millis`: milliseconds since the Unix epoch (store::Millis).
[[nodiscard]] std::string format_rfc3339(std::int64_t millis);

}  // namespace seshat::base
