#pragma once
// IP addresses and networks in CIDR form ("10.0.0.0/8", "192.0.2.7", "fd00::/8"), as the
// `trusted_proxies` list names them. IPv4 is held as IPv4-mapped IPv6, so one comparison serves
// both families. Pure (inet_pton only).

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace seshat::base {

struct IpNetwork {
  std::array<std::uint8_t, 16> bytes{};
  int prefix = 128;  // leading bits that must match
};

// An address as 16 bytes (IPv4 mapped); nullopt when `text` is not an IP address.
[[nodiscard]] std::optional<std::array<std::uint8_t, 16>> ip_address(std::string_view text);

// nullopt when `text` is neither an address nor an address with a valid /prefix.
[[nodiscard]] std::optional<IpNetwork> parse_network(std::string_view text);

[[nodiscard]] bool contains(const IpNetwork& network, std::string_view address);

}  // namespace seshat::base
