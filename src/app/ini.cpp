#include "app/ini.hpp"

#include "base/text.hpp"

namespace seshat::app::ini {
namespace {

using base::trim;

constexpr std::string_view k_bom = "\xEF\xBB\xBF";

bool is_comment(std::string_view trimmed) {
  return trimmed.starts_with('#') || trimmed.starts_with(';');
}

}  // namespace

ParseResult parse(std::string_view text) {
  if (text.starts_with(k_bom)) text.remove_prefix(k_bom.size());

  Document document;
  Entry* last_entry = nullptr;  // the entry an indented line would continue
  int line_number = 0;
  auto error = [&](std::string message) -> ParseResult {
    std::string section = document.sections.empty() ? "" : document.sections.back().name;
    return ParseError{line_number, std::move(section), std::move(message)};
  };

  while (!text.empty() || line_number == 0) {
    ++line_number;
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.find('\0') != std::string_view::npos) return error("NUL character in the file");

    const auto trimmed = trim(line);
    if (trimmed.empty()) {
      last_entry = nullptr;  // a blank line ends a multi-line value
      continue;
    }
    if (is_comment(trimmed)) continue;

    const bool indented = line.front() == ' ' || line.front() == '\t';
    if (indented && last_entry != nullptr) {
      if (!last_entry->value.empty()) last_entry->value += '\n';
      last_entry->value += trimmed;
      continue;
    }

    if (trimmed.front() == '[') {
      const auto close = trimmed.find(']');
      if (close == std::string_view::npos) return error("section header without ']'");
      if (close + 1 != trimmed.size()) return error("text after the section header's ']'");
      const auto name = trim(trimmed.substr(1, close - 1));
      if (name.empty()) return error("empty section name '[]'");
      document.sections.push_back(Section{std::string(name), line_number, {}});
      last_entry = nullptr;
      continue;
    }

    const auto delimiter = trimmed.find_first_of("=:");
    if (delimiter == std::string_view::npos)
      return error("expected 'key = value', '[section]' or a comment, not '" +
                   std::string(trimmed) + "'");
    const auto key = trim(trimmed.substr(0, delimiter));
    if (key.empty()) return error("a value without a key");
    if (document.sections.empty())
      return error("key '" + std::string(key) + "' before any [section]");
    auto& entries = document.sections.back().entries;
    entries.push_back(
        Entry{std::string(key), std::string(trim(trimmed.substr(delimiter + 1))), line_number});
    last_entry = &entries.back();
  }
  return document;
}

}  // namespace seshat::app::ini
