#pragma once
// A User-Agent header summarised for an operator (!INFO): the browser and the system, with
// major versions only ("Firefox 126", "Windows 10/11"). Pure; unknown parts stay empty.

#include <string>
#include <string_view>

namespace seshat::core {

struct UserAgentSummary {
  std::string browser;  // "Chrome 125", "Firefox 126", "Safari 17", "Edge 125", ...; "" unknown
  std::string system;   // "Windows 10/11", "macOS", "Android 14", "iOS 17", "Linux", ...
};

[[nodiscard]] UserAgentSummary summarize_user_agent(std::string_view user_agent);

}  // namespace seshat::core
