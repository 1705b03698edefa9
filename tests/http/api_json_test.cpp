#include "http/api_json.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/time_format.hpp"

namespace seshat::http {
namespace {

void expect_bad_request(const base::Failure& failure, const std::string& message) {
  EXPECT_EQ(failure.code, base::Error::bad_request);
  EXPECT_EQ(failure.message, message);
}

TEST(ApiJson, DecodesAStartRequest) {
  const auto start = decode_start(R"({"name":"customer","message":"Hi","page":"/pricing"})");
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(start->name, "customer");
  EXPECT_EQ(start->message, "Hi");
  EXPECT_EQ(start->page, "/pricing");
  EXPECT_EQ(start->email, "");
  const auto with_email = decode_start(R"({"name":"c","email":"c@shop.example"})");
  ASSERT_TRUE(with_email.ok());
  EXPECT_EQ(with_email->email, "c@shop.example");
  const auto minimal = decode_start(R"({"name":"c","message":null,"extra":1})");
  ASSERT_TRUE(minimal.ok());
  EXPECT_EQ(minimal->message, "");
}

TEST(ApiJson, RefusesBadBodiesWithOneSentenceEach) {
  expect_bad_request(decode_start("").failure(),
                     "The request body is empty; a JSON object is expected.");
  expect_bad_request(decode_start("{\"name\":").failure(), "The request body is not valid JSON.");
  expect_bad_request(decode_start("[1]").failure(), "The request body must be a JSON object.");
  expect_bad_request(decode_start("{}").failure(), "The field 'name' is required.");
  expect_bad_request(decode_start(R"({"name":5})").failure(), "The field 'name' must be a string.");
  expect_bad_request(decode_start(R"({"name":"a","page":[]})").failure(),
                     "The field 'page' must be a string.");
  expect_bad_request(decode_start(R"({"name":"a","email":["a@b.example"]})").failure(),
                     "The field 'email' must be a string.");
  expect_bad_request(decode_text("{\"text\":\"\xC3\x28\"}").failure(),
                     "The request body is not valid UTF-8.");
  expect_bad_request(decode_text("{\"text\":\"\xED\xA0\x80\"}").failure(),  // a surrogate
                     "The request body is not valid UTF-8.");
  expect_bad_request(decode_text(R"({"txt":"Hi"})").failure(), "The field 'text' is required.");
}

TEST(ApiJson, ReadsTheTopLevelFieldsOnly) {
  // A field's name inside another value is not the field.
  const auto nested = decode_send(R"({"meta":{"text":"no","stream":"x y"},"text":"Hi",)"
                                  R"("list":[{"client_id":""}],"client_id":"k1"})");
  ASSERT_TRUE(nested.ok());
  EXPECT_EQ(nested->text, "Hi");
  EXPECT_EQ(nested->client_id, "k1");
  EXPECT_EQ(nested->stream, "");
  expect_bad_request(decode_text(R"({"meta":{"text":"no"}})").failure(),
                     "The field 'text' is required.");
  expect_bad_request(decode_text(R"({"text":{"text":"no"}})").failure(),
                     "The field 'text' must be a string.");
  // A key given twice: its last value, as a parsed document keeps.
  EXPECT_EQ(decode_text(R"({"text":"first","text":"last"})").value(), "last");
  expect_bad_request(decode_text(R"({"text":"first","text":null})").failure(),
                     "The field 'text' is required.");
  // Not an object, or not JSON at all, anywhere in the body.
  for (const auto* scalar : {"5", R"("text")", "null", "[]"}) {
    expect_bad_request(decode_text(scalar).failure(), "The request body must be a JSON object.");
  }
  for (const auto* broken : {R"({"text":"Hi"} x)", R"({"text":"Hi"}{})", "[1,", R"({"text")"}) {
    expect_bad_request(decode_text(broken).failure(), "The request body is not valid JSON.");
  }
  const auto deep = R"({"text":"Hi","x":)" + std::string(40, '[') + std::string(40, ']') + "}";
  expect_bad_request(decode_text(deep).failure(), "The request body nests deeper than 32 levels.");
}

TEST(ApiJson, DecodesTextWithEscapesVerbatim) {
  const auto text = decode_text(R"({"text":"<b>hi</b> \u00e9 \ud83d\ude00"})");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text.value(), "<b>hi</b> \xC3\xA9 \xF0\x9F\x98\x80");
}

// What nlohmann's dump() makes of a message: message_json writes it without building it, and
// must give the same bytes for every text.
std::string built(const store::Message& message) {
  nlohmann::json object{{"seq", message.seq},
                        {"from", core::to_string(message.from)},
                        {"text", message.text},
                        {"at", base::format_rfc3339(message.at)}};
  if (message.replaces) object["replaces"] = *message.replaces;
  if (message.from == core::Author::operator_ && !message.name.empty())
    object["name"] = message.name;
  return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> tricky_texts() {
  std::vector<std::string> texts{"plain",
                                 "",
                                 "\"quoted\" and \\back\\slashed\\ / slash",
                                 "\xC3\xA9t\xC3\xA9 \xE6\xBC\xA2\xE5\xAD\x97 \xF0\x9F\x98\x80",
                                 std::string("nul \0 inside", 12),
                                 "\x7F del, </script> <b>&amp;",
                                 "\xC3\x28 not UTF-8",
                                 "\xED\xA0\x80 a surrogate"};
  std::string controls;
  for (int c = 1; c < 0x20; ++c) controls += static_cast<char>(c);
  texts.push_back(controls);
  return texts;
}

TEST(ApiJson, AMessageIsWrittenAsNlohmannWouldDumpIt) {
  for (const auto& text : tricky_texts()) {
    for (const auto from : {core::Author::visitor, core::Author::operator_, core::Author::system}) {
      store::Message message{7, from, text, 1764700000123, std::nullopt, text};
      EXPECT_EQ(message_json(message), built(message)) << text;
      message.replaces = 3;
      message.name = "";
      EXPECT_EQ(message_json(message), built(message)) << text;
    }
  }
}

TEST(ApiJson, ATranscriptIsWrittenAsNlohmannWouldDumpIt) {
  visitors::Transcript transcript;
  transcript.status = core::VisitorStatus::waiting;
  auto reference = [&] {
    nlohmann::json messages = nlohmann::json::array();
    for (const auto& message : transcript.messages)
      messages.push_back(nlohmann::json::parse(built(message)));
    nlohmann::json reply{{"status", core::to_string(transcript.status)},
                         {"messages", std::move(messages)}};
    if (transcript.position) reply["position"] = *transcript.position;
    if (!transcript.operator_name.empty()) reply["operator"] = transcript.operator_name;
    return reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  EXPECT_EQ(transcript_json(transcript), reference());
  transcript.position = 2;
  transcript.operator_name = "Al \"the\" operator \xC3\xA9";
  for (const auto& text : tricky_texts())
    transcript.messages.push_back({static_cast<core::Seq>(transcript.messages.size() + 1),
                                   core::Author::operator_, text, 1764700000000, std::nullopt,
                                   "Al"});
  transcript.status = core::VisitorStatus::open;
  EXPECT_EQ(transcript_json(transcript), reference());
}

TEST(ApiJson, StatusOfEveryError) {
  EXPECT_EQ(status_of(base::Error::bad_request), 400);
  EXPECT_EQ(status_of(base::Error::missing_token), 401);
  EXPECT_EQ(status_of(base::Error::wrong_token), 403);
  EXPECT_EQ(status_of(base::Error::no_such_chat), 404);
  EXPECT_EQ(status_of(base::Error::chat_closed), 409);
  EXPECT_EQ(status_of(base::Error::too_large), 413);
  EXPECT_EQ(status_of(base::Error::too_many), 429);
  EXPECT_EQ(status_of(base::Error::unavailable), 503);
}

TEST(ApiJson, RendersReplies) {
  EXPECT_EQ(error_json("The chat is \"closed\"."), R"({"error":"The chat is \"closed\"."})");
  EXPECT_EQ(ticket_json({42, "tok"}), R"({"id":42,"token":"tok"})");
  EXPECT_EQ(seq_json(7), R"({"seq":7})");
  visitors::Transcript transcript{core::VisitorStatus::open,
                                  {{3, core::Author::operator_, "<i>Hello</i>\n", 1700000000123}},
                                  std::nullopt};
  EXPECT_EQ(transcript_json(transcript),
            R"({"messages":[{"at":"2023-11-14T22:13:20.123Z","from":"operator","seq":3,)"
            R"("text":"<i>Hello</i>\n"}],"status":"open"})");
  EXPECT_EQ(transcript_json({core::VisitorStatus::waiting, {}, std::nullopt}),
            R"({"messages":[],"status":"waiting"})");
  EXPECT_EQ(availability_json({true, 2, 1, false}),
            R"({"available":true,"free":1,"mail":false,"operators":2})");
  EXPECT_EQ(availability_json({false, 0, 0, true}),
            R"({"available":false,"free":0,"mail":true,"operators":0})");
  EXPECT_EQ(transcript_json({core::VisitorStatus::waiting, {}, 3}),
            R"({"messages":[],"position":3,"status":"waiting"})");
  EXPECT_EQ(status_json(core::VisitorStatus::waiting, 2, ""),
            R"({"position":2,"status":"waiting"})");
  EXPECT_EQ(status_json(core::VisitorStatus::open, std::nullopt, ""), R"({"status":"open"})");
  EXPECT_EQ(health_json(true, true, {{"xmpp", "connected"}}),
            R"({"status":"ok","store":"ok","xmpp":"connected"})");
}

TEST(ApiJson, TypingAndReadBodies) {
  EXPECT_EQ(decode_typing(R"({"typing":true})").value(), true);
  EXPECT_EQ(decode_typing(R"({"typing":false})").value(), false);
  expect_bad_request(decode_typing("{}").failure(), "The field 'typing' is required.");
  expect_bad_request(decode_typing(R"({"typing":"yes"})").failure(),
                     "The field 'typing' must be true or false.");
  EXPECT_EQ(decode_read(R"({"seq":0})").value(), 0);
  EXPECT_EQ(decode_read(R"({"seq":42})").value(), 42);
  expect_bad_request(decode_read("{}").failure(), "The field 'seq' is required.");
  for (const auto* bad :
       {R"({"seq":-1})", R"({"seq":1.5})", R"({"seq":"3"})", R"({"seq":18446744073709551615})"}) {
    expect_bad_request(decode_read(bad).failure(),
                       "The field 'seq' must be a whole number, 0 or more.");
  }
}

TEST(ApiJson, CorrectionsNamesOperatorAndTyping) {
  store::Message correction{5, core::Author::operator_, "Hello", 1700000000123, 3, "Alice"};
  EXPECT_EQ(message_json(correction),
            R"({"at":"2023-11-14T22:13:20.123Z","from":"operator","name":"Alice",)"
            R"("replaces":3,"seq":5,"text":"Hello"})");
  visitors::Transcript open;
  open.status = core::VisitorStatus::open;
  open.operator_name = "Alice";
  open.operator_typing = true;
  EXPECT_EQ(transcript_json(open), R"({"messages":[],"operator":"Alice","status":"open"})");
  EXPECT_EQ(status_json(core::VisitorStatus::open, std::nullopt, "Alice"),
            R"({"operator":"Alice","status":"open"})");
  EXPECT_EQ(status_json(core::VisitorStatus::waiting, std::nullopt, ""), R"({"status":"waiting"})");
  EXPECT_EQ(typing_json(true, "Alice"), R"({"name":"Alice","typing":true})");
}

TEST(ApiJson, ASendMayNameTheSendingPagesStream) {
  const auto sent = decode_send(R"({"text":"Hi","client_id":"k1","stream":"tab_1-A"})");
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(sent->stream, "tab_1-A");
  EXPECT_EQ(decode_send(R"({"text":"Hi"})")->stream, "");
  for (const auto* bad : {R"({"text":"Hi","stream":""})", R"({"text":"Hi","stream":"a b"})",
                          R"({"text":"Hi","stream":"tab/1"})"}) {
    expect_bad_request(decode_send(bad).failure(),
                       "The field 'stream' must be 1 to 64 letters, digits, '-' or '_'.");
  }
  EXPECT_FALSE(decode_send(R"({"text":"Hi","stream":")" + std::string(65, 'x') + R"("})").ok());
  EXPECT_TRUE(decode_send(R"({"text":"Hi","stream":")" + std::string(64, 'x') + R"("})").ok());
  expect_bad_request(decode_send(R"({"text":"Hi","stream":7})").failure(),
                     "The field 'stream' must be a string.");
}

}  // namespace
}  // namespace seshat::http
