#pragma once
// The rules for what a visitor may write: strict UTF-8, size limits, control characters.
// Pure functions; each returns the text to store (normalised as stated) or a Failure whose
// message is one sentence for the visitor.

#include <cstddef>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace seshat::visitors {

// Expected failures are values of the project-wide Result (base/error.hpp).
using base::Done;
using base::Error;
using base::Failure;
using base::Result;

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
[[nodiscard]] bool is_valid_utf8(std::string_view text);

// The visitor's name: trimmed of white space, then required, one line, at most `max_bytes`;
// bidi controls and zero-width characters are removed, U+2028/U+2029 become spaces.
[[nodiscard]] Result<std::string> check_name(std::string_view name, std::size_t max_bytes);

// A message text ("\r\n" becomes "\n"; '\n' and '\t' are the only control characters allowed).
// May be empty: whether that is allowed is the caller's rule.
[[nodiscard]] Result<std::string> check_message(std::string_view text, std::size_t max_bytes);

// The page the visitor came from (one line, no control characters); may be empty. Longer than
// `max_bytes`: cut to it, on a UTF-8 character boundary (never refused for its length).
[[nodiscard]] Result<std::string> check_page(std::string_view page, std::size_t max_bytes);

// The visitor's email address, trimmed of surrounding white space; may be empty (none given).
// One plausible address, local@domain: at most 254 bytes, printable ASCII without spaces,
// quotes, brackets, commas or semicolons (so it can never carry a second address or a mail
// header), a dot-atom local part of at most 64 bytes, and a domain of dot-separated labels of
// letters, digits and inner hyphens with at least one dot. Anything else -> bad_request.
[[nodiscard]] Result<std::string> check_email(std::string_view email);

// The sender's id of a message: 1 to 64 visible ASCII characters (no space).
[[nodiscard]] Result<std::string> check_client_id(std::string_view id);

// An id the widget makes up for its browser or its event stream: at most 64 letters, digits,
// '-' or '_' (so it is safe in a URL and a log line). Empty passes: the caller's rule.
[[nodiscard]] bool is_page_id(std::string_view id);

// The name a page gives its event stream: a page id, not empty. `what` names it in the error
// ("field 'stream'", "parameter 'stream'").
[[nodiscard]] Result<std::string> check_stream_name(std::string_view name, std::string_view what);

// A BCP 47 language tag ("de", "pt-BR", "zh-Hant-TW"): letters, then subtags of letters and
// digits after '-', at most 35 characters; may be empty (not known).
[[nodiscard]] Result<std::string> check_language(std::string_view tag);

// True when the text has nothing but white space.
[[nodiscard]] bool is_blank(std::string_view text);

}  // namespace seshat::visitors
