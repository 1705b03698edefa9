#pragma once
// The rules for what a visitor may write: strict UTF-8, size limits, control characters.
// Pure functions; each returns the text to store (normalised as stated) or a Failure whose
// message is one sentence for the visitor.

#include <cstddef>
#include <string>
#include <string_view>

#include "client/error.hpp"

namespace seshat::client {

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
[[nodiscard]] bool is_valid_utf8(std::string_view text);

// The visitor's name: trimmed of white space, then required, one line, at most `max_bytes`.
[[nodiscard]] Result<std::string> check_name(std::string_view name, std::size_t max_bytes);

// A message text ("\r\n" becomes "\n"; '\n' and '\t' are the only control characters allowed).
// May be empty: whether that is allowed is the caller's rule.
[[nodiscard]] Result<std::string> check_message(std::string_view text, std::size_t max_bytes);

// The page the visitor came from (one line, no control characters); may be empty.
[[nodiscard]] Result<std::string> check_page(std::string_view page, std::size_t max_bytes);

// The sender's id of a message: 1 to 64 visible ASCII characters (no space).
[[nodiscard]] Result<std::string> check_client_id(std::string_view id);

// A BCP 47 language tag ("de", "pt-BR", "zh-Hant-TW"): letters, then subtags of letters and
// digits after '-', at most 35 characters; may be empty (not known).
[[nodiscard]] Result<std::string> check_language(std::string_view tag);

// True when the text has nothing but white space.
[[nodiscard]] bool is_blank(std::string_view text);

}  // namespace seshat::client
