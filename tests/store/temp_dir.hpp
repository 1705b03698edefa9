#pragma once
// Test support: a fresh directory for database files, removed with everything in it.

#include <filesystem>
#include <string>

namespace seshat::store::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return m_path; }
  // A file name inside the directory, as the string Store functions take.
  [[nodiscard]] std::string file(const std::string& name) const { return (m_path / name).string(); }

 private:
  std::filesystem::path m_path;
};

}  // namespace seshat::store::testing
