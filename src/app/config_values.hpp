#pragma once
// Parsers for the values of configuration keys. Pure; each returns the value or a short
// description of what is wrong, which the loader completes as "file:line: [section] key: ...".

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.hpp"

namespace seshat::app {

template <class T>
struct Parsed {
  std::optional<T> value;
  std::string error;  // set when value is empty

  static Parsed ok(T value) { return Parsed{std::move(value), {}}; }
  static Parsed fail(std::string error) { return Parsed{std::nullopt, std::move(error)}; }
};

// A bare JID, `local@domain`, no resource; returned in lower case.
[[nodiscard]] Parsed<std::string> parse_bare_jid(std::string_view text);

// `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 address. The port is required when
// `default_port` is empty. The host is returned in lower case without brackets.
[[nodiscard]] Parsed<Endpoint> parse_endpoint(std::string_view text,
                                              std::optional<std::uint16_t> default_port);

// A domain name (an XMPP component's): dot-separated labels of letters, digits, '-' and '_';
// returned in lower case.
[[nodiscard]] Parsed<std::string> parse_domain(std::string_view text);

// 127.0.0.0/8, ::1 (also as ::ffff:127.x.x.x) or `localhost`.
[[nodiscard]] bool is_loopback(std::string_view host);

// `http(s)://host[:port]` as a browser sends it in an Origin header (default port dropped).
[[nodiscard]] Parsed<std::string> parse_origin(std::string_view text);

// An address or a CIDR network of trusted_proxies ("10.0.0.0/8", "127.0.0.1", "fd00::/8").
[[nodiscard]] Parsed<base::IpNetwork> parse_proxy(std::string_view text);

// A URL path prefix: starts with '/', does not end with '/', plain path characters only.
[[nodiscard]] Parsed<std::string> parse_prefix(std::string_view text);

// A whole number of seconds, >= 0.
[[nodiscard]] Parsed<std::chrono::seconds> parse_seconds(std::string_view text);

// A whole number from 1 to `maximum` (a count such as max_chats).
[[nodiscard]] Parsed<int> parse_positive(std::string_view text, int maximum);
// A whole number from 0 to `max`.
[[nodiscard]] Parsed<std::int64_t> parse_count(std::string_view text, std::int64_t max);

// Items of a list separated by commas and/or white space (including line breaks); empty items
// are dropped.
[[nodiscard]] std::vector<std::string_view> split_list(std::string_view text);

[[nodiscard]] std::string to_lower(std::string_view text);

// yes/no (also true/false, on/off, 1/0), any case.
[[nodiscard]] Parsed<bool> parse_yes_no(std::string_view text);

// An XMPP resource: 1 to 1023 bytes of printable text (RFC 7622), spaces trimmed.
[[nodiscard]] Parsed<std::string> parse_resource(std::string_view text);

}  // namespace seshat::app
