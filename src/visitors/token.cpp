#include "visitors/token.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/random.h>

#include <array>

namespace seshat::visitors {
namespace {

constexpr std::size_t k_token_bytes = 32;  // 256 bits: far beyond guessing
constexpr std::size_t k_digest_bytes = 32;

}  // namespace

std::string base64url(std::span<const unsigned char> bytes) {
  constexpr std::string_view k_alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string text;
  text.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned group = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    for (int shift : {18, 12, 6, 0}) text += k_alphabet[(group >> shift) & 0x3F];
  }
  const auto rest = bytes.size() - i;
  if (rest == 1) {
    const unsigned group = bytes[i] << 16;
    for (int shift : {18, 12}) text += k_alphabet[(group >> shift) & 0x3F];
  } else if (rest == 2) {
    const unsigned group = (bytes[i] << 16) | (bytes[i + 1] << 8);
    for (int shift : {18, 12, 6}) text += k_alphabet[(group >> shift) & 0x3F];
  }
  return text;
}

std::optional<std::string> make_token() {
  std::array<unsigned char, k_token_bytes> bytes{};
  // The kernel's generator, which seeds OpenSSL's too, in one system call (whole up to 256
  // bytes): RAND_bytes ran 6.7k instructions of OpenSSL's provider code, 50-175 us found cold
  // on a new chat's way (bench/rounds.md, "a new chat's way, step by step").
  if (getrandom(bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size()))
    return std::nullopt;
  auto token = base64url(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return token;
}

std::string hash_token(std::string_view token) {
  // Fetched once: EVP_sha256() would make OpenSSL 3 look the algorithm up on every call, half
  // the cost of checking a token. Kept for the life of the process.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  std::array<unsigned char, k_digest_bytes> digest{};
  unsigned int length = 0;
  if (sha256 == nullptr ||
      EVP_Digest(token.data(), token.size(), digest.data(), &length, sha256, nullptr) != 1 ||
      length != digest.size())
    return {};  // matches nothing
  constexpr std::string_view k_hex = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * digest.size());
  for (unsigned char byte : digest) {
    hex += k_hex[byte >> 4];
    hex += k_hex[byte & 0x0F];
  }
  return hex;
}

bool token_matches(std::string_view token, std::string_view stored_hash) {
  const auto hash = hash_token(token);
  if (hash.empty() || hash.size() != stored_hash.size()) return false;
  return CRYPTO_memcmp(hash.data(), stored_hash.data(), hash.size()) == 0;
}

bool same_token(std::string_view token, std::string_view known) {
  return token.size() == known.size() &&
         CRYPTO_memcmp(token.data(), known.data(), token.size()) == 0;
}

}  // namespace seshat::visitors
