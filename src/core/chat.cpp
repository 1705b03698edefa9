#include "core/chat.hpp"

#include <array>
#include <utility>

namespace seshat::core {
namespace {

constexpr std::array<std::pair<ChatState, std::string_view>, 7> k_state_names{{
    {ChatState::waiting, "waiting"},
    {ChatState::notified, "notified"},
    {ChatState::open, "open"},
    {ChatState::closed, "closed"},
    {ChatState::canceled, "canceled"},
    {ChatState::failed, "failed"},
    {ChatState::abandoned, "abandoned"},
}};

constexpr std::array<std::pair<Author, std::string_view>, 3> k_author_names{{
    {Author::visitor, "visitor"},
    {Author::operator_, "operator"},
    {Author::system, "system"},
}};

constexpr std::array<std::pair<VisitorStatus, std::string_view>, 3> k_visitor_status_names{{
    {VisitorStatus::waiting, "waiting"},
    {VisitorStatus::open, "open"},
    {VisitorStatus::closed, "closed"},
}};

template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& names,
                         Enum value) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) return name;
  }
  return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_of(const std::array<std::pair<Enum, std::string_view>, N>& names,
                             std::string_view text) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(ChatState state) {
  return name_of(k_state_names, state);
}

std::optional<ChatState> chat_state_from_string(std::string_view text) {
  return value_of(k_state_names, text);
}

bool is_final(ChatState state) {
  switch (state) {
    case ChatState::waiting:
    case ChatState::notified:
    case ChatState::open:
      return false;
    case ChatState::closed:
    case ChatState::canceled:
    case ChatState::failed:
    case ChatState::abandoned:
      return true;
  }
  return true;
}

bool is_request(ChatState state) {
  return state == ChatState::waiting || state == ChatState::notified;
}

VisitorStatus visitor_status(ChatState state) {
  if (is_request(state)) return VisitorStatus::waiting;
  if (state == ChatState::open) return VisitorStatus::open;
  return VisitorStatus::closed;
}

std::string_view to_string(VisitorStatus status) {
  return name_of(k_visitor_status_names, status);
}

std::optional<VisitorStatus> visitor_status_from_string(std::string_view text) {
  return value_of(k_visitor_status_names, text);
}

std::string_view to_string(Author author) {
  return name_of(k_author_names, author);
}

std::optional<Author> author_from_string(std::string_view text) {
  return value_of(k_author_names, text);
}

}  // namespace seshat::core
