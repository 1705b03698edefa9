#pragma once
// Operator availability, tracked per XMPP resource: an operator on a laptop and a phone is
// online until both are gone, and available while at least one resource is online, not away,
// xa or dnd, and of priority 0 or more (RFC 6121: a resource of negative priority never gets
// messages sent to the bare JID, which is where the bot sends).

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seshat::core {

// XMPP <show/> values, plus "unavailable" for a resource that went offline.
enum class Show { available, chat, away, xa, dnd, unavailable };
[[nodiscard]] std::optional<Show> show_from_string(std::string_view text);  // "" -> available

// A JID split into its bare part (lower-cased local@domain) and its resource.
struct Jid {
  std::string bare;
  std::string resource;
};
[[nodiscard]] Jid split_jid(std::string_view jid);
// split_jid(jid).bare without a copy when `jid` already is a bare, lower-cased JID, as the
// board's own keys are (it asks this of every operator for every request); else written into
// `scratch`, which the result then views.
[[nodiscard]] std::string_view bare_jid(std::string_view jid, std::string& scratch);

class Presence {
 public:
  // Records one resource's show and priority. Returns true if the operator's availability
  // changed.
  bool update(std::string_view full_jid, Show show, int priority = 0);
  // Online, not away/xa/dnd, and priority >= 0 on at least one resource.
  [[nodiscard]] bool is_available(std::string_view jid) const;  // any case, resource ignored
  // Any resource online, whatever its show.
  [[nodiscard]] bool is_online(std::string_view jid) const;
  [[nodiscard]] std::vector<std::string> available() const;  // sorted bare JIDs
  // Forgets everything (after the XMPP connection was lost, presence arrives again).
  void clear();

 private:
  struct Resource {
    Show show = Show::available;
    int priority = 0;
  };
  using Resources = std::map<std::string, Resource>;
  [[nodiscard]] static bool any_available(const Resources& resources);
  [[nodiscard]] const Resources* resources_of(std::string_view jid) const;
  std::map<std::string, Resources, std::less<>> m_resources;
};

}  // namespace seshat::core
