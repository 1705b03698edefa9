#pragma once
// Replies by email: which operator lines go to a visitor by mail, and when; and the text of the
// mails (replies and transcripts). Pure: the mail job in the app layer feeds it what the store
// holds and acts on the plan, so the rules are the same across restarts.
//
// The rules (README "Mail"):
// - A chat with a visitor's email keeps `mailed_seq`: every message up to it is settled (mailed,
//   or seen by the visitor's page, or not an operator line).
// - An operator line is unseen when it was written after the visitor's page was last heard from
//   (the page's reads refresh that time, at once when they hand over an operator line).
// - The visitor is absent once their page has not been heard from for `visitor_grace`.
// - Unseen operator lines to an absent visitor are mailed `mail_delay` after the last of them,
//   or at once when the chat is over (!FINISH, or any final state), whichever comes first. The
//   mail covers every message up to the newest; lines written after it go in the next mail.
// - With no unseen operator line, everything so far is settled without a mail.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/chat.hpp"

namespace seshat::core {

using Millis = std::int64_t;  // milliseconds since the Unix epoch

struct MailLine {
  Seq seq = 0;
  Author from = Author::system;
  std::string text;
  Millis at = 0;
};

// What the mail job knows of one chat whose visitor gave an email.
struct ReplyMailState {
  bool chat_over = false;  // the chat is in a final state
  Millis visitor_seen_at = 0;
  Seq mailed_seq = 0;
  std::vector<MailLine> unsettled;  // messages after mailed_seq, oldest first (text unused)
};

struct MailTiming {
  Millis visitor_grace = 20'000;
  Millis mail_delay = 120'000;
};

struct ReplyMailPlan {
  enum class Kind {
    wait,    // nothing to do now; look again at `check_at` (or when the chat changes)
    settle,  // nothing to mail: mailed_seq moves to `up_to`
    mail,    // queue a mail of the lines up to `up_to` (new from `first_new`); mailed_seq moves
  };
  Kind kind = Kind::wait;
  Seq first_new = 0;
  Seq up_to = 0;
  Millis check_at = 0;  // wait: 0 when only a new message or read can change the answer

  bool operator==(const ReplyMailPlan&) const = default;
};

[[nodiscard]] ReplyMailPlan plan_reply_mail(const ReplyMailState& state, const MailTiming& timing,
                                            Millis now);

struct MailText {
  std::string subject;
  std::string body;  // '\n' line ends
};

// A reply: the greeting, the operator lines from `first_new` on, then the whole conversation up
// to the last line given, visitor lines quoted with "> ", so it is clear who said what.
[[nodiscard]] MailText reply_mail_text(ChatId chat, std::string_view visitor_name,
                                       const std::vector<MailLine>& conversation, Seq first_new);
// A transcript: the greeting and the whole conversation.
[[nodiscard]] MailText transcript_mail_text(ChatId chat, std::string_view visitor_name,
                                            const std::vector<MailLine>& conversation);

}  // namespace seshat::core
