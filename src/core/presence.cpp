#include "core/presence.hpp"

#include <algorithm>
#include <cctype>

#include "base/text.hpp"

namespace seshat::core {
namespace {

std::string_view trim(std::string_view text) {
  return base::trim(text, base::k_white_space);
}

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

bool is_bare_and_lower(std::string_view jid) {
  return !jid.empty() && trim(jid).size() == jid.size() &&
         std::none_of(jid.begin(), jid.end(),
                      [](char c) { return c == '/' || (c >= 'A' && c <= 'Z'); });
}

bool is_online_show(Show show) {
  return show != Show::unavailable;
}
bool is_available_show(Show show) {
  return show == Show::available || show == Show::chat;
}

}  // namespace

std::optional<Show> show_from_string(std::string_view text) {
  if (text.empty() || text == "available") return Show::available;
  if (text == "chat") return Show::chat;
  if (text == "away") return Show::away;
  if (text == "xa") return Show::xa;
  if (text == "dnd") return Show::dnd;
  if (text == "unavailable") return Show::unavailable;
  return std::nullopt;
}

Jid split_jid(std::string_view jid) {
  jid = trim(jid);
  const auto slash = jid.find('/');
  if (slash == std::string_view::npos) return {lower(jid), {}};
  return {lower(jid.substr(0, slash)), std::string(jid.substr(slash + 1))};
}

std::string_view bare_jid(std::string_view jid, std::string& scratch) {
  if (is_bare_and_lower(jid)) return jid;
  scratch = split_jid(jid).bare;
  return scratch;
}

bool Presence::update(std::string_view full_jid, Show show, int priority) {
  const auto jid = split_jid(full_jid);
  const bool was_available = is_available(jid.bare);
  if (show == Show::unavailable) {
    const auto found = m_resources.find(jid.bare);
    if (found != m_resources.end()) {
      // An unavailable presence from the bare JID speaks for every resource.
      if (jid.resource.empty()) {
        found->second.clear();
      } else {
        found->second.erase(jid.resource);
      }
      if (found->second.empty()) m_resources.erase(found);
    }
  } else {
    m_resources[jid.bare][jid.resource] = Resource{show, priority};
  }
  return was_available != is_available(jid.bare);
}

bool Presence::any_available(const Resources& resources) {
  return std::any_of(resources.begin(), resources.end(), [](const auto& resource) {
    return is_available_show(resource.second.show) && resource.second.priority >= 0;
  });
}

const Presence::Resources* Presence::resources_of(std::string_view jid) const {
  std::string scratch;
  const auto found = m_resources.find(bare_jid(jid, scratch));
  return found == m_resources.end() ? nullptr : &found->second;
}

bool Presence::is_available(std::string_view jid) const {
  const auto* resources = resources_of(jid);
  return resources != nullptr && any_available(*resources);
}

bool Presence::is_online(std::string_view jid) const {
  const auto* resources = resources_of(jid);
  return resources != nullptr &&
         std::any_of(resources->begin(), resources->end(),
                     [](const auto& resource) { return is_online_show(resource.second.show); });
}

std::vector<std::string> Presence::available() const {
  std::vector<std::string> result;
  for (const auto& [bare, resources] : m_resources) {
    if (any_available(resources)) result.push_back(bare);
  }
  return result;  // the map keeps them sorted
}

void Presence::clear() {
  m_resources.clear();
}

}  // namespace seshat::core
