#pragma once
// The bot's texts to visitors in the visitor's language. The core says them in English (texts.cpp,
// word for word the seed's); the broker and the gateway hand each system line to the chat through
// translate(), with the chat's language (BCP 47, "de-AT"). Built in: en, de, fr, es. A `texts`
// file overrides any of them per language ([de] chat_started = ...); keys are the names of the
// functions in texts.cpp. Pure data: the app layer reads the file and calls set().

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seshat::core::texts {

class VisitorTexts {
 public:
  // `fallback`: the language of chats that gave none, or one with no texts here ("en").
  explicit VisitorTexts(std::string fallback = "en");

  // Overrides `key` in `language`; an error sentence for an unknown key or a bad language.
  [[nodiscard]] std::optional<std::string> set(std::string_view language, std::string_view key,
                                               std::string text);

  // `english` (one of the visitor texts of texts.cpp, as said there) in `language`: the
  // language's own text, else the fallback language's, else `english` itself. Any other text
  // comes back unchanged.
  [[nodiscard]] std::string translate(std::string_view english, std::string_view language) const;

  // The keys a texts file may use.
  [[nodiscard]] static std::vector<std::string_view> keys();

 private:
  std::string m_fallback;
  std::map<std::string, std::string_view, std::less<>> m_keys;  // English text -> key
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> m_texts;
};

}  // namespace seshat::core::texts
