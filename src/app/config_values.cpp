#include "app/config_values.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>

namespace seshat::app {
namespace {

constexpr std::size_t k_max_jid_part = 1023;  // RFC 7622, bytes per part
constexpr std::int64_t k_max_seconds = 10LL * 365 * 24 * 3600;

std::string quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_control(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

bool is_ipv6(std::string_view text) {
  in6_addr address{};
  return inet_pton(AF_INET6, std::string(text).c_str(), &address) == 1;
}

// A DNS name (letters, digits, '-', '_', non-ASCII for IDNs, dot-separated labels) or an IPv4
// address (which has that shape too).
bool is_host_name(std::string_view text) {
  if (text.ends_with('.')) text.remove_suffix(1);
  if (text.empty() || text.size() > 253) return false;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto dot = std::min(text.find('.', start), text.size());
    const auto label = text.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label) {
      if (!is_ascii_alnum(c) && c != '-' && c != '_' && static_cast<unsigned char>(c) < 0x80)
        return false;
    }
    start = dot + 1;
  }
  return true;
}

Parsed<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  const auto* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc{} || stop != end || value < 1 || value > 65535)
    return Parsed<std::uint16_t>::fail("bad port " + quoted(text) + " (expected 1 to 65535)");
  return Parsed<std::uint16_t>::ok(static_cast<std::uint16_t>(value));
}

}  // namespace

std::string to_lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return lower;
}

Parsed<std::string> parse_bare_jid(std::string_view text) {
  using Result = Parsed<std::string>;
  const auto at = text.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == text.size())
    return Result::fail(quoted(text) + " is not a bare JID (expected local@domain)");
  if (text.find('/') != std::string_view::npos)
    return Result::fail(quoted(text) + " has a resource; give the bare JID (local@domain)");
  const auto local = text.substr(0, at);
  const auto domain = text.substr(at + 1);
  constexpr std::string_view k_forbidden_in_local = "\"&'/:<>@ \t";
  const bool local_ok =
      local.size() <= k_max_jid_part && std::none_of(local.begin(), local.end(), [&](char c) {
        return is_control(c) || k_forbidden_in_local.find(c) != std::string_view::npos;
      });
  const bool domain_ok =
      domain.size() <= k_max_jid_part &&
      (is_host_name(domain) || (domain.starts_with('[') && domain.ends_with(']') &&
                                is_ipv6(domain.substr(1, domain.size() - 2))));
  if (!local_ok || !domain_ok)
    return Result::fail(quoted(text) + " is not a valid bare JID (expected local@domain)");
  return Result::ok(to_lower(text));
}

Parsed<std::string> parse_domain(std::string_view text) {
  using Result = Parsed<std::string>;
  if (text.find_first_of("@/") != std::string_view::npos)
    return Result::fail(quoted(text) +
                        " is not a domain (expected a name such as chat.example.com, "
                        "without '@' or '/')");
  if (text.ends_with('.') || !is_host_name(text))
    return Result::fail(quoted(text) +
                        " is not a valid domain (expected a name such as "
                        "chat.example.com)");
  return Result::ok(to_lower(text));
}

Parsed<Endpoint> parse_endpoint(std::string_view text, std::optional<std::uint16_t> default_port) {
  using Result = Parsed<Endpoint>;
  const std::string example = default_port ? "host or host:port" : "host:port";
  std::string_view host;
  std::optional<std::string_view> port;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos)
      return Result::fail(quoted(text) + " has '[' without ']' (expected [IPv6]:port)");
    host = text.substr(1, close - 1);
    const auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':'))
        return Result::fail(quoted(text) + " has text after ']' (expected [IPv6]:port)");
      port = rest.substr(1);
    }
    if (!is_ipv6(host)) return Result::fail(quoted(host) + " is not an IPv6 address");
  } else if (std::count(text.begin(), text.end(), ':') > 1) {
    host = text;  // a bare IPv6 address; a port needs brackets
    if (!is_ipv6(host))
      return Result::fail(quoted(text) + " is not a valid address (write IPv6 as [addr]:port)");
  } else {
    const auto colon = text.find(':');
    host = text.substr(0, colon);
    if (colon != std::string_view::npos) port = text.substr(colon + 1);
    if (!is_host_name(host))
      return Result::fail(quoted(text) + " is not a valid address (expected " + example + ")");
  }

  Endpoint endpoint{to_lower(host), 0};
  if (port) {
    auto parsed = parse_port(*port);
    if (!parsed.value) return Result::fail(parsed.error);
    endpoint.port = *parsed.value;
  } else if (default_port) {
    endpoint.port = *default_port;
  } else {
    return Result::fail(quoted(text) + " has no port (expected " + example + ")");
  }
  return Result::ok(std::move(endpoint));
}

bool is_loopback(std::string_view host) {
  const auto lower = to_lower(host);
  if (lower == "localhost" || lower == "localhost.") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, lower.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, lower.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

Parsed<base::IpNetwork> parse_proxy(std::string_view text) {
  if (auto network = base::parse_network(text)) return Parsed<base::IpNetwork>::ok(*network);
  return Parsed<base::IpNetwork>::fail("'" + std::string(text) +
                                       "' is not an IP address or network (expected one like "
                                       "10.0.0.0/8, 127.0.0.1 or fd00::/8)");
}

Parsed<std::string> parse_origin(std::string_view text) {
  using Result = Parsed<std::string>;
  const auto lower = to_lower(text);
  std::string_view rest = lower;
  std::string_view scheme;
  for (std::string_view candidate : {"https://", "http://"}) {
    if (rest.starts_with(candidate)) {
      scheme = candidate;
      rest.remove_prefix(candidate.size());
      break;
    }
  }
  const std::string expected = " (expected an origin like https://shop.example.com)";
  if (scheme.empty()) return Result::fail(quoted(text) + " is not an http(s) origin" + expected);
  if (rest.find('/') != std::string_view::npos)
    return Result::fail(quoted(text) + " has a path; an origin has none" + expected);
  const std::uint16_t default_port = scheme == "https://" ? 443 : 80;
  auto endpoint = parse_endpoint(rest, default_port);
  if (!endpoint.value) return Result::fail(quoted(text) + ": " + endpoint.error);
  std::string origin = std::string(scheme);
  origin += endpoint.value->host.find(':') != std::string::npos ? "[" + endpoint.value->host + "]"
                                                                : endpoint.value->host;
  if (endpoint.value->port != default_port) origin += ":" + std::to_string(endpoint.value->port);
  return Result::ok(std::move(origin));
}

Parsed<std::string> parse_prefix(std::string_view text) {
  using Result = Parsed<std::string>;
  const bool chars_ok = std::all_of(text.begin(), text.end(), [](char c) {
    return is_ascii_alnum(c) || std::string_view("/-._~").find(c) != std::string_view::npos;
  });
  if (!text.starts_with('/') || text.size() < 2 || text.ends_with('/') ||
      text.find("//") != std::string_view::npos || !chars_ok)
    return Result::fail(
        "must start with '/' and not end with '/', with letters, digits and "
        "-._~ in between, e.g. /seshat; not " +
        quoted(text));
  return Result::ok(std::string(text));
}

Parsed<std::chrono::seconds> parse_seconds(std::string_view text) {
  using Result = Parsed<std::chrono::seconds>;
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || text.front() == '-' || error != std::errc{} || stop != end ||
      value > k_max_seconds)
    return Result::fail("must be a whole number of seconds, 0 or more, not " + quoted(text));
  return Result::ok(std::chrono::seconds(value));
}

Parsed<int> parse_positive(std::string_view text, int maximum) {
  int value = 0;
  const auto* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc{} || stop != end || value < 1 || value > maximum)
    return Parsed<int>::fail("must be a whole number from 1 to " + std::to_string(maximum) +
                             ", not " + quoted(text));
  return Parsed<int>::ok(value);
}

Parsed<std::int64_t> parse_count(std::string_view text, std::int64_t max) {
  using Result = Parsed<std::int64_t>;
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || text.front() == '-' || error != std::errc{} || stop != end || value > max)
    return Result::fail("must be a whole number from 0 to " + std::to_string(max) + ", not " +
                        quoted(text));
  return Result::ok(value);
}

std::vector<std::string_view> split_list(std::string_view text) {
  std::vector<std::string_view> items;
  constexpr std::string_view k_separators = ", \t\r\n";
  std::size_t start = 0;
  while (start < text.size()) {
    start = text.find_first_not_of(k_separators, start);
    if (start == std::string_view::npos) break;
    const auto end = std::min(text.find_first_of(k_separators, start), text.size());
    items.push_back(text.substr(start, end - start));
    start = end;
  }
  return items;
}

Parsed<bool> parse_yes_no(std::string_view text) {
  const auto value = to_lower(text);
  if (value == "yes" || value == "true" || value == "on" || value == "1")
    return Parsed<bool>::ok(true);
  if (value == "no" || value == "false" || value == "off" || value == "0")
    return Parsed<bool>::ok(false);
  return Parsed<bool>::fail("must be yes or no, not '" + std::string(text) + "'");
}

Parsed<std::string> parse_resource(std::string_view text) {
  constexpr std::size_t k_max_bytes = 1023;
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return Parsed<std::string>::fail("must not be empty");
  if (text.size() > k_max_bytes)
    return Parsed<std::string>::fail("must be at most 1023 bytes long");
  for (const unsigned char c : text) {
    if (c < 0x20 || c == 0x7f)
      return Parsed<std::string>::fail("must not contain control characters");
  }
  return Parsed<std::string>::ok(std::string(text));
}

}  // namespace seshat::app
