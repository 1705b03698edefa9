#pragma once
// What every fuzz target uses to state an invariant: when it does not hold, say which one and
// abort, so that libFuzzer records the input as a crash (in build-fuzz/artifacts/).

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace seshat::fuzz {

inline void require(bool holds, std::string_view invariant, std::string_view detail = {}) {
  if (holds) return;
  std::fprintf(stderr, "\nINVARIANT BROKEN: %.*s\n", static_cast<int>(invariant.size()),
               invariant.data());
  if (!detail.empty())
    std::fprintf(stderr, "  detail: %.*s\n", static_cast<int>(detail.size()), detail.data());
  std::abort();
}

}  // namespace seshat::fuzz
