#pragma once
// Every text the core says, to operators (over XMPP), to visitors (in the chat log) and to the
// log (Ignore reasons), in one place so that wording is reviewed and changed here only.
// The seed's texts are kept word for word; tests compare them exactly.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/chat.hpp"

namespace seshat::core {
struct Command;
}

namespace seshat::core::texts {

// --- to operators ---

// "Remote user 'customer' wants to start a conversation. To accept this request, reply with the
// message '!ACCEPT 42'." then, on further lines, what the visitor wrote and the page, if any.
[[nodiscard]] std::string chat_request(const Chat& chat);
[[nodiscard]] std::string now_handling(ChatId chat);
[[nodiscard]] std::string chat_closed();  // also said to the visitor
// The store failed: the operator's `text` went nowhere.
[[nodiscard]] std::string not_stored(std::string_view text);
[[nodiscard]] std::string no_such_request(ChatId chat);
[[nodiscard]] std::string already_handling(ChatId current);
[[nodiscard]] std::string handled_by(ChatId chat, std::string_view operator_jid);
[[nodiscard]] std::string accepted_by(ChatId chat, std::string_view operator_jid);
[[nodiscard]] std::string cancel_own_chat(ChatId chat);
[[nodiscard]] std::string request_canceled(ChatId chat);
[[nodiscard]] std::string canceled_by(ChatId chat, std::string_view operator_jid);
[[nodiscard]] std::string not_in_chat();
[[nodiscard]] std::string not_in_chat_hint();  // plain text typed outside any chat
[[nodiscard]] std::string help(std::span<const Command> commands);
[[nodiscard]] std::string status_handling(const Chat& chat);
[[nodiscard]] std::string status_idle(std::size_t requests);
[[nodiscard]] std::string no_requests();
// One line per request: "#42 'customer' (5 min, email: yes, left a message): opening text";
// ages when `now` (Unix ms) is known.
[[nodiscard]] std::string request_list(const std::vector<const Chat*>& requests,
                                       std::int64_t now = 0);
[[nodiscard]] std::string unknown_command(std::string_view verb);
[[nodiscard]] std::string usage(std::string_view verb, std::string_view argument);
[[nodiscard]] std::string you_went_offline(ChatId chat);
[[nodiscard]] std::string closed_by_visitor(ChatId chat);
[[nodiscard]] std::string visitor_left(ChatId chat);
[[nodiscard]] std::string abandoned_by_visitor(ChatId chat);
[[nodiscard]] std::string not_accepted_in_time(ChatId chat);
// The operator's message was encrypted (OMEMO, OpenPGP, OTR): not relayed; how to turn it off.
[[nodiscard]] std::string encrypted();

// Servers close the stream of a client that sends a stanza over their limit (Prosody: 256 KB;
// ejabberd: max_stanza_size; RFC 6120 only promises 10,000 bytes), and the bot would reconnect
// only to send it again. A longer text to an operator goes as several messages of at most
// this many bytes.
inline constexpr std::size_t k_max_message_bytes = 6000;
// `text` in pieces of at most `max_bytes`: whole lines where they fit (the line break between
// two pieces is dropped), a longer line cut on UTF-8 boundaries. Empty text gives none.
[[nodiscard]] std::vector<std::string> message_pieces(std::string_view text,
                                                      std::size_t max_bytes = k_max_message_bytes);

// --- to visitors ---

[[nodiscard]] std::string chat_started();
[[nodiscard]] std::string no_operator();
[[nodiscard]] std::string operator_went_offline();
[[nodiscard]] std::string held_back();
[[nodiscard]] std::string nobody_can_take();    // an operator canceled the request
[[nodiscard]] std::string nobody_could_take();  // nobody accepted in time
[[nodiscard]] std::string lost_contact();       // the visitor's page stopped asking
// The operator's name as visitors see it when show_operator_name is off.
[[nodiscard]] std::string support_name();
// Shown in place of a message its operator withdrew (XEP-0424).
[[nodiscard]] std::string retracted();

// --- who is notified, absences, left messages (issue 14) ---

// To operators: several requests in one message, each line with its '!ACCEPT n'; the oldest 20,
// and how many more (a queue of thousands would not fit in a stanza, nor on a screen).
[[nodiscard]] std::string request_summary(const std::vector<const Chat*>& requests,
                                          std::int64_t now);
// To the operator who took a left message: the visitor is not on the page.
[[nodiscard]] std::string left_message_taken(const Chat& chat);
[[nodiscard]] std::string visitor_left_page(std::string_view name, ChatId chat);
[[nodiscard]] std::string visitor_is_back(std::string_view name, ChatId chat);
// To visitors.
[[nodiscard]] std::string all_busy();  // operators are there, none is free
[[nodiscard]] std::string connection_dropped();
[[nodiscard]] std::string operator_back();
[[nodiscard]] std::string message_kept(bool has_email);  // their request became a left message
// Ignore reasons.
[[nodiscard]] std::string stays_open(ChatId chat);
[[nodiscard]] std::string already_away(ChatId chat);
[[nodiscard]] std::string not_away(ChatId chat);
// --- several chats at once, transfers (issue 17) ---

// Before each visitor line when an operator holds several chats: "[#42 customer] ".
[[nodiscard]] std::string line_prefix(ChatId chat, std::string_view visitor_name);
[[nodiscard]] std::string current_chat(const Chat& chat);  // the current chat changed
[[nodiscard]] std::string not_handling(ChatId chat);
// !STATUS with max_chats > 1: every chat held, the current one first marked, with its last
// line and how long ago it came (`lines`: one per chat, as last_line() gives them).
[[nodiscard]] std::string status_list(const std::vector<const Chat*>& chats, ChatId current,
                                      const std::vector<std::string>& lines);
// "2 min ago, 'customer': text" / "no lines yet", for status_list.
[[nodiscard]] std::string last_line(std::string_view who, std::string_view text,
                                    std::int64_t age_ms);
[[nodiscard]] std::string no_lines_yet();
[[nodiscard]] std::string transfer_offer(const Chat& chat, std::string_view from);
[[nodiscard]] std::string transfer_offered(ChatId chat, std::string_view to);
[[nodiscard]] std::string transferred_to(ChatId chat, std::string_view to);
[[nodiscard]] std::string returned_to_queue(ChatId chat);
[[nodiscard]] std::string no_such_operator(std::string_view jid);
[[nodiscard]] std::string operator_not_available(std::string_view jid);
[[nodiscard]] std::string already_yours(ChatId chat);
[[nodiscard]] std::string transfer_withdrawn(ChatId chat);
// One line of a chat's transcript, as !HISTORY shows it.
struct HistoryLine {
  Author from = Author::system;
  std::string name;  // operator lines: the operator's display name
  std::string text;
  std::int64_t at = 0;  // Unix milliseconds
};
inline constexpr int k_history_page_lines = 20;
// Page `page` (1: the newest) of `lines_newest_first` (that page's lines only), out of `pages`.
[[nodiscard]] std::string history(ChatId chat, std::string_view visitor_name,
                                  const std::vector<HistoryLine>& lines_newest_first, int page,
                                  int pages);
[[nodiscard]] std::string no_history_page(ChatId chat, int page, int pages);
[[nodiscard]] std::string no_such_chat(ChatId chat);
// What !INFO shows of a chat's visitor; the app fills it from the store.
struct VisitorInfo {
  ChatId chat = 0;
  std::string name;
  std::string email;
  std::string page;
  std::string referrer;
  std::string language;
  std::string user_agent;         // the header as sent (summarised here)
  std::optional<int> utc_offset;  // minutes east of UTC of the visitor's clock
  std::int64_t created_at = 0;    // Unix ms
  std::optional<std::int64_t> accepted_at;
  struct Earlier {
    ChatId id = 0;
    std::int64_t created_at = 0;
    ChatState state = ChatState::closed;
  };
  std::vector<Earlier> earlier;  // newest first, a few
  int earlier_count = 0;
  bool has_visitor_id = false;  // the browser sent an id (else earlier chats cannot be known)
  std::optional<std::string> address;  // only when show_ip
};
[[nodiscard]] std::string visitor_info(const VisitorInfo& info, std::int64_t now);
// least-busy routing.
[[nodiscard]] std::string offer_moved_on(ChatId chat);  // not accepted within offer_timeout
[[nodiscard]] std::string passed_on(ChatId chat);       // !CANCEL n: to the next operator
[[nodiscard]] std::string nobody_else_free(ChatId chat);
// !BLOCK / !UNBLOCK.
[[nodiscard]] std::string blocked(ChatId chat, std::int64_t hours);
[[nodiscard]] std::string nothing_to_block(ChatId chat);
[[nodiscard]] std::string unblocked(ChatId chat);
[[nodiscard]] std::string not_blocked(ChatId chat);
// Canned replies (!SAY).
[[nodiscard]] std::string reply_keys(const std::map<std::string, std::string>& replies);
[[nodiscard]] std::string no_such_reply(std::string_view key);
[[nodiscard]] std::string reply_sent(ChatId chat, std::string_view key);
[[nodiscard]] std::string replies_broken(std::string_view error);
// To visitors: their chat went to another operator (`name`, or "" when names are hidden), or
// back to the queue.
[[nodiscard]] std::string handed_to(std::string_view name);
[[nodiscard]] std::string handed_on();

// --- in mails to visitors (core/reply_mail.cpp lays them out) ---

[[nodiscard]] std::string mail_reply_subject(ChatId chat);
[[nodiscard]] std::string mail_transcript_subject(ChatId chat);
[[nodiscard]] std::string mail_greeting(std::string_view visitor_name);
[[nodiscard]] std::string mail_reply_intro(ChatId chat);
[[nodiscard]] std::string mail_transcript_intro(ChatId chat);
[[nodiscard]] std::string mail_conversation_heading();
[[nodiscard]] std::string mail_visitor_label();   // who wrote a visitor line
[[nodiscard]] std::string mail_operator_label();  // who wrote an operator line
[[nodiscard]] std::string mail_signature();

// --- Ignore reasons, for the log ---

[[nodiscard]] std::string not_an_operator(std::string_view jid);
[[nodiscard]] std::string empty_message(std::string_view jid);
[[nodiscard]] std::string unknown_chat(ChatId chat);
[[nodiscard]] std::string not_a_request(ChatId chat, ChatState state);
[[nodiscard]] std::string already_known(ChatId chat);

}  // namespace seshat::core::texts
