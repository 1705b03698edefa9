#pragma once
// How chat states and authors are spelled in the database: as core spells them. These
// spellings are part of the schema (the partial indexes and queries name the live states).

#include <string_view>

#include "core/chat.hpp"

namespace seshat::store::sqlite {

[[nodiscard]] std::string_view state_name(core::ChatState state);
// Throws StoreError on a spelling this build does not know (a corrupt or foreign database).
[[nodiscard]] core::ChatState state_from_name(std::string_view name);

[[nodiscard]] std::string_view author_name(core::Author author);
[[nodiscard]] core::Author author_from_name(std::string_view name);

// closed, canceled, failed and abandoned: nothing leaves them and nothing is added to them.
// The live states as an SQL list, matching the chats_live index: "('waiting', ...)".
inline constexpr std::string_view k_live_states_sql = "('waiting', 'notified', 'open')";

}  // namespace seshat::store::sqlite
