#pragma once
// A fresh directory for one test's SQLite files, removed with everything in it afterwards.

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace seshat::client::testing {

class TempDb {
 public:
  TempDb() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "seshat-client-XXXXXX").string();
    m_dir = ::mkdtemp(pattern.data());
  }
  ~TempDb() {
    std::error_code ignored;
    std::filesystem::remove_all(m_dir, ignored);
  }
  TempDb(const TempDb&) = delete;
  TempDb& operator=(const TempDb&) = delete;

  [[nodiscard]] std::string path() const { return (m_dir / "seshat.db").string(); }
  [[nodiscard]] const std::filesystem::path& dir() const { return m_dir; }

 private:
  std::filesystem::path m_dir;
};

}  // namespace seshat::client::testing
