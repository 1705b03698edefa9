#include "base/ip_network.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <string>

namespace seshat::base {

std::optional<std::array<std::uint8_t, 16>> ip_address(std::string_view text) {
  const std::string address(text);
  std::array<std::uint8_t, 16> bytes{};
  if (::inet_pton(AF_INET, address.c_str(), bytes.data() + 12) == 1) {
    bytes[10] = bytes[11] = 0xFF;
    return bytes;
  }
  if (::inet_pton(AF_INET6, address.c_str(), bytes.data()) == 1) return bytes;
  return std::nullopt;
}

std::optional<IpNetwork> parse_network(std::string_view text) {
  const auto slash = text.find('/');
  const auto address = text.substr(0, slash);
  const auto bytes = ip_address(address);
  if (!bytes) return std::nullopt;
  const int width = address.find(':') == std::string_view::npos ? 32 : 128;
  int prefix = width;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 ||
        digits.find_first_not_of("0123456789") != std::string_view::npos)
      return std::nullopt;
    prefix = std::stoi(std::string(digits));
    if (prefix > width) return std::nullopt;
  }
  return IpNetwork{*bytes, prefix + (128 - width)};
}

bool contains(const IpNetwork& network, std::string_view address) {
  const auto bytes = ip_address(address);
  if (!bytes) return false;
  for (int bit = 0; bit < network.prefix; bit += 8) {
    const int bits = std::min(8, network.prefix - bit);
    const auto mask = static_cast<std::uint8_t>(0xFF00 >> bits);
    if (((*bytes)[bit / 8] ^ network.bytes[bit / 8]) & mask) return false;
  }
  return true;
}

}  // namespace seshat::base
