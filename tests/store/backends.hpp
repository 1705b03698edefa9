#pragma once
// Test support: the store tests run once per backend (SQLite, PostgreSQL), so that the two
// cannot drift. A TestDatabase is a fresh, empty database of one backend; open() connects to it
// as many times as a test needs (several connections, as several processes would).
//
// PostgreSQL: ctest's fixture (tests/store/pg_fixture.py) starts one throwaway cluster for the
// run and names its state directory in SESHAT_TEST_PG_STATE; each TestDatabase is a new
// database in it (created with psql). Without the server binaries, or outside ctest, the
// PostgreSQL half is skipped with a message saying why.

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>

#include "store/store.hpp"
#include "temp_dir.hpp"

namespace seshat::testing {

enum class Backend { sqlite, postgresql };

inline void PrintTo(Backend backend, std::ostream* out) {
  *out << (backend == Backend::sqlite ? "SQLite" : "PostgreSQL");
}

[[nodiscard]] inline auto all_backends() {
  return ::testing::Values(Backend::sqlite, Backend::postgresql);
}
[[nodiscard]] std::string backend_name(const ::testing::TestParamInfo<Backend>& info);

class TestDatabase {
 public:
  explicit TestDatabase(Backend backend);
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // Empty when the backend can be used; otherwise why not (the test skips with it).
  [[nodiscard]] const std::string& unavailable() const { return m_unavailable; }
  // A new connection; nullptr when unavailable.
  [[nodiscard]] std::unique_ptr<store::Store> open() const;
  [[nodiscard]] const std::string& location() const { return m_location; }

 private:
  TempDir m_dir;
  std::string m_location;
  std::string m_unavailable;
};

// A test fixture base: skips in SetUp when the backend is unavailable.
class BackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (!m_db.unavailable().empty()) GTEST_SKIP() << m_db.unavailable();
  }
  TestDatabase m_db{GetParam()};
};

}  // namespace seshat::testing
