#pragma once
// libstrophe's log, routed into spdlog. libstrophe logs every stanza it sends, SASL included,
// so lines that could carry the password are redacted before they reach any sink.

#include <strophe.h>

#include <string>
#include <string_view>

namespace seshat::xmpp {

// The text to log for one libstrophe line: SASL exchanges replaced by a marker, and any
// occurrence of the password masked.
[[nodiscard]] std::string redact_strophe_line(std::string_view line, std::string_view password);

// An xmpp_log_t whose userdata points at `password`, which must outlive every context using it.
class StropheLog {
 public:
  explicit StropheLog(const std::string& password);
  [[nodiscard]] const xmpp_log_t* get() const { return &m_log; }
  // libstrophe formats each line before any handler could decline it, every batch of stanzas
  // sent included (twice over when it is longer than 1 KiB): without a handler it skips that,
  // and logs nothing.
  void set_silent(bool silent);

 private:
  xmpp_log_t m_log;
};

}  // namespace seshat::xmpp
