#pragma once
// An independent UTF-8 check for the fuzz targets' oracles: the table of well-formed byte
// sequences of the Unicode standard (chapter 3, table 3-7), matched byte by byte, with no
// decoding, so it shares no logic with the product's decoder.

#include <cstddef>
#include <string_view>

namespace seshat::fuzz {

struct ByteRange {
  unsigned char low;
  unsigned char high;
};

struct Shape {
  ByteRange lead;
  ByteRange second;
  int length;  // continuation bytes after the second are 80..BF
};

// Unicode 15, table 3-7: every well-formed UTF-8 byte sequence.
inline constexpr Shape k_shapes[] = {
    {{0x00, 0x7F}, {0, 0}, 1},       {{0xC2, 0xDF}, {0x80, 0xBF}, 2},
    {{0xE0, 0xE0}, {0xA0, 0xBF}, 3}, {{0xE1, 0xEC}, {0x80, 0xBF}, 3},
    {{0xED, 0xED}, {0x80, 0x9F}, 3}, {{0xEE, 0xEF}, {0x80, 0xBF}, 3},
    {{0xF0, 0xF0}, {0x90, 0xBF}, 4}, {{0xF1, 0xF3}, {0x80, 0xBF}, 4},
    {{0xF4, 0xF4}, {0x80, 0x8F}, 4},
};

inline bool in(ByteRange range, unsigned char byte) {
  return byte >= range.low && byte <= range.high;
}

// The length of the well-formed sequence at `text[i]`, or 0.
inline int sequence_length(std::string_view text, std::size_t i) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  for (const auto& shape : k_shapes) {
    if (!in(shape.lead, at(i))) continue;
    if (i + static_cast<std::size_t>(shape.length) > text.size()) return 0;
    if (shape.length > 1 && !in(shape.second, at(i + 1))) return 0;
    for (int k = 2; k < shape.length; ++k)
      if (!in({0x80, 0xBF}, at(i + static_cast<std::size_t>(k)))) return 0;
    return shape.length;
  }
  return 0;
}

inline bool well_formed(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const int length = sequence_length(text, i);
    if (length == 0) return false;
    i += static_cast<std::size_t>(length);
  }
  return true;
}

}  // namespace seshat::fuzz
