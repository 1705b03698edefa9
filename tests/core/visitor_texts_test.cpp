#include "core/visitor_texts.hpp"

#include <gtest/gtest.h>

#include "core/texts.hpp"

namespace seshat::core::texts {
namespace {

TEST(VisitorTexts, EnglishStaysWordForWord) {
  const VisitorTexts texts;
  EXPECT_EQ(texts.translate(chat_started(), "en"), "Your chat has started.");
  EXPECT_EQ(texts.translate(chat_closed(), ""), "The chat is now closed.");
  EXPECT_EQ(texts.translate(chat_closed(), "it"), "The chat is now closed.");  // none for it
}

TEST(VisitorTexts, ChosenByTheChatsLanguage) {
  const VisitorTexts texts;
  EXPECT_EQ(texts.translate(chat_started(), "de"), "Ihr Chat hat begonnen.");
  EXPECT_EQ(texts.translate(chat_started(), "DE-at"), "Ihr Chat hat begonnen.");
  EXPECT_EQ(texts.translate(chat_closed(), "fr-CA"), "La discussion est maintenant termin\u00e9e.");
  EXPECT_EQ(texts.translate(chat_closed(), "es"), "El chat ha terminado.");
  // Every visitor text has its three translations.
  for (const auto& english :
       {chat_started(), chat_closed(), no_operator(), operator_went_offline(), held_back(),
        nobody_can_take(), nobody_could_take(), lost_contact()}) {
    for (const char* language : {"de", "fr", "es"}) {
      EXPECT_NE(texts.translate(english, language), english) << language << ": " << english;
    }
  }
  EXPECT_EQ(VisitorTexts::keys().size(), 15u);
}

TEST(VisitorTexts, OtherTextsPassUnchanged) {
  const VisitorTexts texts;
  EXPECT_EQ(texts.translate("Hello, customer.", "de"), "Hello, customer.");
}

TEST(VisitorTexts, TheConfiguredLanguageWhenTheChatsIsUnknown) {
  const VisitorTexts texts("de");
  EXPECT_EQ(texts.translate(chat_started(), ""), "Ihr Chat hat begonnen.");
  EXPECT_EQ(texts.translate(chat_started(), "it"), "Ihr Chat hat begonnen.");
  EXPECT_EQ(texts.translate(chat_started(), "en"), "Your chat has started.");
}

TEST(VisitorTexts, OverridesAndTheirErrors) {
  VisitorTexts texts;
  EXPECT_EQ(texts.set("de", "chat_started", "Willkommen!"), std::nullopt);
  EXPECT_EQ(texts.set("nl", "chat_started", "Welkom!"), std::nullopt);
  EXPECT_EQ(texts.set("en", "chat_closed", "Bye."), std::nullopt);
  EXPECT_EQ(texts.translate(chat_started(), "de-CH"), "Willkommen!");
  EXPECT_EQ(texts.translate(chat_started(), "nl"), "Welkom!");
  EXPECT_EQ(texts.translate(chat_closed(), "en"), "Bye.");
  EXPECT_EQ(texts.translate(chat_closed(), "nl"), "Bye.");  // nl has none: the fallback's
  EXPECT_EQ(texts.set("de", "hello", "x").value_or(""),
            "unknown text 'hello' (known: chat_started, chat_closed, no_operator, "
            "operator_went_offline, held_back, nobody_can_take, nobody_could_take, lost_contact, "
            "all_busy, connection_dropped, operator_back, message_kept, message_kept_email, "
            "handed_on, handed_to_another)");
  EXPECT_EQ(texts.set("de-AT", "chat_started", "x").value_or(""),
            "'de-AT' is not a language (a section is one, like [de])");
  EXPECT_EQ(texts.set("Deutsch", "chat_started", "x").value_or(""),
            "'Deutsch' is not a language (a section is one, like [de])");
  EXPECT_EQ(texts.set("de", "chat_started", "").value_or(""),
            "the text of 'chat_started' is empty");
}

}  // namespace
}  // namespace seshat::core::texts
