#pragma once
// A Store that hands every call to a real one: a test derives from it and overrides only the
// call it makes fail or watches (store/forwarding_store.hpp).

#include "store/forwarding_store.hpp"

namespace seshat::testing {

using ForwardingStore = store::ForwardingStore;

}  // namespace seshat::testing
