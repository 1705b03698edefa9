#include "http/routes.hpp"

#include <array>
#include <charconv>
#include <utility>

namespace seshat::http {
namespace {

// Splits off the first path segment of `path` (which starts after a '/').
std::pair<std::string_view, std::string_view> first_segment(std::string_view path) {
  const auto slash = path.find('/');
  if (slash == std::string_view::npos) return {path, {}};
  return {path.substr(0, slash), path.substr(slash)};
}

Route chat_route(std::string_view rest, std::string_view query) {
  // rest: "{id}/messages" and the like
  const auto [id_text, tail] = first_segment(rest);
  const auto id = parse_chat_id(id_text);
  if (id == 0) return {};
  constexpr std::array<std::pair<std::string_view, Endpoint>, 6> k_actions{{
      {"/messages", Endpoint::messages},
      {"/events", Endpoint::events},
      {"/close", Endpoint::close_chat},
      {"/transcript", Endpoint::transcript},
      {"/typing", Endpoint::typing},
      {"/read", Endpoint::mark_read},
  }};
  for (const auto& [suffix, endpoint] : k_actions) {
    if (tail == suffix) return Route{endpoint, id, query};
  }
  return {};
}

}  // namespace

std::string normalize_prefix(std::string_view prefix) {
  std::string result(prefix);
  while (!result.empty() && result.back() == '/') result.pop_back();
  if (!result.empty() && result.front() != '/') result.insert(result.begin(), '/');
  return result;
}

Route route(std::string_view target, std::string_view prefix) {
  std::string_view path = target;
  std::string_view query;
  if (const auto mark = target.find('?'); mark != std::string_view::npos) {
    path = target.substr(0, mark);
    query = target.substr(mark + 1);
  }
  if (path == "/healthz") return Route{Endpoint::healthz, 0, query};
  if (path == "/metrics") return Route{Endpoint::metrics, 0, query};
  if (!path.starts_with(prefix)) return {};
  path.remove_prefix(prefix.size());
  if (path.empty()) return Route{Endpoint::demo_redirect, 0, query};
  if (path == "/") return Route{Endpoint::demo_page, 0, query};
  if (path == "/widget.js") return Route{Endpoint::widget_js, 0, query};
  if (path == "/widget.css") return Route{Endpoint::widget_css, 0, query};
  if (path == "/api/availability") return Route{Endpoint::availability, 0, query};
  if (path == "/api/openapi.json") return Route{Endpoint::openapi, 0, query};
  if (path == "/api/chats") return Route{Endpoint::create_chat, 0, query};
  constexpr std::string_view k_chats = "/api/chats/";
  if (path.starts_with(k_chats)) return chat_route(path.substr(k_chats.size()), query);
  return {};
}

Method method_from_string(std::string_view method) {
  if (method == "GET") return Method::get;
  if (method == "HEAD") return Method::head;
  if (method == "POST") return Method::post;
  if (method == "OPTIONS") return Method::options;
  return Method::other;
}

bool method_allowed(Endpoint endpoint, Method method) {
  switch (endpoint) {
    case Endpoint::not_found:
      return false;
    case Endpoint::create_chat:
    case Endpoint::close_chat:
    case Endpoint::transcript:
    case Endpoint::typing:
    case Endpoint::mark_read:
      return method == Method::post;
    case Endpoint::messages:
      return method == Method::post || method == Method::get;
    case Endpoint::events:
    case Endpoint::availability:
    case Endpoint::openapi:
      return method == Method::get;
    case Endpoint::widget_js:
    case Endpoint::widget_css:
    case Endpoint::demo_page:
    case Endpoint::demo_redirect:
    case Endpoint::healthz:
    case Endpoint::metrics:
      return method == Method::get || method == Method::head;
  }
  return false;
}

std::string_view allowed_methods(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::not_found:
      return "";
    case Endpoint::create_chat:
    case Endpoint::close_chat:
    case Endpoint::transcript:
    case Endpoint::typing:
    case Endpoint::mark_read:
      return "POST, OPTIONS";
    case Endpoint::messages:
      return "GET, POST, OPTIONS";
    case Endpoint::events:
    case Endpoint::availability:
    case Endpoint::openapi:
      return "GET, OPTIONS";
    case Endpoint::widget_js:
    case Endpoint::widget_css:
    case Endpoint::demo_page:
    case Endpoint::demo_redirect:
    case Endpoint::healthz:
    case Endpoint::metrics:
      return "GET, HEAD";
  }
  return "";
}

bool is_api(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::create_chat:
    case Endpoint::messages:
    case Endpoint::events:
    case Endpoint::close_chat:
    case Endpoint::transcript:
    case Endpoint::typing:
    case Endpoint::mark_read:
    case Endpoint::availability:
    case Endpoint::openapi:
      return true;
    default:
      return false;
  }
}

bool needs_token(Endpoint endpoint) {
  return endpoint == Endpoint::messages || endpoint == Endpoint::events ||
         endpoint == Endpoint::close_chat || endpoint == Endpoint::transcript ||
         endpoint == Endpoint::typing || endpoint == Endpoint::mark_read;
}

core::ChatId parse_chat_id(std::string_view text) {
  if (text.empty() || text.front() < '1' || text.front() > '9') return 0;
  core::ChatId id = 0;
  const auto* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, id);
  if (error != std::errc{} || stop != end) return 0;
  return id;
}

}  // namespace seshat::http
