#include "http/api_handler.hpp"

#include <utility>

#include "http/api_json.hpp"

namespace seshat::http {
namespace {

// The Referer as a fallback page, without its query and fragment (they may hold secrets); the
// widget itself sends origin and path unless the site asks for more.
std::string page_from_referer(std::string_view referer) {
  return std::string(referer.substr(0, referer.find_first_of("?#")));
}

template <class T, class Encode>
base::Result<ApiAnswer> answer(base::Result<T> result, int status, Encode encode) {
  if (!result) return result.failure();
  return ApiAnswer{status, encode(result.value())};
}

base::Result<ApiAnswer> done(base::Result<base::Done> result, int status, std::string body) {
  if (!result) return result.failure();
  return ApiAnswer{status, std::move(body)};
}

}  // namespace

bool answers_at_once(Endpoint endpoint, Method method) {
  switch (endpoint) {
    case Endpoint::create_chat:
    case Endpoint::close_chat:
    case Endpoint::transcript:
    case Endpoint::typing:
    case Endpoint::mark_read:
      return method == Method::post;
    case Endpoint::messages:
      return method == Method::post;  // GET reads, and may wait: the Session's
    case Endpoint::availability:
      return method == Method::get;
    default:
      return false;
  }
}

base::Result<ApiJob> prepare_api_call(const ApiRequest& request) {
  const auto chat = request.chat;
  std::string token(request.token);
  switch (request.endpoint) {
    case Endpoint::create_chat: {
      auto start = decode_start(request.body);
      if (!start) return start.failure();
      if (start->page.empty()) start->page = page_from_referer(request.referer);
      // What !INFO shows of the browser, and what !BLOCK matches on.
      store::ChatDetails details;
      details.visitor = start->visitor;
      details.referrer = start->referrer;
      details.user_agent = std::string(request.user_agent);
      details.address = std::string(request.address);
      details.utc_offset = start->utc_offset;
      return ApiJob([start = std::move(start).value(), network = std::string(request.network),
                     details = std::move(details)](visitors::Visitors& visitors) {
        return answer(visitors.start(start.name, start.message, start.page, start.email, network,
                                     start.language, details),
                      201, ticket_json);
      });
    }
    case Endpoint::messages: {
      auto sent = decode_send(request.body);
      if (!sent) return sent.failure();
      return ApiJob([chat, token = std::move(token), sent = std::move(sent).value(),
                     network = std::string(request.network)](visitors::Visitors& visitors) {
        return answer(visitors.send(chat, token, sent.text, sent.client_id, network, sent.stream),
                      202, seq_json);
      });
    }
    case Endpoint::close_chat:
      return ApiJob([chat, token = std::move(token)](visitors::Visitors& visitors) {
        return done(visitors.close(chat, token), 200, status_json(core::VisitorStatus::closed));
      });
    case Endpoint::transcript: {
      auto email = decode_email(request.body);
      if (!email) return email.failure();
      return ApiJob([chat, token = std::move(token),
                     email = std::move(email).value()](visitors::Visitors& visitors) {
        return done(visitors.request_transcript(chat, token, email), 202, queued_json());
      });
    }
    case Endpoint::typing: {
      auto typing = decode_typing(request.body);
      if (!typing) return typing.failure();
      return ApiJob(
          [chat, token = std::move(token), typing = typing.value()](visitors::Visitors& visitors) {
            return done(visitors.typing(chat, token, typing), 204, "");
          });
    }
    case Endpoint::mark_read: {
      auto seq = decode_read(request.body);
      if (!seq) return seq.failure();
      return ApiJob(
          [chat, token = std::move(token), seq = seq.value()](visitors::Visitors& visitors) {
            return done(visitors.mark_read(chat, token, seq), 204, "");
          });
    }
    case Endpoint::availability:
      return ApiJob([](visitors::Visitors& visitors) {
        return answer(visitors.availability(), 200, availability_json);
      });
    default:
      return base::failure(base::Error::bad_request);
  }
}

}  // namespace seshat::http
