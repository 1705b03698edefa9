#include "mail/address.hpp"

#include <algorithm>
#include <cctype>

#include "base/text.hpp"

namespace seshat::mail {
namespace {

using base::trim;

constexpr std::size_t k_max_address = 254;  // RFC 5321 path limit minus the angle brackets
constexpr std::size_t k_max_local = 64;
constexpr std::size_t k_max_label = 63;

bool is_atext(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (std::isalnum(u) != 0 && u < 0x80) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool valid_local(std::string_view local) {
  if (local.empty() || local.size() > k_max_local) return false;
  if (local.front() == '.' || local.back() == '.') return false;
  char previous = '\0';
  for (const char c : local) {
    if (c == '.') {
      if (previous == '.') return false;
    } else if (!is_atext(c)) {
      return false;
    }
    previous = c;
  }
  return true;
}

bool valid_label(std::string_view label) {
  if (label.empty() || label.size() > k_max_label) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x80 && std::isalnum(u) != 0) || c == '-';
  });
}

bool valid_domain(std::string_view domain) {
  int labels = 0;
  while (true) {
    const auto dot = domain.find('.');
    if (!valid_label(domain.substr(0, dot))) return false;
    ++labels;
    if (dot == std::string_view::npos) break;
    domain.remove_prefix(dot + 1);
  }
  return labels >= 2;
}

}  // namespace

bool is_valid_address(std::string_view address) {
  if (address.empty() || address.size() > k_max_address) return false;
  const auto at = address.rfind('@');
  if (at == std::string_view::npos) return false;
  return valid_local(address.substr(0, at)) && valid_domain(address.substr(at + 1));
}

std::string address_key(std::string_view address) {
  std::string key(address);
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return key;
}

std::string_view domain_of(std::string_view address) {
  const auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string_view{} : address.substr(at + 1);
}

std::optional<Mailbox> parse_mailbox(std::string_view text, std::string& error) {
  text = trim(text);
  Mailbox mailbox;
  std::string_view address = text;
  if (const auto open = text.find('<'); open != std::string_view::npos) {
    if (text.back() != '>') {
      error = "must be an address or 'Name <address>'";
      return std::nullopt;
    }
    address = text.substr(open + 1, text.size() - open - 2);
    auto name = trim(text.substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
      name = name.substr(1, name.size() - 2);
    for (const char c : name) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7F || c == '"' || c == '\\' || c == '<' || c == '>') {
        error =
            "the name before <address> may not hold quotes, backslashes, angle brackets or "
            "control characters";
        return std::nullopt;
      }
    }
    mailbox.display_name = std::string(name);
  }
  if (!is_valid_address(address)) {
    error = "'" + std::string(address) + "' is not a mail address (like support@example.com)";
    return std::nullopt;
  }
  mailbox.address = std::string(address);
  return mailbox;
}

}  // namespace seshat::mail
