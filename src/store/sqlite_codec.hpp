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
// The live states as an SQL condition, word for word the one of the chats_live and
// chats_unrelayed indexes (so that queries use them). Not "state IN (...)": SQLite builds a
// temporary b-tree for a list of three or more values on every execution.
inline constexpr std::string_view k_live_sql =
    "(state = 'waiting' OR state = 'notified' OR state = 'open')";
// The requests (an operator may still accept them), as the chats_requests_created index has it.
inline constexpr std::string_view k_request_sql = "(state = 'waiting' OR state = 'notified')";

}  // namespace seshat::store::sqlite
