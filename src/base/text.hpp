#pragma once
// Small text helpers every layer shares.

#include <string_view>

namespace seshat::base {

// Space and tab: the blanks inside one line.
inline constexpr std::string_view k_blanks = " \t";
// Every character std::isspace() takes for white space in the C locale.
inline constexpr std::string_view k_white_space = " \t\n\v\f\r";

// `text` without the leading and trailing characters found in `chars` (blanks by default).
[[nodiscard]] std::string_view trim(std::string_view text, std::string_view chars = k_blanks);

}  // namespace seshat::base
