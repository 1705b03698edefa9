#pragma once
// One mail as RFC 5322 text: the only place that knows header syntax, encodings and line ends.
// Pure functions, no I/O.
//
// Safety: nothing given here can add a header. The recipient must be a valid address
// (mail/address.hpp: no space, CR, LF or angle bracket); the subject and the sender's display
// name lose every control character (CR and LF included) and, when not plain ASCII, are sent as
// RFC 2047 encoded words; the body is quoted-printable, so no line of it is ever longer than 76
// characters or holds a bare CR. A line of the body that is a single "." stays one: SMTP
// dot-stuffing is the transport's job (libcurl does it; tests/integration check it).

#include <cstdint>
#include <string>
#include <string_view>

#include "mail/address.hpp"

namespace seshat::mail {

struct Message {
  Mailbox from;
  std::string to;            // a valid address (is_valid_address), else render() throws
  std::string subject;       // UTF-8 text; control characters are dropped
  std::string body;          // UTF-8 text with '\n' line ends
  std::string message_id;    // "id-left@domain", without angle brackets (see make_message_id)
  std::int64_t date_ms = 0;  // the Date: header, milliseconds since the Unix epoch (UTC)
};

// The whole message, CRLF line ends, ready for SMTP DATA (before dot-stuffing).
// Throws std::invalid_argument when `to` or `from.address` is not a valid address or the
// message id holds anything but [A-Za-z0-9.-] and one '@'.
[[nodiscard]] std::string render(const Message& message);

// "seshat.<mail id>.<site>@<domain>": the same for every send of one stored mail, different for
// every mail of every site (`site` is a random value kept in the database).
[[nodiscard]] std::string make_message_id(std::int64_t mail_id, std::string_view site,
                                          std::string_view domain);

// --- the pieces, for tests ---

// `text` without control characters (C0, DEL, C1; tabs and line breaks become spaces), and
// without bytes that are not UTF-8.
[[nodiscard]] std::string clean_header_text(std::string_view text);
// The value of an unstructured header field (Subject): clean_header_text, then as is when it is
// printable ASCII, else as RFC 2047 "B" encoded words of UTF-8 (each at most 75 characters,
// never splitting a character), folded onto continuation lines.
[[nodiscard]] std::string encode_header_text(std::string_view text);
// Quoted-printable (RFC 2045) of UTF-8 text with '\n' line ends; output lines end in CRLF.
[[nodiscard]] std::string quoted_printable(std::string_view text);
// "Mon, 30 Nov 2026 10:01:58 +0000"
[[nodiscard]] std::string rfc5322_date(std::int64_t ms_since_epoch);

}  // namespace seshat::mail
