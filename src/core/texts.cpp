#include "core/texts.hpp"

#include <algorithm>

#include "core/command.hpp"
#include "core/untrusted.hpp"

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
  for (const auto* chat : requests) {
    text += "\n" + hash(chat->id) + " " + visitor(chat->visitor_name) + " " + details(*chat, now);
    if (const auto message = clean_line(chat->opening_message); !message.empty())
      text += ": " + shorten(message, k_list_preview_bytes);
    text += " - '!ACCEPT " + number(chat->id) + "'";
  }
  return text;
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

}  // namespace seshat::core::texts
