#include "backends.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace seshat::testing {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// psql: the server's own, else the one on PATH.
std::string psql() {
  for (const char* candidate : {"/usr/lib/postgresql/15/bin/psql", "/usr/bin/psql"}) {
    if (::access(candidate, X_OK) == 0) return candidate;
  }
  return "psql";
}

}  // namespace

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::sqlite ? "SQLite" : "PostgreSQL";
}

TestDatabase::TestDatabase(Backend backend) {
  if (backend == Backend::sqlite) {
    m_location = m_dir.file("seshat.db");
    return;
  }
  const char* state = std::getenv("SESHAT_TEST_PG_STATE");
  if (state == nullptr || *state == '\0') {
    m_unavailable =
        "SESHAT_TEST_PG_STATE is not set: run through ctest, whose fixture starts PostgreSQL";
    return;
  }
  if (const auto missing = read_file(std::string(state) + "/missing"); !missing.empty()) {
    m_unavailable = missing;
    return;
  }
  const auto admin = read_file(std::string(state) + "/uri");
  if (admin.empty()) {
    m_unavailable = std::string("no PostgreSQL cluster in ") + state + " (its fixture failed?)";
    return;
  }
  static std::atomic<int> counter{0};
  const auto name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  const auto command = psql() + " -X -q -v ON_ERROR_STOP=1 -d '" + admin +
                       "' -c 'CREATE DATABASE " + name + "' >/dev/null";
  if (std::system(command.c_str()) != 0) {
    m_unavailable = "cannot create database " + name + " on " + admin;
    return;
  }
  m_location = admin.substr(0, admin.rfind('/') + 1) + name;
}

std::unique_ptr<store::Store> TestDatabase::open() const {
  if (!m_unavailable.empty()) return nullptr;
  return store::open_store(m_location);
}

}  // namespace seshat::testing
