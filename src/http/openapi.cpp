#include "http/openapi.hpp"

#include <nlohmann/json.hpp>

namespace seshat::http {

// In openapi_json.cpp, which the build generates from docs/openapi.json.
extern const char k_openapi_json[];

std::string_view openapi_source() {
  return k_openapi_json;
}

std::string openapi_document(std::string_view prefix) {
  auto document = nlohmann::json::parse(openapi_source());
  document["servers"][0]["url"] = prefix.empty() ? std::string("/") : std::string(prefix);
  return document.dump(2);
}

}  // namespace seshat::http
