#pragma once
// Action sequences that several decisions share: offering a request to operators and telling
// the operators who were offered a request what became of it.

#include <string>
#include <string_view>
#include <vector>

#include "core/action.hpp"
#include "core/chat.hpp"

namespace seshat::core {

// Sends the request notification for `chat` to each of `operators` and, if any and the chat is
// waiting, moves it to notified. Nothing when `operators` is empty.
void offer(const Chat& chat, const std::vector<std::string>& operators, Actions& actions);

// Sends `text` (about `chat`) to every operator notified of `chat`, except `except`.
void tell_notified(const Chat& chat, std::string_view except, const std::string& text,
                   Actions& actions);

}  // namespace seshat::core
