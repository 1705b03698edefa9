// The OpenAPI document built into the gateway: valid JSON, OpenAPI 3.1, and a path (with the
// right methods) for every endpoint the router knows, so a new route cannot go undocumented.
// The API tests (tests/api/api_test.py) check every real response against it.
#include "http/openapi.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "http/routes.hpp"

namespace seshat::http {
namespace {

using nlohmann::json;

struct Documented {
  std::string target;  // a real request target, prefix "/seshat"
  std::string path;    // its path in the document
  Endpoint endpoint;
};

const std::vector<Documented> k_endpoints{
    {"/seshat/api/chats", "/api/chats", Endpoint::create_chat},
    {"/seshat/api/chats/1/messages", "/api/chats/{id}/messages", Endpoint::messages},
    {"/seshat/api/chats/1/events", "/api/chats/{id}/events", Endpoint::events},
    {"/seshat/api/chats/1/close", "/api/chats/{id}/close", Endpoint::close_chat},
    {"/seshat/api/chats/1/transcript", "/api/chats/{id}/transcript", Endpoint::transcript},
    {"/seshat/api/chats/1/typing", "/api/chats/{id}/typing", Endpoint::typing},
    {"/seshat/api/chats/1/read", "/api/chats/{id}/read", Endpoint::mark_read},
    {"/seshat/api/availability", "/api/availability", Endpoint::availability},
    {"/seshat/api/openapi.json", "/api/openapi.json", Endpoint::openapi},
    {"/seshat/widget.js", "/widget.js", Endpoint::widget_js},
    {"/seshat/widget.css", "/widget.css", Endpoint::widget_css},
    {"/seshat/", "/", Endpoint::demo_page},
    {"/healthz", "/healthz", Endpoint::healthz},
    {"/metrics", "/metrics", Endpoint::metrics},
};

TEST(OpenApi, IsAnOpenApi31Document) {
  const auto document = json::parse(openapi_source());
  EXPECT_EQ(document.at("openapi"), "3.1.0");
  EXPECT_EQ(document.at("servers").at(0).at("url"), "/seshat");
  EXPECT_TRUE(document.at("components").at("schemas").contains("Error"));
}

TEST(OpenApi, DocumentsEveryRouteWithItsMethods) {
  const auto paths = json::parse(openapi_source()).at("paths");
  for (const auto& [target, path, endpoint] : k_endpoints) {
    ASSERT_EQ(route(target, "/seshat").endpoint, endpoint) << target;
    ASSERT_TRUE(paths.contains(path)) << path;
    const auto& item = paths.at(path);
    for (const auto& [name, method] :
         {std::pair{"get", Method::get}, std::pair{"post", Method::post}}) {
      EXPECT_EQ(item.contains(name), method_allowed(endpoint, method)) << path << " " << name;
    }
    EXPECT_TRUE(item.contains("options")) << path << ": every route answers OPTIONS";
  }
  EXPECT_EQ(paths.size(), k_endpoints.size()) << "a documented path the router does not know";
}

TEST(OpenApi, ServedWithTheConfiguredPrefix) {
  EXPECT_EQ(json::parse(openapi_document("/chat")).at("servers").at(0).at("url"), "/chat");
  EXPECT_EQ(json::parse(openapi_document("")).at("servers").at(0).at("url"), "/");
  EXPECT_EQ(json::parse(openapi_document("/seshat")).at("paths"),
            json::parse(openapi_source()).at("paths"));
}

}  // namespace
}  // namespace seshat::http
