#include "xmpp/strophe_log.hpp"

#include <spdlog/spdlog.h>

#include <array>

namespace seshat::xmpp {
namespace {

// Elements of the SASL negotiation (RFC 6120 section 6.4), legacy auth and the component
// handshake (XEP-0114, and libstrophe's debug line of its digest): their payloads are
// credentials or proofs of them.
constexpr std::array<std::string_view, 7> k_secret_elements = {
    "<auth", "<response", "<challenge", "jabber:iq:auth", "<password", "<handshake", "Digest:"};

void log_line(void* userdata, xmpp_log_level_t level, const char* area, const char* message) {
  // libstrophe's errors (certificate refused, connection failed) deserve a warning; the rest is
  // a trace of the protocol.
  const auto spd_level = level == XMPP_LEVEL_ERROR ? spdlog::level::warn : spdlog::level::debug;
  if (!spdlog::should_log(spd_level)) return;
  const auto& password = *static_cast<const std::string*>(userdata);
  spdlog::log(spd_level, "libstrophe {}: {}", area ? area : "",
              redact_strophe_line(message ? message : "", password));
}

}  // namespace

std::string redact_strophe_line(std::string_view line, std::string_view password) {
  for (const auto element : k_secret_elements) {
    if (line.find(element) != std::string_view::npos) return "[SASL exchange redacted]";
  }
  std::string text(line);
  if (password.empty()) return text;
  for (auto at = text.find(password); at != std::string::npos; at = text.find(password, at + 3)) {
    text.replace(at, password.size(), "***");
  }
  return text;
}

StropheLog::StropheLog(const std::string& password)
    : m_log{log_line, const_cast<std::string*>(&password)} {}

void StropheLog::set_silent(bool silent) {
  m_log.handler = silent ? nullptr : log_line;
}

}  // namespace seshat::xmpp
