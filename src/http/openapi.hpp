#pragma once
// The OpenAPI 3.1 document of the HTTP API: docs/openapi.json, built into the binary (so the
// document served is the one of this build), served at {prefix}/api/openapi.json.

#include <string>
#include <string_view>

namespace seshat::http {

// docs/openapi.json as it is in the repository.
[[nodiscard]] std::string_view openapi_source();

// The document with its server URL set to `prefix` (normalized: "" or "/seshat"; "" gives "/").
[[nodiscard]] std::string openapi_document(std::string_view prefix);

}  // namespace seshat::http
