#pragma once
// The network a client address belongs to, for the per-network limits: the /24 of an IPv4
// address ("192.0.2.0/24"), the /64 of an IPv6 one ("2001:db8:1:2::/64"); an IPv4-mapped
// IPv6 address counts as its IPv4 address. One machine rarely holds more than that, so
// spreading a flood over its many addresses does not multiply the limits. Pure.

#include <string>
#include <string_view>
#include <vector>

#include "base/ip_network.hpp"

namespace seshat::http {

// "" when `address` is not an IP address.
[[nodiscard]] std::string network_of(std::string_view address);

// The visitor's address for a request whose connection came from `peer`: `peer` itself unless
// it is a trusted proxy; then the nearest address of X-Forwarded-For, read from the right, that
// is not one. Only what trusted proxies appended is believed, so an address a client wrote into
// the header itself is never chosen over the one its proxy saw.
[[nodiscard]] std::string client_address(std::string_view peer, std::string_view forwarded_for,
                                         const std::vector<base::IpNetwork>& trusted);

}  // namespace seshat::http
