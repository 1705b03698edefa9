#include "http/network.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>

namespace seshat::http {
namespace {

std::string ipv4_network(const std::uint8_t* bytes) {
  return std::to_string(bytes[0]) + "." + std::to_string(bytes[1]) + "." +
         std::to_string(bytes[2]) + ".0/24";
}

}  // namespace

std::string network_of(std::string_view address) {
  const std::string text(address);
  std::array<std::uint8_t, 16> bytes{};
  if (::inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) return ipv4_network(bytes.data());
  if (::inet_pton(AF_INET6, text.c_str(), bytes.data()) != 1) return {};
  const bool mapped =
      std::all_of(bytes.begin(), bytes.begin() + 10, [](auto b) { return b == 0; }) &&
      bytes[10] == 0xFF && bytes[11] == 0xFF;
  if (mapped) return ipv4_network(bytes.data() + 12);
  std::array<char, 64> out{};
  std::snprintf(out.data(), out.size(), "%x:%x:%x:%x::/64", (bytes[0] << 8) | bytes[1],
                (bytes[2] << 8) | bytes[3], (bytes[4] << 8) | bytes[5], (bytes[6] << 8) | bytes[7]);
  return out.data();
}

}  // namespace seshat::http
