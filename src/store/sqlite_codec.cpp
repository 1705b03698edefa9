#include "store/sqlite_codec.hpp"

#include <string>

#include "store/store.hpp"

namespace seshat::store::sqlite {

// The database spells states and authors as core does (core/chat.cpp); the schema's partial
// indexes name them too, so renaming one there needs a migration here.

std::string_view state_name(core::ChatState state) {
  return core::to_string(state);
}

core::ChatState state_from_name(std::string_view name) {
  if (auto state = core::chat_state_from_string(name)) return *state;
  throw StoreError("unknown chat state \"" + std::string(name) + "\" in the database");
}

std::string_view author_name(core::Author author) {
  return core::to_string(author);
}

core::Author author_from_name(std::string_view name) {
  if (auto author = core::author_from_string(name)) return *author;
  throw StoreError("unknown message author \"" + std::string(name) + "\" in the database");
}

}  // namespace seshat::store::sqlite
