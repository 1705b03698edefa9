#include "http/query.hpp"

#include <charconv>

namespace seshat::http {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text) {
  std::string result;
  result.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      result.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = hex_digit(text[i + 1]);
      const int low = hex_digit(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      result.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      result.push_back(c);
    }
  }
  return result;
}

std::optional<std::string> query_value(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = pair.find('=');
    const auto name = pair.substr(0, eq);
    if (name != key) continue;
    if (eq == std::string_view::npos) return std::string{};
    return percent_decode(pair.substr(eq + 1));
  }
  return std::nullopt;
}

base::Result<std::int64_t> parse_count(const std::optional<std::string>& text,
                                       std::string_view name, std::int64_t fallback,
                                       std::int64_t max) {
  if (!text) return fallback;
  std::int64_t value = 0;
  const auto* end = text->data() + text->size();
  const auto [stop, error] = std::from_chars(text->data(), end, value);
  if (text->empty() || text->front() < '0' || text->front() > '9' ||
      error == std::errc::invalid_argument || stop != end || value < 0) {
    return base::Failure{base::Error::bad_request, "The parameter '" + std::string(name) +
                                                       "' must be a whole number, 0 or more."};
  }
  if (error == std::errc::result_out_of_range || value > max) return max;
  return value;
}

}  // namespace seshat::http
