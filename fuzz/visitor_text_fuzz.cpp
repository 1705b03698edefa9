// Fuzzes the rules for what a visitor may write (src/visitors/text_check.hpp) against an oracle
// written here from the contract, not from the product's code: UTF-8 is checked with the table of
// well-formed byte sequences of the Unicode standard (chapter 3, table 3-7) rather than by
// decoding, and each check_* must accept exactly the texts the contract allows, returning the
// text normalised as stated. Failures must be one sentence on one line.
//
// Input: the first byte sets max_bytes (byte * 16), the rest is the text given to every check.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/untrusted.hpp"
#include "fuzz_check.hpp"
#include "utf8_oracle.hpp"
#include "visitors/text_check.hpp"

namespace {

using seshat::base::Error;
using seshat::base::Result;
using seshat::fuzz::require;
using seshat::fuzz::well_formed;

enum class Controls { none, newline_and_tab };

// Whether well-formed `text` holds only characters the contract allows: no C0 control (other
// than '\n' and '\t' where allowed), no DEL, no C1 control (U+0080..U+009F: control characters
// too, e.g. U+0085 NEXT LINE and U+009B, the terminal's CSI), no U+FFFE/U+FFFF.
bool allowed_characters(std::string_view text, Controls controls) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7F) {
      if (controls == Controls::newline_and_tab && (byte == '\n' || byte == '\t')) continue;
      return false;
    }
    if (byte == 0xC2 && i + 1 < text.size()) {  // U+0080..U+00BF are C2 80..BF
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return false;
    }
    if (byte == 0xEF && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xBF &&
        (static_cast<unsigned char>(text[i + 2]) & 0xFE) == 0xBE)  // EF BF BE/BF
      return false;
  }
  return true;
}

std::string_view trim_white(std::string_view text) {
  constexpr std::string_view k_white = " \t\r\n";
  const auto first = text.find_first_not_of(k_white);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(k_white) - first + 1);
}

std::string without_crlf(std::string_view text) {
  std::string result;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    result += text[i];
  }
  return result;
}

// `result` must be `expected` when the oracle allows the text, a one-line failure otherwise.
void check_result(const Result<std::string>& result, const std::optional<std::string>& expected,
                  std::string_view what) {
  if (expected) {
    require(result.ok(), "an allowed text is accepted", what);
    require(result.value() == *expected, "an accepted text is returned as the contract says", what);
    require(well_formed(result.value()), "an accepted text is well-formed UTF-8", what);
    return;
  }
  require(!result.ok(), "a text the contract forbids is refused", what);
  const auto& message = result.failure().message;
  require(!message.empty() && message.find('\n') == std::string::npos,
          "a refusal is one non-empty line", message);
  require(result.failure().code == Error::bad_request || result.failure().code == Error::too_large,
          "a refusal is bad_request or too_large", message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t max_bytes = static_cast<std::size_t>(data[0]) * 16;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  require(seshat::visitors::is_valid_utf8(text) == well_formed(text),
          "is_valid_utf8 agrees with the table of well-formed sequences");

  // A name is stored cleaned of what could disguise it in the operators' texts (bidi and
  // zero-width characters, line separators: core::clean_line, tested on its own).
  const auto name = trim_white(text);
  const bool name_allowed = !name.empty() && name.size() <= max_bytes && well_formed(name) &&
                            allowed_characters(name, Controls::none);
  const auto cleaned = name_allowed ? seshat::core::clean_line(name) : std::string();
  check_result(seshat::visitors::check_name(text, max_bytes),
               !cleaned.empty() ? std::optional<std::string>(cleaned) : std::nullopt, "name");

  const auto message = without_crlf(text);
  const bool message_ok = message.size() <= max_bytes && well_formed(message) &&
                          allowed_characters(message, Controls::newline_and_tab);
  check_result(seshat::visitors::check_message(text, max_bytes),
               message_ok ? std::optional<std::string>(message) : std::nullopt, "message");

  // A page is cut to max_bytes on a character boundary, never refused for its length.
  auto page = text;
  if (page.size() > max_bytes) {
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(page[cut]) & 0xC0) == 0x80) --cut;
    page = page.substr(0, cut);
  }
  const bool page_ok = well_formed(page) && allowed_characters(page, Controls::none);
  check_result(seshat::visitors::check_page(text, max_bytes),
               page_ok ? std::optional<std::string>(page) : std::nullopt, "page");

  require(seshat::visitors::is_blank(text) == trim_white(text).empty(),
          "is_blank means nothing but white space");
  return 0;
}
