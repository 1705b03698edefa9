#include "core/visitor_texts.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/texts.hpp"

namespace seshat::core::texts {
namespace {

struct Builtin {
  std::string_view key;
  std::string (*english)();
  std::string_view de, fr, es;
};

// Every text the core says to visitors, by the name of its function in texts.cpp.
const std::array<Builtin, 15> k_builtin{{
    {"chat_started", chat_started, "Ihr Chat hat begonnen.", "Votre discussion a commenc\u00e9.",
     "Tu chat ha comenzado."},
    {"chat_closed", chat_closed, "Der Chat ist jetzt beendet.",
     "La discussion est maintenant termin\u00e9e.", "El chat ha terminado."},
    {"no_operator", no_operator,
     "Gerade ist niemand erreichbar. Bitte warten Sie: Wir kommen, sobald jemand frei ist.",
     "Personne n\u2019est disponible pour le moment. Veuillez patienter\u00a0: nous arrivons "
     "d\u00e8s que quelqu\u2019un est libre.",
     "Ahora no hay nadie disponible. Espera, por favor: llegaremos en cuanto alguien est\u00e9 "
     "libre."},
    {"operator_went_offline", operator_went_offline,
     "Ihr Ansprechpartner ist offline gegangen. Bitte warten Sie, wir suchen jemand anderen.",
     "Votre interlocuteur s\u2019est d\u00e9connect\u00e9. Veuillez patienter, nous cherchons "
     "quelqu\u2019un d\u2019autre.",
     "Tu operador se ha desconectado. Espera mientras buscamos a otra persona."},
    {"held_back", held_back,
     "Es ist noch niemand dabei. Ihre Nachricht wird zugestellt, sobald jemand kommt.",
     "Personne n\u2019a encore rejoint la discussion. Votre message sera transmis d\u00e8s que "
     "quelqu\u2019un arrive.",
     "Todav\u00eda no se ha unido nadie. Tu mensaje se entregar\u00e1 en cuanto alguien lo haga."},
    {"nobody_can_take", nobody_can_take,
     "Leider kann gerade niemand Ihren Chat \u00fcbernehmen. Bitte versuchen Sie es sp\u00e4ter "
     "noch einmal.",
     "D\u00e9sol\u00e9s, personne ne peut prendre votre discussion pour le moment. Veuillez "
     "r\u00e9essayer plus tard.",
     "Lo sentimos, ahora nadie puede atender tu chat. Int\u00e9ntalo m\u00e1s tarde."},
    {"nobody_could_take", nobody_could_take,
     "Leider konnte niemand Ihren Chat \u00fcbernehmen. Bitte versuchen Sie es sp\u00e4ter noch "
     "einmal.",
     "D\u00e9sol\u00e9s, personne n\u2019a pu prendre votre discussion. Veuillez r\u00e9essayer "
     "plus tard.",
     "Lo sentimos, nadie pudo atender tu chat. Int\u00e9ntalo m\u00e1s tarde."},
    {"lost_contact", lost_contact,
     "Die Verbindung zu Ihrer Seite ist abgebrochen, daher ist der Chat jetzt beendet.",
     "Le contact avec votre page a \u00e9t\u00e9 perdu, la discussion est donc termin\u00e9e.",
     "Perdimos el contacto con tu p\u00e1gina, as\u00ed que el chat ha terminado."},
    {"all_busy", all_busy,
     "Gerade sind alle Mitarbeiter besch\u00e4ftigt. Bitte warten Sie: Sie erhalten eine Antwort, "
     "sobald jemand frei ist.",
     "Tous nos conseillers sont occup\u00e9s pour le moment. Veuillez patienter\u00a0: vous aurez "
     "une r\u00e9ponse d\u00e8s que l\u2019un d\u2019eux sera libre.",
     "Ahora todos los operadores est\u00e1n ocupados. Espera, por favor: te responderemos en "
     "cuanto uno quede libre."},
    {"connection_dropped", connection_dropped,
     "Die Verbindung Ihres Ansprechpartners ist abgebrochen. Bitte warten Sie: Er hat etwas Zeit, "
     "zur\u00fcckzukommen.",
     "La connexion de votre interlocuteur a \u00e9t\u00e9 interrompue. Veuillez patienter\u00a0: "
     "il a un peu de temps pour revenir.",
     "Se ha cortado la conexi\u00f3n de tu operador. Espera, por favor: tiene un poco de tiempo "
     "para volver."},
    {"operator_back", operator_back, "Ihr Ansprechpartner ist wieder da.",
     "Votre interlocuteur est de retour.", "Tu operador ha vuelto."},
    {"message_kept", [] { return message_kept(false); },
     "Ihre Nachricht ist gespeichert: Ein Mitarbeiter wird sie hier beantworten, sobald jemand "
     "frei ist.",
     "Votre message est conserv\u00e9\u00a0: un conseiller y r\u00e9pondra ici d\u00e8s que "
     "l\u2019un d\u2019eux sera libre.",
     "Tu mensaje queda guardado: un operador lo responder\u00e1 aqu\u00ed en cuanto uno quede "
     "libre."},
    {"message_kept_email", [] { return message_kept(true); },
     "Ihre Nachricht ist gespeichert: Ein Mitarbeiter wird sie beantworten, und die Antwort "
     "erreicht Sie per E-Mail.",
     "Votre message est conserv\u00e9\u00a0: un conseiller y r\u00e9pondra, et la r\u00e9ponse "
     "vous parviendra par e-mail.",
     "Tu mensaje queda guardado: un operador lo responder\u00e1 y la respuesta te llegar\u00e1 por "
     "correo electr\u00f3nico."},
    {"handed_on", handed_on,
     "Ihr Mitarbeiter hat Ihren Chat weitergegeben. Bitte warten Sie: Der n\u00e4chste freie "
     "Mitarbeiter antwortet Ihnen.",
     "Votre conseiller a transmis votre discussion. Veuillez patienter\u00a0: le prochain "
     "conseiller libre vous r\u00e9pondra.",
     "Tu operador ha pasado tu chat. Espera, por favor: te responder\u00e1 el pr\u00f3ximo "
     "operador libre."},
    {"handed_to_another", [] { return handed_to(""); },
     "Ihr Chat wurde an einen anderen Mitarbeiter \u00fcbergeben.",
     "Votre discussion a \u00e9t\u00e9 transmise \u00e0 un autre conseiller.",
     "Tu chat ha pasado a otro operador."},
}};

// "de-AT" -> "de": texts are kept by primary language.
std::string primary(std::string_view tag) {
  std::string language(tag.substr(0, tag.find('-')));
  std::transform(language.begin(), language.end(), language.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return language;
}

bool is_language(std::string_view language) {
  // ISO 639 codes: two or three letters ("de", "gsw").
  return language.size() >= 2 && language.size() <= 3 &&
         std::all_of(language.begin(), language.end(),
                     [](unsigned char c) { return std::isalpha(c) != 0; });
}

}  // namespace

VisitorTexts::VisitorTexts(std::string fallback) : m_fallback(primary(fallback)) {
  for (const auto& text : k_builtin) {
    m_keys.emplace(text.english(), text.key);
    m_texts["en"][std::string(text.key)] = text.english();
    m_texts["de"][std::string(text.key)] = std::string(text.de);
    m_texts["fr"][std::string(text.key)] = std::string(text.fr);
    m_texts["es"][std::string(text.key)] = std::string(text.es);
  }
}

std::optional<std::string> VisitorTexts::set(std::string_view language, std::string_view key,
                                             std::string text) {
  const auto found = std::find_if(k_builtin.begin(), k_builtin.end(),
                                  [&](const Builtin& builtin) { return builtin.key == key; });
  if (found == k_builtin.end()) {
    std::string known;
    for (const auto& builtin : k_builtin)
      known += (known.empty() ? "" : ", ") + std::string(builtin.key);
    return "unknown text '" + std::string(key) + "' (known: " + known + ")";
  }
  if (!is_language(primary(language)) || primary(language).size() != language.size()) {
    return "'" + std::string(language) + "' is not a language (a section is one, like [de])";
  }
  if (text.empty()) return "the text of '" + std::string(key) + "' is empty";
  m_texts[primary(language)][std::string(key)] = std::move(text);
  return std::nullopt;
}

std::string VisitorTexts::translate(std::string_view english, std::string_view language) const {
  const auto found = m_keys.find(english);  // once per system line read: no texts rebuilt
  if (found == m_keys.end()) return std::string(english);
  for (const auto& chosen : {primary(language), m_fallback}) {
    const auto texts = m_texts.find(chosen);
    if (texts == m_texts.end()) continue;
    const auto text = texts->second.find(found->second);
    if (text != texts->second.end()) return text->second;
  }
  return std::string(english);
}

std::vector<std::string_view> VisitorTexts::keys() {
  std::vector<std::string_view> keys;
  for (const auto& builtin : k_builtin) keys.push_back(builtin.key);
  return keys;
}

}  // namespace seshat::core::texts
