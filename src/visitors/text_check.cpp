#include "visitors/text_check.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>

#include "base/text.hpp"
#include "core/untrusted.hpp"

namespace seshat::visitors {
namespace {

constexpr std::string_view k_white = " \t\r\n";

enum class Controls { none, newline_and_tab };

// What is wrong with a text's characters, if anything.
enum class Flaw { none, invalid_utf8, nul, control, noncharacter };

Flaw find_flaw(std::string_view text, Controls allowed) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto code = core::decode_utf8(text, i);
    if (!code) return Flaw::invalid_utf8;
    if (*code == 0) return Flaw::nul;
    const bool allowed_control =
        allowed == Controls::newline_and_tab && (*code == '\n' || *code == '\t');
    // C0, DEL and C1 (U+0080..U+009F: NEXT LINE, terminal CSI, ...).
    const bool control = *code < 0x20 || (*code >= 0x7F && *code <= 0x9F);
    if (control && !allowed_control) return Flaw::control;
    if (*code == 0xFFFE || *code == 0xFFFF) return Flaw::noncharacter;
  }
  return Flaw::none;
}

std::optional<Failure> check_characters(std::string_view text, Controls allowed,
                                        std::string_view what, std::string_view control_advice) {
  const std::string subject = "The " + std::string(what);
  switch (find_flaw(text, allowed)) {
    case Flaw::none:
      return std::nullopt;
    case Flaw::invalid_utf8:
      return Failure{Error::bad_request, subject + " is not valid UTF-8 text."};
    case Flaw::nul:
      return Failure{Error::bad_request, subject + " contains a NUL character."};
    case Flaw::control:
      return Failure{Error::bad_request, subject + std::string(control_advice)};
    case Flaw::noncharacter:
      return Failure{Error::bad_request, subject +
                                             " contains U+FFFE or U+FFFF, which are not "
                                             "characters."};
  }
  return std::nullopt;
}

Failure too_large(std::string_view what, std::size_t max_bytes) {
  return Failure{Error::too_large, "The " + std::string(what) + " is longer than " +
                                       std::to_string(max_bytes) + " bytes."};
}

std::string_view trim(std::string_view text) {
  return base::trim(text, k_white);
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;  // ASCII, most of any text: nothing to decode
    } else if (!core::decode_utf8(text, i)) {
      return false;
    }
  }
  return true;
}

bool is_blank(std::string_view text) {
  return trim(text).empty();
}

Result<std::string> check_name(std::string_view name, std::size_t max_bytes) {
  name = trim(name);
  if (name.empty()) return Failure{Error::bad_request, "A name is required."};
  if (name.size() > max_bytes) return too_large("name", max_bytes);
  if (auto failure = check_characters(name, Controls::none, "name",
                                      " must be a single line without control characters."))
    return *failure;
  // Bidi controls and zero-width characters could disguise the name in the operators' texts;
  // U+2028/U+2029 would break its line there.
  auto cleaned = core::clean_line(name);
  if (cleaned.empty()) return Failure{Error::bad_request, "A name is required."};
  return cleaned;
}

Result<std::string> check_message(std::string_view text, std::size_t max_bytes) {
  std::string normalised;
  normalised.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    normalised += text[i];
  }
  if (normalised.size() > max_bytes) return too_large("message", max_bytes);
  if (auto failure = check_characters(normalised, Controls::newline_and_tab, "message",
                                      " contains a control character (only line breaks and "
                                      "tabs are allowed)."))
    return *failure;
  return normalised;
}

Result<std::string> check_page(std::string_view page, std::size_t max_bytes) {
  // Cut, never refused: a long URL is no reason to lose the visitor's chat. On a character
  // boundary, so that what is kept is still UTF-8.
  if (page.size() > max_bytes) {
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(page[cut]) & 0xC0) == 0x80) --cut;
    page = page.substr(0, cut);
  }
  if (auto failure = check_characters(page, Controls::none, "page address",
                                      " must be a single line without control characters."))
    return *failure;
  return std::string(page);
}

Result<std::string> check_email(std::string_view email) {
  constexpr std::size_t k_max_email = 254;  // RFC 5321's path limit, less the angle brackets
  constexpr std::size_t k_max_local = 64;
  constexpr std::size_t k_max_label = 63;
  email = trim(email);
  if (email.empty()) return std::string{};
  const auto bad = [](std::string sentence) { return Failure{Error::bad_request, sentence}; };
  const std::string example = " (like name@example.com)";
  if (email.size() > k_max_email)
    return bad("The email address is longer than " + std::to_string(k_max_email) + " characters.");
  for (const char c : email) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F)
      return bad("The email address must be a single line without control characters.");
    if (c == ' ') return bad("The email address must not contain spaces.");
    if (byte >= 0x80)
      return bad("The email address must be written in plain ASCII" + example + ".");
  }
  const auto at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos)
    return bad("The email address must be one address" + example + ".");
  const auto local = email.substr(0, at);
  const auto domain = email.substr(at + 1);
  // RFC 5322 atext: letters, digits and these; dots only between them.
  constexpr std::string_view k_local_specials = "!#$%&'*+-/=?^_`{|}~";
  const bool local_ok = !local.empty() && local.size() <= k_max_local && local.front() != '.' &&
                        local.back() != '.' && local.find("..") == std::string_view::npos &&
                        std::all_of(local.begin(), local.end(), [&](char c) {
                          return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' ||
                                 k_local_specials.find(c) != std::string_view::npos;
                        });
  if (!local_ok)
    return bad("The part of the email address before '@' is not valid" + example + ".");
  bool domain_ok = domain.find('.') != std::string_view::npos;
  std::size_t start = 0;
  while (domain_ok && start <= domain.size()) {
    auto end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    const auto label = domain.substr(start, end - start);
    domain_ok = !label.empty() && label.size() <= k_max_label && label.front() != '-' &&
                label.back() != '-' && std::all_of(label.begin(), label.end(), [](char c) {
                  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
                });
    start = end + 1;
  }
  if (!domain_ok)
    return bad("The part of the email address after '@' is not a valid domain" + example + ".");
  return std::string(email);
}

Result<std::string> check_client_id(std::string_view id) {
  const bool visible =
      std::all_of(id.begin(), id.end(), [](char c) { return c > ' ' && c < '\x7f'; });
  if (id.empty() || id.size() > 64 || !visible) {
    return Failure{Error::bad_request,
                   "The field 'client_id' must be 1 to 64 visible ASCII characters."};
  }
  return std::string(id);
}

bool is_page_id(std::string_view id) {
  return id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
         });
}

Result<std::string> check_stream_name(std::string_view name, std::string_view what) {
  if (name.empty() || !is_page_id(name)) {
    return Failure{Error::bad_request,
                   "The " + std::string(what) + " must be 1 to 64 letters, digits, '-' or '_'."};
  }
  return std::string(name);
}

Result<std::string> check_language(std::string_view tag) {
  const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  bool valid = tag.size() <= 35;
  std::size_t subtag = 0;  // characters in the current subtag
  bool first = true;       // in the primary subtag (letters only)
  for (std::size_t at = 0; valid && at <= tag.size(); ++at) {
    if (at == tag.size() || tag[at] == '-') {
      valid = subtag >= (first ? 2u : 1u) && subtag <= 8;
      first = false;
      subtag = 0;
    } else {
      valid = letter(tag[at]) || (!first && digit(tag[at]));
      ++subtag;
    }
  }
  if (tag.empty()) return std::string{};
  if (!valid) {
    return Failure{Error::bad_request,
                   "The field 'language' must be a language tag such as 'de' or 'pt-BR'."};
  }
  return std::string(tag);
}

}  // namespace seshat::visitors
