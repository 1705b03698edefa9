#include "http/network.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>

#include "base/text.hpp"

namespace seshat::http {
namespace {

std::string ipv4_network(const std::uint8_t* bytes) {
  return std::to_string(bytes[0]) + "." + std::to_string(bytes[1]) + "." +
         std::to_string(bytes[2]) + ".0/24";
}

}  // namespace

std::string network_of(std::string_view address) {
  const auto bytes = base::ip_address(address);
  if (!bytes) return {};
  const bool mapped =
      std::all_of(bytes->begin(), bytes->begin() + 10, [](auto b) { return b == 0; }) &&
      (*bytes)[10] == 0xFF && (*bytes)[11] == 0xFF;
  if (mapped) return ipv4_network(bytes->data() + 12);
  const auto& b = *bytes;
  std::array<char, 64> out{};
  std::snprintf(out.data(), out.size(), "%x:%x:%x:%x::/64", (b[0] << 8) | b[1], (b[2] << 8) | b[3],
                (b[4] << 8) | b[5], (b[6] << 8) | b[7]);
  return out.data();
}

std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const std::vector<base::IpNetwork>& trusted) {
  const auto is_trusted = [&trusted](std::string_view address) {
    return std::any_of(trusted.begin(), trusted.end(), [address](const base::IpNetwork& network) {
      return base::contains(network, address);
    });
  };
  std::string_view client = peer;
  while (is_trusted(client) && !forwarded_for.empty()) {
    const auto comma = forwarded_for.rfind(',');
    const auto hop = base::trim(comma == std::string_view::npos ? forwarded_for
                                                                : forwarded_for.substr(comma + 1));
    forwarded_for =
        comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
    if (!base::ip_address(hop)) break;  // not an address: believe nothing further left
    client = hop;
  }
  // Every hop trusted: the farthest one is the client.
  return std::string(client);
}

}  // namespace seshat::http
