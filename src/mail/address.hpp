#pragma once
// Mail addresses as Seshat accepts them: from visitors (the reply and transcript address) and
// from the configuration (mail_from). Pure functions, no I/O.
//
// A visitor's address is a plain addr-spec (RFC 5321 "Mailbox"), deliberately narrower than
// RFC 5322 allows: ASCII only, no quoted local part, no comments, no IP literal, at most 254
// bytes; the local part of letters, digits and !#$%&'*+-/=?^_`{|}~. with no leading, trailing or
// doubled dot; a domain of at least two dot-separated labels of letters, digits and '-'. What it
// accepts can never break out of a header line or an SMTP command (no space, CR, LF, '<', '>').

#include <optional>
#include <string>
#include <string_view>

namespace seshat::mail {

[[nodiscard]] bool is_valid_address(std::string_view address);

// The address lower-cased, as the per-address mail limit counts it.
[[nodiscard]] std::string address_key(std::string_view address);

// The part after the '@' (the address must be valid).
[[nodiscard]] std::string_view domain_of(std::string_view address);

// A From: mailbox: "support@example.com" or "Example Support <support@example.com>".
struct Mailbox {
  std::string display_name;  // may be empty; printable, without '"', '\\', CR or LF
  std::string address;       // valid (is_valid_address)
};

// Parses mail_from; nullopt with `error` set when it is not one of the two forms above.
[[nodiscard]] std::optional<Mailbox> parse_mailbox(std::string_view text, std::string& error);

}  // namespace seshat::mail
