// Fuzzes the gateway's pure request handling (src/http, without Beast): the JSON bodies of
// POST /api/chats and /messages, the request target's route and chat id, the query string
// (after, wait, token), the Authorization and Origin headers, and the JSON replies built from
// what a visitor sent. Every input is used as all of these at once.
//
// Checks: decoded strings are well-formed UTF-8 (independent table check); a refusal is a 400
// with one line; a route's chat id is the decimal number written in the target; counts stay in
// their bounds; percent-decoding and JSON rendering round-trip; nothing crashes.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "http/access.hpp"
#include "http/api_json.hpp"
#include "http/query.hpp"
#include "http/routes.hpp"
#include "utf8_oracle.hpp"

namespace {

using namespace seshat;
using fuzz::require;
using fuzz::well_formed;
using nlohmann::json;

bool is_one_line(std::string_view text) {
  return !text.empty() && text.find('\n') == std::string_view::npos;
}

void check_refusal(const base::Failure& failure) {
  require(failure.code == base::Error::bad_request, "a bad body is a bad request", failure.message);
  require(http::status_of(failure.code) == 400, "a bad request is answered 400");
  require(is_one_line(failure.message), "a refusal is one non-empty line", failure.message);
}

// A string the API decoded comes back unchanged through the JSON the API renders.
void check_round_trip(const std::string& text) {
  require(well_formed(text), "a decoded string is well-formed UTF-8");
  const auto reply = json::parse(http::error_json(text), nullptr, false);
  require(reply.is_object() && reply.value("error", std::string{"\x01"}) == text,
          "error_json renders a string that parses back to it");
}

void check_bodies(std::string_view body) {
  if (const auto start = http::decode_start(body)) {
    check_round_trip(start->name);
    check_round_trip(start->message);
    check_round_trip(start->page);
    check_round_trip(start->language);
  } else {
    check_refusal(start.failure());
  }
  if (const auto text = http::decode_text(body)) {
    check_round_trip(text.value());
  } else {
    check_refusal(text.failure());
  }
  if (const auto sent = http::decode_send(body)) {
    check_round_trip(sent->text);
    check_round_trip(sent->client_id);
  } else {
    check_refusal(sent.failure());
  }
}

// The decimal text of a positive 63-bit id, written without sign or leading zero.
std::optional<core::ChatId> oracle_chat_id(std::string_view text) {
  if (text.empty() || text.size() > 19 || text.front() == '0') return std::nullopt;
  unsigned long long value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');  // 19 digits fit in 64 bits
  }
  if (value > static_cast<unsigned long long>(std::numeric_limits<core::ChatId>::max()))
    return std::nullopt;
  return static_cast<core::ChatId>(value);
}

void check_route(std::string_view target, std::string_view prefix) {
  const auto route = http::route(target, prefix);
  const auto mark = target.find('?');
  const auto path = target.substr(0, mark);
  if (route.endpoint != http::Endpoint::not_found)
    require(route.query ==
                (mark == std::string_view::npos ? std::string_view{} : target.substr(mark + 1)),
            "the route's query is what follows the first '?'");
  const bool about_a_chat =
      route.endpoint == http::Endpoint::messages || route.endpoint == http::Endpoint::events ||
      route.endpoint == http::Endpoint::close_chat ||
      route.endpoint == http::Endpoint::transcript || route.endpoint == http::Endpoint::typing ||
      route.endpoint == http::Endpoint::mark_read;
  require(http::needs_token(route.endpoint) == about_a_chat,
          "exactly the endpoints that name a chat need its token");
  if (!about_a_chat) {
    require(route.chat == 0, "only chat endpoints name a chat");
  } else {
    const std::string chats = std::string(prefix) + "/api/chats/";
    require(path.starts_with(chats), "a chat endpoint is under {prefix}/api/chats/", path);
    const auto rest = path.substr(chats.size());
    const auto id = oracle_chat_id(rest.substr(0, rest.find('/')));
    require(id.has_value() && *id == route.chat, "the route's chat id is the one in the path",
            path);
  }
  if (route.endpoint == http::Endpoint::not_found) {
    require(!http::is_api(route.endpoint), "not_found is not an API endpoint");
  }
  for (const auto method : {http::Method::get, http::Method::head, http::Method::post}) {
    const std::string_view name = method == http::Method::get    ? "GET"
                                  : method == http::Method::head ? "HEAD"
                                                                 : "POST";
    require(http::method_from_string(name) == method, "method names parse");
    if (http::method_allowed(route.endpoint, method))
      require(http::allowed_methods(route.endpoint).find(name) != std::string_view::npos,
              "the Allow header lists every allowed method");
  }
}

std::string percent_encode(std::string_view text) {
  constexpr std::string_view k_hex = "0123456789ABCDEF";
  std::string result;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    result += '%';
    result += k_hex[byte >> 4];
    result += k_hex[byte & 15];
  }
  return result;
}

void check_query(std::string_view query) {
  if (const auto decoded = http::percent_decode(query)) {
    require(decoded->size() <= query.size(), "percent-decoding never grows a text");
    const auto again = http::percent_decode(percent_encode(*decoded));
    require(again && *again == *decoded, "percent-decoding inverts percent-encoding");
  }
  constexpr std::int64_t k_max = 60;
  for (const std::string_view key : {"after", "wait", "token"}) {
    const auto value = http::query_value(query, key);
    const auto count = http::parse_count(value, key, 7, k_max);
    if (count) {
      require(count.value() >= 0 && count.value() <= k_max, "a count stays in [0, max]");
      if (!value) require(count.value() == 7, "an absent count is the fallback");
    } else {
      require(value.has_value(), "an absent count is no error");
      check_refusal(count.failure());
    }
  }
}

void check_headers(std::string_view header) {
  const auto token = http::bearer_token(header);
  if (!token.empty()) {
    require(header.find(token) != std::string_view::npos, "the token is part of the header");
    require(token.front() != ' ' && token.front() != '\t' && token.back() != ' ' &&
                token.back() != '\t',
            "the token is trimmed");
  }
  const std::vector<std::string> none;
  const std::vector<std::string> any = {"*"};
  const auto refused = http::check_origin(header, "shop.example.com", none);
  require(refused != http::OriginVerdict::allowed, "no origin is allowed by an empty list");
  const auto anyone = http::check_origin(header, "shop.example.com", any);
  require(anyone == http::OriginVerdict::allowed || anyone == http::OriginVerdict::no_origin,
          "'*' allows every origin");
}

void check_rendering(std::string_view text, std::int64_t millis) {
  store::Message message{42, core::Author::visitor, std::string(text), millis};
  const auto rendered = json::parse(http::message_json(message), nullptr, false);
  require(rendered.is_object(), "message_json is a JSON object, whatever the text");
  if (well_formed(text))
    require(rendered.value("text", std::string{}) == text, "a message's text is kept as is");
  const auto at = rendered.value("at", std::string{});
  require(at.size() == 24 && at[4] == '-' && at[10] == 'T' && at.back() == 'Z',
          "a message's time is RFC 3339 with milliseconds", at);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_bodies(input);

  for (const std::string_view prefix : {"/seshat", ""})
    check_route(input, http::normalize_prefix(prefix));
  const auto prefix = http::normalize_prefix(input);
  require(prefix.empty() || (prefix.front() == '/' && prefix.back() != '/'),
          "a normalised prefix is empty or /name", prefix);
  require(http::normalize_prefix(prefix) == prefix, "normalize_prefix is idempotent", prefix);

  const auto id = http::parse_chat_id(input);
  const auto expected = oracle_chat_id(input);
  require(id == expected.value_or(0), "parse_chat_id reads positive decimal 63-bit ids only");

  check_query(http::route(input, "/seshat").query);
  check_query(input);
  check_headers(input);

  std::int64_t millis = 0;
  for (std::size_t i = 0; i < size && i < 6; ++i) millis = millis * 256 + data[i];
  check_rendering(input, millis % 253402300800000);  // up to the end of year 9999
  return 0;
}
