#pragma once
// Action sequences that several decisions share: telling the operators who were offered a
// request what became of it. (Offers themselves are the switchboard's send_offers: who is
// notified depends on who is free and on the rush summary.)

#include <string>
#include <string_view>
#include <vector>

#include "core/action.hpp"
#include "core/chat.hpp"

namespace seshat::core {

// Sends `text` (about `chat`) to every operator notified of `chat`, except `except`.
void tell_notified(const Chat& chat, std::string_view except, const std::string& text,
                   Actions& actions);

}  // namespace seshat::core
