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
// The live states as an SQL condition, word for word the one of the chats_live index (so that
// queries use it). Not "state IN (...)": SQLite builds a temporary b-tree for a list of three
// or more values on every execution.
inline constexpr std::string_view k_live_sql =
    "(state = 'waiting' OR state = 'notified' OR state = 'open')";
// The requests (an operator may still accept them), as the chats_requests_created index has it.
inline constexpr std::string_view k_request_sql = "(state = 'waiting' OR state = 'notified')";
// Chats with visitor messages for the broker to read: open ones beyond what was relayed, and
// requests whose visitor was not yet told that messages wait. The chats_unrelayed index's
// condition, word for word.
inline constexpr std::string_view k_unrelayed_sql =
    "visitor_seq > relayed_seq "
    "AND (state = 'open' OR ((state = 'waiting' OR state = 'notified') AND told_held = 0))";

}  // namespace seshat::store::sqlite
