#include "store/sqlite_codec.hpp"

#include <array>
#include <string>
#include <utility>

#include "store/store.hpp"

namespace seshat::store::sqlite {
namespace {

using core::Author;
using core::ChatState;

constexpr std::array<std::pair<ChatState, std::string_view>, 7> k_states{{
    {ChatState::waiting, "waiting"},
    {ChatState::notified, "notified"},
    {ChatState::open, "open"},
    {ChatState::closed, "closed"},
    {ChatState::canceled, "canceled"},
    {ChatState::failed, "failed"},
    {ChatState::abandoned, "abandoned"},
}};

constexpr std::array<std::pair<Author, std::string_view>, 3> k_authors{{
    {Author::visitor, "visitor"},
    {Author::operator_, "operator"},
    {Author::system, "system"},
}};

}  // namespace

std::string_view state_name(ChatState state) {
  for (const auto& [value, name] : k_states) {
    if (value == state) return name;
  }
  throw StoreError("chat state " + std::to_string(static_cast<int>(state)) + " has no name");
}

ChatState state_from_name(std::string_view name) {
  for (const auto& [value, known] : k_states) {
    if (known == name) return value;
  }
  throw StoreError("unknown chat state \"" + std::string(name) + "\" in the database");
}

std::string_view author_name(Author author) {
  for (const auto& [value, name] : k_authors) {
    if (value == author) return name;
  }
  throw StoreError("author " + std::to_string(static_cast<int>(author)) + " has no name");
}

Author author_from_name(std::string_view name) {
  for (const auto& [value, known] : k_authors) {
    if (known == name) return value;
  }
  throw StoreError("unknown message author \"" + std::string(name) + "\" in the database");
}

bool is_final_state(ChatState state) {
  return state != ChatState::waiting && state != ChatState::notified && state != ChatState::open;
}

}  // namespace seshat::store::sqlite
