#include "xmpp/component_address.hpp"

#include <algorithm>
#include <charconv>

namespace seshat::xmpp {
namespace {

bool same_domain(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

}  // namespace

std::string chat_address(core::ChatId chat, std::string_view component) {
  return std::to_string(chat) + "@" + std::string(component);
}

std::optional<core::ChatId> chat_of_address(std::string_view jid, std::string_view component) {
  jid = jid.substr(0, jid.find('/'));
  const auto at = jid.find('@');
  if (at == std::string_view::npos || !same_domain(jid.substr(at + 1), component)) {
    return std::nullopt;
  }
  const auto local = jid.substr(0, at);
  if (local.empty() || local.front() == '0' ||
      !std::all_of(local.begin(), local.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  core::ChatId chat = 0;
  const auto [end, error] = std::from_chars(local.data(), local.data() + local.size(), chat);
  if (error != std::errc() || end != local.data() + local.size()) return std::nullopt;
  return chat;
}

}  // namespace seshat::xmpp
