#pragma once
// What the core asks the store to show an operator (!HISTORY, !INFO, a transfer's history):
// the core decides SendHistory / SendInfo, and before the store applies the batch the broker
// reads what they show and turns each into a SendToOperator with the core's texts.

#include "core/action.hpp"
#include "store/store.hpp"

namespace seshat::app {

struct LookupOptions {
  bool show_ip = false;           // !INFO shows the visitor's address (show_ip)
  std::int64_t block_hours = 24;  // how long !BLOCK lasts
};

// Replaces every SendHistory and SendInfo in `actions` by the SendToOperator it stands for
// (several when long: core::fit_to_stanzas).
// `now`: Unix milliseconds (the visitor's local time, ages). Throws store::StoreError.
void resolve_lookups(core::Actions& actions, store::Store& store, store::Millis now,
                     const LookupOptions& options);

}  // namespace seshat::app
