#include "core/reply_mail.hpp"

#include <algorithm>
#include <array>
#include <ctime>

#include "core/texts.hpp"

namespace seshat::core {
namespace {

// "2026-11-30 10:05 UTC"
std::string when(Millis at) {
  const std::time_t seconds = at / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 32> buffer{};
  const auto length = std::strftime(buffer.data(), buffer.size(), "%Y-%m-%d %H:%M UTC", &utc);
  return std::string(buffer.data(), length);
}

// Every line of `text` with `prefix` in front.
void append_lines(std::string& out, std::string_view prefix, std::string_view text) {
  while (true) {
    const auto end = text.find('\n');
    out += prefix;
    out += text.substr(0, end);
    out += '\n';
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

// One message: visitor lines quoted ("> You, 2026-11-30 10:01 UTC:" then "> text"), operator
// lines plain under their label, the bot's notices in parentheses.
void append_message(std::string& out, const MailLine& line) {
  switch (line.from) {
    case Author::visitor:
      out += "> " + texts::mail_visitor_label() + ", " + when(line.at) + ":\n";
      append_lines(out, "> ", line.text);
      break;
    case Author::operator_:
      out += texts::mail_operator_label() + ", " + when(line.at) + ":\n";
      append_lines(out, "", line.text);
      break;
    case Author::system:
      append_lines(out, "", "(" + line.text + ")");
      break;
  }
  out += '\n';
}

void append_conversation(std::string& out, const std::vector<MailLine>& conversation) {
  for (const auto& line : conversation) append_message(out, line);
}

}  // namespace

ReplyMailPlan plan_reply_mail(const ReplyMailState& state, const MailTiming& timing, Millis now) {
  if (state.unsettled.empty()) return {};
  const auto unseen = [&](const MailLine& line) {
    return line.from == Author::operator_ && line.at > state.visitor_seen_at;
  };
  const auto first = std::find_if(state.unsettled.begin(), state.unsettled.end(), unseen);
  const Seq newest = state.unsettled.back().seq;
  if (first == state.unsettled.end()) return {ReplyMailPlan::Kind::settle, 0, newest, 0};

  const Millis absent_at = state.visitor_seen_at + timing.visitor_grace;
  if (now < absent_at) return {ReplyMailPlan::Kind::wait, 0, 0, absent_at};
  if (state.chat_over) return {ReplyMailPlan::Kind::mail, first->seq, newest, 0};

  Millis last_line = 0;
  for (const auto& line : state.unsettled) {
    if (unseen(line)) last_line = std::max(last_line, line.at);
  }
  const Millis due = last_line + timing.mail_delay;
  if (now < due) return {ReplyMailPlan::Kind::wait, 0, 0, due};
  return {ReplyMailPlan::Kind::mail, first->seq, newest, 0};
}

MailText reply_mail_text(ChatId chat, std::string_view visitor_name,
                         const std::vector<MailLine>& conversation, Seq first_new) {
  std::string body =
      texts::mail_greeting(visitor_name) + "\n\n" + texts::mail_reply_intro(chat) + "\n\n";
  for (const auto& line : conversation) {
    if (line.seq >= first_new && line.from == Author::operator_) append_lines(body, "", line.text);
  }
  body += "\n" + texts::mail_conversation_heading() + "\n\n";
  append_conversation(body, conversation);
  body += "-- \n" + texts::mail_signature() + "\n";
  return {texts::mail_reply_subject(chat), std::move(body)};
}

MailText transcript_mail_text(ChatId chat, std::string_view visitor_name,
                              const std::vector<MailLine>& conversation) {
  std::string body =
      texts::mail_greeting(visitor_name) + "\n\n" + texts::mail_transcript_intro(chat) + "\n\n";
  append_conversation(body, conversation);
  body += "-- \n" + texts::mail_signature() + "\n";
  return {texts::mail_transcript_subject(chat), std::move(body)};
}

}  // namespace seshat::core
