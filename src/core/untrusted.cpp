#include "core/untrusted.hpp"

#include <cstdint>
#include <optional>
#include <vector>

#include "base/text.hpp"

namespace seshat::core {
namespace {

using base::trim;

constexpr std::uint32_t k_replacement = 0xFFFD;

void encode(std::uint32_t code, std::string& out) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

bool is_hidden(std::uint32_t code) {
  return code == 0x200E || code == 0x200F || code == 0x061C ||  // marks
         (code >= 0x202A && code <= 0x202E) ||                  // embeddings, overrides
         (code >= 0x2066 && code <= 0x2069) ||                  // isolates
         (code >= 0x200B && code <= 0x200D) || code == 0x2060 || code == 0xFEFF;  // zero-width
}

bool is_break(std::uint32_t code) {
  return code == '\n' || code == '\r' || code == 0x0B || code == 0x0C || code == 0x85 ||
         code == 0x2028 || code == 0x2029;
}

bool is_control(std::uint32_t code) {
  return code < 0x20 || (code >= 0x7F && code <= 0x9F);
}

// Cleans `text`, turning line breaks into '\n' (Breaks::keep) or ' ' (Breaks::space).
enum class Breaks { keep, space };
std::string clean(std::string_view text, Breaks breaks) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    // "\r\n" is one break.
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    const auto code = decode_utf8(text, i).value_or(k_replacement);
    if (is_hidden(code)) continue;
    if (is_break(code)) {
      out += breaks == Breaks::keep ? '\n' : ' ';
    } else if (is_control(code)) {
      out += ' ';
    } else {
      encode(code, out);
    }
  }
  return out;
}

}  // namespace

std::optional<std::uint32_t> decode_utf8(std::string_view text, std::size_t& i) {
  const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
  const unsigned lead = byte(i);
  if (lead < 0x80) {
    ++i;
    return lead;
  }
  std::size_t length = 0;
  std::uint32_t code = 0;
  std::uint32_t minimum = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, code = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, code = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, code = lead & 0x07, minimum = 0x10000;
  } else {
    ++i;
    return std::nullopt;
  }
  if (i + length > text.size()) {
    ++i;
    return std::nullopt;
  }
  for (std::size_t k = 1; k < length; ++k) {
    const unsigned next = byte(i + k);
    if ((next & 0xC0) != 0x80) {
      ++i;
      return std::nullopt;
    }
    code = (code << 6) | (next & 0x3F);
  }
  if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
    ++i;
    return std::nullopt;
  }
  i += length;
  return code;
}

std::string clean_line(std::string_view text) {
  return std::string(trim(clean(text, Breaks::space)));
}

std::string quote_lines(std::string_view text) {
  const auto all = clean(text, Breaks::keep);
  const auto first = all.find_first_not_of(" \t\n");
  if (first == std::string::npos) return {};
  const auto cleaned = all.substr(first, all.find_last_not_of(" \t\n") - first + 1);
  std::string out;
  std::size_t start = 0;
  for (;;) {
    const auto end = cleaned.find('\n', start);
    const auto line = std::string_view(cleaned).substr(
        start, end == std::string::npos ? std::string::npos : end - start);
    if (!out.empty()) out += '\n';
    const auto content = trim(line);
    out += content.empty() ? ">"
                           : "> " + std::string(line.substr(0, line.find_last_not_of(" \t") + 1));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::string shorten(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "\u2026";
}

}  // namespace seshat::core
