#include "mail/message.hpp"

#include <array>
#include <cctype>
#include <ctime>
#include <stdexcept>

namespace seshat::mail {
namespace {

constexpr std::size_t k_qp_line = 76;         // RFC 2045: encoded lines at most 76 characters
constexpr std::size_t k_word_bytes = 45;      // UTF-8 bytes per encoded word: 60 base64 chars
constexpr std::size_t k_plain_subject = 900;  // longer ASCII subjects are encoded (and folded)
constexpr char k_hex[] = "0123456789ABCDEF";

// The length of the UTF-8 sequence starting at text[i], or 0 if it is not a valid one.
std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  std::size_t length = 0;
  std::uint32_t code = 0;
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, code = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, code = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, code = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xC0) != 0x80) return 0;
    code = (code << 6) | (next & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  constexpr std::array<std::uint32_t, 5> k_min{0, 0, 0x80, 0x800, 0x10000};
  if (code < k_min[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

std::string base64(std::string_view bytes) {
  static constexpr char k_alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const std::uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                            (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                            static_cast<unsigned char>(bytes[i + 2]);
    out += k_alphabet[(n >> 18) & 63];
    out += k_alphabet[(n >> 12) & 63];
    out += k_alphabet[(n >> 6) & 63];
    out += k_alphabet[n & 63];
  }
  if (i + 1 == bytes.size()) {
    const std::uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    out += k_alphabet[(n >> 18) & 63];
    out += k_alphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const std::uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                            (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += k_alphabet[(n >> 18) & 63];
    out += k_alphabet[(n >> 12) & 63];
    out += k_alphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

bool printable_ascii(std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F) return false;
  }
  return true;
}

// A display name as a quoted-string (ASCII) or encoded words.
std::string display_name(std::string_view name) {
  const auto clean = clean_header_text(name);
  if (clean.empty()) return {};
  if (printable_ascii(clean) && clean.find_first_of("\"\\") == std::string::npos)
    return "\"" + clean + "\"";
  return encode_header_text(clean);
}

void check_message_id(std::string_view id) {
  const auto at = id.find('@');
  bool ok = !id.empty() && at != std::string_view::npos && at > 0 && at + 1 < id.size() &&
            id.find('@', at + 1) == std::string_view::npos;
  for (const char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (!(u < 0x80 && (std::isalnum(u) != 0 || c == '.' || c == '-' || c == '@'))) ok = false;
  }
  if (!ok) throw std::invalid_argument("not a usable Message-ID: " + std::string(id));
}

}  // namespace

std::string clean_header_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto length = utf8_length(text, i);
    if (length == 0) {  // not UTF-8: dropped
      ++i;
      continue;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (length == 1) {
      if (c == '\t' || c == '\r' || c == '\n') {
        if (!out.empty() && out.back() != ' ') out += ' ';
      } else if (c >= 0x20 && c != 0x7F) {
        out += static_cast<char>(c);
      }
    } else if (!(length == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0)) {
      out.append(text.substr(i, length));  // C1 controls (U+0080..U+009F) are dropped
    }
    i += length;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string encode_header_text(std::string_view text) {
  const auto clean = clean_header_text(text);
  if (printable_ascii(clean) && clean.size() <= k_plain_subject) return clean;
  std::string out;
  std::size_t i = 0;
  while (i < clean.size()) {
    std::size_t end = i;
    while (end < clean.size()) {
      const auto length = utf8_length(clean, end);  // clean is valid UTF-8: never 0
      if (end + length - i > k_word_bytes) break;
      end += length;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?utf-8?B?" + base64(std::string_view(clean).substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

std::string quoted_printable(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    const bool last = end == std::string_view::npos;
    if (last) end = text.size();
    auto line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t column = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const auto c = static_cast<unsigned char>(line[i]);
      const bool at_end = i + 1 == line.size();
      std::string piece;
      if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_end)) {
        piece = static_cast<char>(c);
      } else {
        piece = {'=', k_hex[c >> 4], k_hex[c & 15]};
      }
      // Room for a soft break ('=') unless this is the line's last piece.
      const std::size_t limit = at_end ? k_qp_line : k_qp_line - 1;
      if (column + piece.size() > limit) {
        out += "=\r\n";
        column = 0;
      }
      out += piece;
      column += piece.size();
    }
    if (last) break;
    out += "\r\n";
    start = end + 1;
  }
  if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
  return out;
}

std::string rfc5322_date(std::int64_t ms_since_epoch) {
  const std::time_t seconds = ms_since_epoch / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 64> buffer{};
  const auto length = std::strftime(buffer.data(), buffer.size(), "%a, %d %b %Y %H:%M:%S +0000",
                                    &utc);  // the "C" locale's day and month names
  return std::string(buffer.data(), length);
}

std::string make_message_id(std::int64_t mail_id, std::string_view site, std::string_view domain) {
  return "seshat." + std::to_string(mail_id) + "." + std::string(site) + "@" + std::string(domain);
}

std::string render(const Message& message) {
  if (!is_valid_address(message.to))
    throw std::invalid_argument("not a valid recipient address: " + message.to);
  if (!is_valid_address(message.from.address))
    throw std::invalid_argument("not a valid sender address: " + message.from.address);
  check_message_id(message.message_id);
  std::string out;
  out += "Date: " + rfc5322_date(message.date_ms) + "\r\n";
  const auto name = display_name(message.from.display_name);
  out += "From: " + (name.empty() ? "" : name + " ") + "<" + message.from.address + ">\r\n";
  out += "To: <" + message.to + ">\r\n";
  out += "Subject: " + encode_header_text(message.subject) + "\r\n";
  out += "Message-ID: <" + message.message_id + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += "Content-Transfer-Encoding: quoted-printable\r\n";
  out += "\r\n";
  out += quoted_printable(message.body);
  return out;
}

}  // namespace seshat::mail
