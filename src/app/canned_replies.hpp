#pragma once
// The `replies` file: canned replies for !SAY, an INI file with one [replies] section of
// `key = text` lines (an indented line continues a text). The broker rereads it whenever its
// modification time or size changes; a broken file gives one clear line (file:line: what) that
// the operators and the log get instead of the replies, never a crash.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/event.hpp"

namespace seshat::app {

// Parses the file's text; `file` names it in error lines.
[[nodiscard]] core::Replies parse_replies(std::string_view text, const std::string& file);

class RepliesFile {
 public:
  explicit RepliesFile(std::string path) : m_path(std::move(path)) {}

  // The replies read afresh if the file changed since the last call (or on the first call);
  // nullopt when unchanged. A file that cannot be read is a Replies with an error too.
  [[nodiscard]] std::optional<core::Replies> reload_if_changed();

 private:
  std::string m_path;
  std::optional<std::filesystem::file_time_type> m_mtime;
  std::uintmax_t m_size = 0;
  bool m_read_once = false;
  bool m_missing = false;
};

}  // namespace seshat::app
