#include "core/user_agent.hpp"

#include <array>
#include <cctype>
#include <utility>

namespace seshat::core {
namespace {

// The digits right after `token` in `text` ("Firefox/126.0" -> "126"); "" if absent.
std::string version_after(std::string_view text, std::string_view token) {
  const auto at = text.find(token);
  if (at == std::string_view::npos) return {};
  std::string digits;
  for (auto i = at + token.size();
       i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0; ++i)
    digits += text[i];
  return digits;
}

bool has(std::string_view text, std::string_view token) {
  return text.find(token) != std::string_view::npos;
}

std::string named(std::string_view name, const std::string& version) {
  return version.empty() ? std::string(name) : std::string(name) + " " + version;
}

std::string browser_of(std::string_view ua) {
  // Order matters: Edge and Opera also say Chrome; Chrome also says Safari.
  constexpr std::array<std::pair<std::string_view, std::string_view>, 6> k_browsers{{
      {"Edg/", "Edge"},
      {"OPR/", "Opera"},
      {"SamsungBrowser/", "Samsung Internet"},
      {"Firefox/", "Firefox"},
      {"CriOS/", "Chrome"},
      {"Chrome/", "Chrome"},
  }};
  for (const auto& [token, name] : k_browsers) {
    if (has(ua, token)) return named(name, version_after(ua, token));
  }
  if (has(ua, "Safari/")) return named("Safari", version_after(ua, "Version/"));
  if (has(ua, "curl/")) return "curl";
  return {};
}

std::string system_of(std::string_view ua) {
  if (has(ua, "Windows NT 10.0")) return "Windows 10/11";
  if (has(ua, "Windows")) return "Windows";
  if (has(ua, "Android")) return named("Android", version_after(ua, "Android "));
  if (has(ua, "iPhone")) return named("iOS", version_after(ua, "iPhone OS "));
  if (has(ua, "iPad")) return named("iPadOS", version_after(ua, "CPU OS "));
  if (has(ua, "CrOS")) return "ChromeOS";
  if (has(ua, "Mac OS X") || has(ua, "Macintosh")) return "macOS";
  if (has(ua, "Linux")) return "Linux";
  return {};
}

}  // namespace

UserAgentSummary summarize_user_agent(std::string_view user_agent) {
  return {browser_of(user_agent), system_of(user_agent)};
}

}  // namespace seshat::core
