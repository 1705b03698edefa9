#include "core/texts.hpp"

#include <algorithm>
#include <utility>

#include "core/command.hpp"
#include "core/untrusted.hpp"
#include "core/user_agent.hpp"

namespace seshat::core::texts {
namespace {

std::string number(ChatId chat) {
  return std::to_string(chat);
}

// "#42": how chats are named to operators.
std::string hash(ChatId chat) {
  return "#" + number(chat);
}

std::string quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

// A visitor's name inside a bot text: one line, nothing hidden or reordered (untrusted.hpp).
std::string visitor(std::string_view name) {
  return quoted(clean_line(name));
}

// "3 min": how long ago, roughly.
std::string age(std::int64_t milliseconds) {
  const auto seconds = std::max<std::int64_t>(0, milliseconds / 1000);
  if (seconds < 60) return std::to_string(seconds) + " s";
  if (seconds < 3600) return std::to_string(seconds / 60) + " min";
  if (seconds < 48 * 3600) return std::to_string(seconds / 3600) + " h";
  return std::to_string(seconds / 86400) + " d";
}

// "(waiting 3 min, email: yes, left a message)": what an operator weighs before accepting.
std::string details(const Chat& chat, std::int64_t now) {
  std::string text = "(";
  if (now > 0 && chat.created_at > 0) text += "waiting " + age(now - chat.created_at) + ", ";
  text += chat.email.empty() ? "email: no" : "email: yes";
  if (chat.left_message) {
    text += ", left a message";
  } else if (chat.visitor_away) {
    text += ", visitor away";
  }
  return text + ")";
}
// How much of an opening message a request list shows.
constexpr std::size_t k_list_preview_bytes = 120;
// How many requests a summary lists (the oldest); !WAITING lists them all.
constexpr std::size_t k_summary_requests = 20;

}  // namespace

std::string chat_request(const Chat& chat) {
  std::string text = "Remote user " + visitor(chat.visitor_name) +
                     " wants to start a conversation. To accept this request, reply with the "
                     "message '!ACCEPT " +
                     number(chat.id) + "'.";
  // What the visitor wrote follows on lines of its own, each marked "> ", so that nothing a
  // visitor types can look like the bot's words.
  if (const auto message = quote_lines(chat.opening_message); !message.empty())
    text += "\n" + message;
  if (const auto page = clean_line(chat.page); !page.empty()) text += "\n> Page: " + page;
  return text;
}

std::string now_handling(ChatId chat) {
  return "You are now handling chat " + hash(chat) + ". Send '!FINISH' when you are done.";
}

std::string chat_closed() {
  return "The chat is now closed.";
}

std::string not_stored(std::string_view text) {
  return "Not delivered: your message \"" + std::string(text) +
         "\" could not be stored, so nobody received it. Please send it again in a moment.";
}

std::string no_such_request(ChatId chat) {
  return "There is no open chat request " + hash(chat) + ".";
}

std::string already_handling(ChatId current) {
  return "You are already handling chat " + hash(current) +
         ". Send '!FINISH' when you are done with it.";
}

std::string handled_by(ChatId chat, std::string_view operator_jid) {
  return "Chat " + hash(chat) + " is already being handled by " + std::string(operator_jid) + ".";
}

std::string accepted_by(ChatId chat, std::string_view operator_jid) {
  return "Chat " + hash(chat) + " was accepted by " + std::string(operator_jid) + ".";
}

std::string cancel_own_chat(ChatId chat) {
  return "You are handling chat " + hash(chat) + ". Send '!FINISH' to close it.";
}

std::string request_canceled(ChatId chat) {
  return "Chat " + hash(chat) + " has been canceled.";
}

std::string canceled_by(ChatId chat, std::string_view operator_jid) {
  return "Chat " + hash(chat) + " was canceled by " + std::string(operator_jid) + ".";
}

std::string not_in_chat() {
  return "You are not in a chat.";
}

std::string not_in_chat_hint() {
  return "You are not in a chat. Send '!WAITING' to see open chat requests, or '!HELP' for the "
         "commands.";
}

std::string help(std::span<const Command> commands) {
  std::string text = "Available commands:";
  for (const auto& command : commands) {
    text += "\n!" + std::string(command.verb);
    if (!command.argument.empty()) text += " " + std::string(command.argument);
    text += " - " + std::string(command.help);
  }
  return text;
}

std::string status_handling(const Chat& chat) {
  return "You are handling chat " + hash(chat.id) + " with " + visitor(chat.visitor_name) + ".";
}

std::string status_idle(std::size_t requests) {
  const std::string count = requests == 1
                                ? "There is 1 open chat request."
                                : "There are " + std::to_string(requests) + " open chat requests.";
  return not_in_chat() + " " + count;
}

std::string no_requests() {
  return "There are no open chat requests.";
}

std::string request_list(const std::vector<const Chat*>& requests, std::int64_t now) {
  std::string text = "Open chat requests:";
  for (const auto* chat : requests) {
    text += "\n" + hash(chat->id) + " " + visitor(chat->visitor_name) + " " + details(*chat, now);
    if (const auto message = clean_line(chat->opening_message); !message.empty())
      text += ": " + shorten(message, k_list_preview_bytes);
  }
  return text;
}

std::string unknown_command(std::string_view verb) {
  return "Unknown command '!" + std::string(verb) + "'. Send '!HELP' for the list of commands.";
}

std::string usage(std::string_view verb, std::string_view argument) {
  std::string text = "Usage: !" + std::string(verb);
  if (!argument.empty()) text += " " + std::string(argument);
  return text;
}

std::string you_went_offline(ChatId chat) {
  return "You went offline, so chat " + hash(chat) + " was offered to other operators.";
}

std::string closed_by_visitor(ChatId chat) {
  return "Chat " + hash(chat) + " was closed by the visitor.";
}

std::string visitor_left(ChatId chat) {
  return "The visitor has left chat " + hash(chat) + "; the chat is now closed.";
}

std::string abandoned_by_visitor(ChatId chat) {
  return "Chat " + hash(chat) + " was abandoned by the visitor.";
}

std::string not_accepted_in_time(ChatId chat) {
  return "Chat " + hash(chat) + " was not accepted in time and has been closed.";
}

std::string encrypted() {
  return "Not delivered: your message was encrypted (OMEMO, OpenPGP or OTR), and the visitor's "
         "web page cannot read encrypted messages, so nobody received it. Please turn "
         "encryption off for this contact and send it again: in Conversations and Dino, tap "
         "the lock icon of this chat and choose \"Unencrypted\"; in Gajim, click the lock "
         "next to the message field and choose \"Unencrypted\"; in Profanity, type "
         "'/omemo end' (or '/pgp end', '/otr end').";
}

std::string chat_started() {
  return "Your chat has started.";
}

std::string no_operator() {
  return "No operator is available right now. Please wait: we will join as soon as someone is "
         "free.";
}

std::string operator_went_offline() {
  return "Your operator went offline. Please wait while we find someone else.";
}

std::string held_back() {
  return "An operator has not joined yet. Your message will be delivered as soon as one does.";
}

std::string nobody_can_take() {
  return "Sorry, nobody can take your chat right now. Please try again later.";
}

std::string nobody_could_take() {
  return "Sorry, nobody could take your chat. Please try again later.";
}

std::string lost_contact() {
  return "We lost contact with your page, so the chat is now closed.";
}

std::string request_summary(const std::vector<const Chat*>& requests, std::int64_t now) {
  std::string text = std::to_string(requests.size()) +
                     " chat requests are waiting. To accept one, reply with its '!ACCEPT n':";
  const auto listed = std::min(requests.size(), k_summary_requests);
  for (std::size_t i = 0; i < listed; ++i) {
    const auto& chat = *requests[i];
    text += "\n" + hash(chat.id) + " " + visitor(chat.visitor_name) + " " + details(chat, now);
    if (const auto message = clean_line(chat.opening_message); !message.empty())
      text += ": " + shorten(message, k_list_preview_bytes);
    text += " - '!ACCEPT " + number(chat.id) + "'";
  }
  if (listed < requests.size())
    text += "\n... and " + std::to_string(requests.size() - listed) +
            " more. Send '!WAITING' for the whole list.";
  return text;
}

std::vector<std::string> message_pieces(std::string_view text, std::size_t max_bytes) {
  std::vector<std::string> pieces;
  std::string piece;
  const auto flush = [&] {
    if (!piece.empty()) pieces.push_back(std::exchange(piece, {}));
  };
  while (!text.empty()) {
    const auto end = text.find('\n');
    auto line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (!piece.empty() && piece.size() + 1 + line.size() > max_bytes) flush();
    // A line longer than a piece: cut on UTF-8 boundaries.
    while (line.size() > max_bytes) {
      std::size_t cut = max_bytes;
      while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
      if (cut == 0) cut = max_bytes;  // not UTF-8 at all: cut anywhere rather than loop
      pieces.emplace_back(line.substr(0, cut));
      line.remove_prefix(cut);
    }
    if (!piece.empty()) piece += '\n';
    piece += line;
  }
  flush();
  return pieces;
}

std::string left_message_taken(const Chat& chat) {
  return visitor(chat.visitor_name) + " left this message and is not on the page now. " +
         (chat.email.empty()
              ? "They gave no email address: they read your answer only if they come back."
              : "They gave an email address, so your answer can reach them.");
}

std::string visitor_left_page(std::string_view name, ChatId chat) {
  return visitor(name) + " left the page (chat " + hash(chat) +
         "). What you write is kept for them; meanwhile you may take another chat.";
}

std::string visitor_is_back(std::string_view name, ChatId chat) {
  return visitor(name) + " is back (chat " + hash(chat) + ").";
}

std::string all_busy() {
  return "All operators are busy right now. Please wait: you will be answered as soon as one is "
         "free.";
}

std::string connection_dropped() {
  return "Your operator's connection dropped. Please wait: they have a little time to come "
         "back.";
}

std::string operator_back() {
  return "Your operator is back.";
}

std::string message_kept(bool has_email) {
  return has_email ? "Your message is kept: an operator will answer it, and the answer will "
                     "reach you by email."
                   : "Your message is kept: an operator will answer it here as soon as one "
                     "is free.";
}

std::string stays_open(ChatId chat) {
  return "chat=" + number(chat) + " stays until an operator takes or finishes it";
}

std::string already_away(ChatId chat) {
  return "chat=" + number(chat) + ": the visitor is already away";
}

std::string not_away(ChatId chat) {
  return "chat=" + number(chat) + ": the visitor was not away";
}

std::string support_name() {
  return "Support";
}

std::string retracted() {
  return "This message was withdrawn.";
}

std::string not_an_operator(std::string_view jid) {
  return "from " + std::string(jid) + ", who is not a configured operator";
}

std::string empty_message(std::string_view jid) {
  return "empty message from " + std::string(jid);
}

std::string unknown_chat(ChatId chat) {
  return "chat=" + number(chat) + " is not a live chat";
}

std::string not_a_request(ChatId chat, ChatState state) {
  return "chat=" + number(chat) + " is " + std::string(to_string(state)) + ", not a request";
}

std::string already_known(ChatId chat) {
  return "chat=" + number(chat) + " is already known";
}

// --- in mails to visitors ---

std::string mail_reply_subject(ChatId chat) {
  return "Our answer to your chat " + hash(chat);
}

std::string mail_transcript_subject(ChatId chat) {
  return "Transcript of your chat " + hash(chat);
}

std::string mail_greeting(std::string_view visitor_name) {
  return "Hello " + clean_line(visitor_name) + ",";
}

std::string mail_reply_intro(ChatId chat) {
  return "you were no longer on our page when we answered your chat " + hash(chat) +
         ", so here is our answer by e-mail:";
}

std::string mail_transcript_intro(ChatId chat) {
  return "here is the transcript of your chat " + hash(chat) + ", as you asked.";
}

std::string mail_conversation_heading() {
  return "The conversation so far (your lines are marked with \"> \"):";
}

std::string mail_visitor_label() {
  return "You";
}

std::string mail_operator_label() {
  return "Support";
}

std::string mail_signature() {
  return "This mail was sent by the live chat of our website.";
}

// --- several chats at once, transfers (issue 17) ---

std::string line_prefix(ChatId chat, std::string_view visitor_name) {
  return "[" + hash(chat) + " " + clean_line(visitor_name) + "] ";
}

std::string current_chat(const Chat& chat) {
  return "Your current chat is now " + hash(chat.id) + " with " + visitor(chat.visitor_name) +
         ": plain text goes there.";
}

std::string not_handling(ChatId chat) {
  return "You are not handling chat " + hash(chat) + ".";
}

std::string status_list(const std::vector<const Chat*>& chats, ChatId current,
                        const std::vector<std::string>& lines) {
  std::string text = "You are handling " + std::to_string(chats.size()) +
                     (chats.size() == 1 ? " chat" : " chats") +
                     " (plain text goes to the current one; '#n text' writes to chat n):";
  for (std::size_t i = 0; i < chats.size(); ++i) {
    const auto& chat = *chats[i];
    text += "\n" + hash(chat.id) + " " + visitor(chat.visitor_name);
    if (chat.id == current) text += " (current)";
    if (chat.visitor_away) text += " (visitor away)";
    if (i < lines.size()) text += ": " + lines[i];
  }
  return text;
}

std::string last_line(std::string_view who, std::string_view text, std::int64_t age_ms) {
  return age(age_ms) + " ago, " + clean_line(who) + ": " +
         shorten(clean_line(text), k_list_preview_bytes);
}

std::string no_lines_yet() {
  return "no lines yet";
}

std::string transfer_offer(const Chat& chat, std::string_view from) {
  return std::string(from) + " wants to hand you chat " + hash(chat.id) + " with " +
         visitor(chat.visitor_name) + ". To take it, reply with the message '!ACCEPT " +
         number(chat.id) + "'.";
}

std::string transfer_offered(ChatId chat, std::string_view to) {
  return "Chat " + hash(chat) + " is offered to " + std::string(to) +
         "; it stays yours until they accept it.";
}

std::string transferred_to(ChatId chat, std::string_view to) {
  return "Chat " + hash(chat) + " is now handled by " + std::string(to) + ".";
}

std::string returned_to_queue(ChatId chat) {
  return "Chat " + hash(chat) + " is back in the queue for the other operators.";
}

std::string no_such_operator(std::string_view jid) {
  return "'" + clean_line(jid) + "' is not one of the operators.";
}

std::string operator_not_available(std::string_view jid) {
  return std::string(jid) + " is not available right now.";
}

std::string already_yours(ChatId chat) {
  return "Chat " + hash(chat) + " is already yours.";
}

std::string transfer_withdrawn(ChatId chat) {
  return "The offer of chat " + hash(chat) +
         " was withdrawn: it is no longer with the operator "
         "who offered it.";
}

namespace {

// "14:03" (UTC) of a Unix time in milliseconds.
std::string clock(std::int64_t at) {
  const auto minutes = (at / 60'000) % (24 * 60);
  const auto two = [](std::int64_t n) { return (n < 10 ? "0" : "") + std::to_string(n); };
  return two(minutes / 60) + ":" + two(minutes % 60);
}

}  // namespace

std::string history(ChatId chat, std::string_view visitor_name,
                    const std::vector<HistoryLine>& lines_newest_first, int page, int pages) {
  std::string text = "Chat " + hash(chat) + " with " + visitor(visitor_name) + ", page " +
                     std::to_string(page) + " of " + std::to_string(pages) +
                     ", newest first (times UTC)";
  if (page < pages)
    text += "; older lines: '!HISTORY " + number(chat) + " " + std::to_string(page + 1) + "'";
  text += ":";
  for (const auto& line : lines_newest_first) {
    text += "\n" + clock(line.at) + " ";
    if (line.from == Author::visitor) {
      text += visitor(visitor_name) + ": " + clean_line(line.text);
    } else if (line.from == Author::operator_) {
      text += clean_line(line.name.empty() ? std::string_view("operator") : line.name) + ": " +
              clean_line(line.text);
    } else {
      text += "(" + clean_line(line.text) + ")";
    }
  }
  return text;
}

std::string no_history_page(ChatId chat, int page, int pages) {
  if (pages == 0) return "Chat " + hash(chat) + " has no lines yet.";
  return "Chat " + hash(chat) + " has no page " + std::to_string(page) + ": it has " +
         std::to_string(pages) + (pages == 1 ? " page." : " pages.");
}

namespace {

// "2026-11-30 14:03" (UTC) of a Unix time in milliseconds.
std::string date_time(std::int64_t at) {
  const auto days = at / 86'400'000;
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  const auto z = days + 719468;
  const auto era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = z - era * 146097;
  const auto yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const auto doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const auto mp = (5 * doy + 2) / 153;
  const auto day = doy - (153 * mp + 2) / 5 + 1;
  const auto month = mp < 10 ? mp + 3 : mp - 9;
  const auto year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const auto two = [](std::int64_t n) { return (n < 10 ? "0" : "") + std::to_string(n); };
  return std::to_string(year) + "-" + two(month) + "-" + two(day) + " " + clock(at);
}

std::string utc_offset_text(int minutes) {
  const auto sign = minutes < 0 ? "-" : "+";
  const auto size = minutes < 0 ? -minutes : minutes;
  const auto two = [](int n) { return (n < 10 ? "0" : "") + std::to_string(n); };
  return std::string("UTC") + sign + two(size / 60) + ":" + two(size % 60);
}

std::string or_none(std::string_view text) {
  const auto line = clean_line(text);
  return line.empty() ? "(none)" : line;
}

}  // namespace

std::string visitor_info(const VisitorInfo& info, std::int64_t now) {
  std::string text = "Chat " + hash(info.chat) + " with " + visitor(info.name) + ":";
  text += "\nEmail: " + or_none(info.email);
  text += "\nPage: " + or_none(info.page);
  text += "\nReferrer: " + or_none(info.referrer);
  text += "\nLanguage: " + or_none(info.language);
  const auto agent = summarize_user_agent(info.user_agent);
  std::string browser = agent.browser.empty() ? "unknown browser" : agent.browser;
  if (!agent.system.empty()) browser += " on " + agent.system;
  text += "\nBrowser: " + (info.user_agent.empty() ? std::string("(not known)") : browser);
  text += "\nLocal time: ";
  if (info.utc_offset && now > 0) {
    text += clock(now + std::int64_t{*info.utc_offset} * 60'000) + " (" +
            utc_offset_text(*info.utc_offset) + ")";
  } else {
    text += "(not known)";
  }
  if (info.created_at > 0) {
    if (info.accepted_at) {
      text +=
          "\nWaited: " + age(*info.accepted_at - info.created_at) + " before an operator accepted";
    } else if (now > 0) {
      text += "\nWaiting: " + age(now - info.created_at);
    }
  }
  text += "\nEarlier chats from this browser: ";
  if (!info.has_visitor_id) {
    text += "(not known)";
  } else if (info.earlier_count == 0) {
    text += "none";
  } else {
    text += std::to_string(info.earlier_count);
    for (const auto& earlier : info.earlier) {
      text += "\n  " + hash(earlier.id) + " " + date_time(earlier.created_at) + " UTC, " +
              std::string(to_string(earlier.state)) + " ('!HISTORY " + number(earlier.id) + "')";
    }
  }
  if (info.address) text += "\nAddress: " + or_none(*info.address);
  return text;
}

std::string offer_moved_on(ChatId chat) {
  return "Chat " + hash(chat) +
         " was not accepted in time, so it is offered to the next "
         "operator. You may still accept it.";
}

std::string passed_on(ChatId chat) {
  return "Chat " + hash(chat) + " is offered to the next operator.";
}

std::string nobody_else_free(ChatId chat) {
  return "Nobody else is free now: chat " + hash(chat) +
         " waits in the queue for the next free operator.";
}

std::string blocked(ChatId chat, std::int64_t hours) {
  return "New chats from the browser and address of chat " + hash(chat) + " are refused for " +
         std::to_string(hours) + " h. '!UNBLOCK " + number(chat) + "' lifts it.";
}

std::string nothing_to_block(ChatId chat) {
  return "Chat " + hash(chat) + " has no browser id or address to block.";
}

std::string unblocked(ChatId chat) {
  return "New chats from the browser and address of chat " + hash(chat) + " are welcome again.";
}

std::string not_blocked(ChatId chat) {
  return "The visitor of chat " + hash(chat) + " is not blocked.";
}

std::string reply_keys(const std::map<std::string, std::string>& replies) {
  if (replies.empty()) return "There are no canned replies (see the 'replies' setting).";
  std::string text =
      "Canned replies ('!SAY key' sends one to your current chat, '!SAY key n' to "
      "chat n):";
  for (const auto& [key, reply] : replies)
    text += "\n" + key + ": " + shorten(clean_line(reply), k_list_preview_bytes);
  return text;
}

std::string no_such_reply(std::string_view key) {
  return "There is no canned reply '" + clean_line(key) + "'. Send '!SAY' for the list.";
}

std::string reply_sent(ChatId chat, std::string_view key) {
  return "Sent the canned reply '" + std::string(key) + "' to chat " + hash(chat) + ".";
}

std::string replies_broken(std::string_view error) {
  return "The canned replies cannot be used: " + std::string(error);
}

std::string no_such_chat(ChatId chat) {
  return "There is no chat " + hash(chat) + ".";
}

std::string handed_to(std::string_view name) {
  if (name.empty()) return "Your chat was handed to another operator.";
  return "Your chat was handed to " + std::string(name) + ".";
}

std::string handed_on() {
  return "Your operator handed your chat on. Please wait: the next free operator will answer.";
}

}  // namespace seshat::core::texts
