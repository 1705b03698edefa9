#pragma once
// A small INI reader: text in, sections of `key = value` entries out, each with its line number
// so that callers can point at the line a problem is on. Pure: no file access, no validation
// beyond the syntax.
//
// Syntax (Python configparser's, which the seed used):
//   [section]            names are case-sensitive, trimmed
//   key = value          or `key: value`; split at the first '=' or ':'; key and value trimmed
//     more value         an indented line continues the previous value (joined with '\n')
//   ; comment, # comment whole lines only: a ';' or '#' inside a value is part of it, so
//                        passwords may contain them
// A UTF-8 byte order mark and CRLF line ends are accepted.

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace seshat::app::ini {

struct Entry {
  std::string key;    // as written
  std::string value;  // trimmed; continuation lines joined with '\n'
  int line = 0;       // 1-based line of the key
};

struct Section {
  std::string name;
  int line = 0;
  std::vector<Entry> entries;  // in file order; duplicates are kept (the caller judges them)
};

struct Document {
  std::vector<Section> sections;  // in file order; a name may appear more than once
};

struct ParseError {
  int line = 0;
  std::string section;  // the section the line is in; empty before the first one
  std::string message;  // e.g. "expected 'key = value', '[section]' or a comment"
};

using ParseResult = std::variant<Document, ParseError>;

[[nodiscard]] ParseResult parse(std::string_view text);

}  // namespace seshat::app::ini
