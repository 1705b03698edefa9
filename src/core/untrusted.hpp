#pragma once
// What a visitor wrote, made safe to show inside the bot's own texts to operators. Pure.
//
// A visitor controls their name, opening message, page and messages. Inside an operator text
// none of it may look like the bot's words: no line breaks where the bot did not put them, no
// characters that reorder or hide text (bidi controls, zero-width characters), no controls.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace seshat::core {

// Decodes one code point at text[i] (strict UTF-8: no overlong forms, surrogates or values past
// U+10FFFF), advancing i past it; nullopt on a bad sequence, and then i advances by one byte.
[[nodiscard]] std::optional<std::uint32_t> decode_utf8(std::string_view text, std::size_t& i);

// One line: control characters (C0, DEL, C1), line and paragraph separators become a space;
// bidi controls (U+200E/F, U+061C, U+202A-202E, U+2066-2069) and zero-width characters
// (U+200B-200D, U+2060, U+FEFF) are removed; runs of spaces they leave are not collapsed.
// Bytes that are not UTF-8 become U+FFFD. Leading and trailing white space is trimmed.
[[nodiscard]] std::string clean_line(std::string_view text);

// Each line of `text` (cleaned as clean_line, tabs kept as spaces) as "> line", joined by "\n";
// blank lines are kept as ">" so that nothing unquoted can sit between quoted lines.
// Empty text gives "".
[[nodiscard]] std::string quote_lines(std::string_view text);

// `text` cut to at most `max_bytes`, on a UTF-8 boundary, with "…" added when cut.
[[nodiscard]] std::string shorten(std::string_view text, std::size_t max_bytes);

}  // namespace seshat::core
