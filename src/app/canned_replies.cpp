#include "app/canned_replies.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include "app/ini.hpp"

namespace seshat::app {
namespace {

constexpr std::string_view k_section = "replies";
constexpr std::size_t k_max_key_bytes = 64;
constexpr std::size_t k_max_text_bytes = 4000;

bool is_key(std::string_view key) {
  return !key.empty() && key.size() <= k_max_key_bytes &&
         std::all_of(key.begin(), key.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                  c == '.';
         });
}

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return result;
}

core::Replies broken(const std::string& file, int line, const std::string& what) {
  core::Replies replies;
  replies.error = file + (line > 0 ? ":" + std::to_string(line) : "") + ": " + what;
  return replies;
}

}  // namespace

core::Replies parse_replies(std::string_view text, const std::string& file) {
  const auto parsed = ini::parse(text);
  if (const auto* error = std::get_if<ini::ParseError>(&parsed))
    return broken(file, error->line, error->message);
  core::Replies replies;
  bool found = false;
  for (const auto& section : std::get<ini::Document>(parsed).sections) {
    if (section.name != k_section)
      return broken(file, section.line,
                    "unknown section [" + section.name + "]; canned replies go in [replies]");
    found = true;
    for (const auto& entry : section.entries) {
      const auto key = lower(entry.key);
      if (!is_key(key))
        return broken(file, entry.line,
                      "'" + entry.key +
                          "' is not a reply key (letters, digits, '-', '_' or '.', at most 64)");
      if (entry.value.empty()) return broken(file, entry.line, "the reply '" + key + "' is empty");
      if (entry.value.size() > k_max_text_bytes)
        return broken(file, entry.line, "the reply '" + key + "' is longer than 4000 bytes");
      if (!replies.texts.emplace(key, entry.value).second)
        return broken(file, entry.line, "the reply '" + key + "' is there twice");
    }
  }
  if (!found) return broken(file, 0, "no [replies] section");
  return replies;
}

std::optional<core::Replies> RepliesFile::reload_if_changed() {
  std::error_code error;
  const auto mtime = std::filesystem::last_write_time(m_path, error);
  if (error) {
    if (m_read_once && m_missing) return std::nullopt;  // said once
    m_read_once = true;
    m_missing = true;
    m_mtime.reset();
    return broken(m_path, 0, "cannot be read (" + error.message() + ")");
  }
  const auto size = std::filesystem::file_size(m_path, error);
  if (m_read_once && !m_missing && m_mtime == mtime && !error && size == m_size)
    return std::nullopt;
  m_read_once = true;
  m_missing = false;
  m_mtime = mtime;
  m_size = error ? 0 : size;
  std::ifstream in(m_path, std::ios::binary);
  if (!in) return broken(m_path, 0, "cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_replies(text.str(), m_path);
}

}  // namespace seshat::app
