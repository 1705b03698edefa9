#pragma once
// Test support for every test folder: a fresh directory for one test's files (SQLite databases,
// configuration files), removed with everything in it when the TempDir goes.

#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

namespace seshat::testing {

class TempDir {
 public:
  TempDir() {
    auto pattern = (std::filesystem::temp_directory_path() / "seshat-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), "mkdtemp");
    }
    m_path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return m_path; }
  // A file name inside the directory, as the string Store functions take.
  [[nodiscard]] std::string file(const std::string& name) const { return (m_path / name).string(); }
  // Writes `text` to the file `name` inside the directory; returns its path.
  [[nodiscard]] std::filesystem::path write(const std::string& name, std::string_view text) const {
    const auto path = m_path / name;
    std::ofstream(path) << text;
    return path;
  }

 private:
  std::filesystem::path m_path;
};

}  // namespace seshat::testing
