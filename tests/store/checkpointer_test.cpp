// The checkpointer copies the write-ahead log into the database file on its own thread.
#include "store/checkpointer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "temp_dir.hpp"

namespace seshat::store {
namespace {

using namespace std::chrono_literals;

// Waits for `done`, checking every millisecond; false after two seconds.
template <class Done>
bool eventually(Done done) {
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);  // polling a counter, not a synchronisation by sleep
  }
  return true;
}

TEST(Checkpointer, CopiesCommitsIntoTheDatabaseFileAndIdlesWithoutThem) {
  testing::TempDir dir;
  const auto path = dir.file("seshat.db");
  auto writer = open_sqlite_store(path);
  const auto size_before = std::filesystem::file_size(path);
  // Few enough log pages that SQLite's own checkpoint (at 1,000) does not start.
  for (int i = 0; i < 20; ++i) (void)writer->create_chat(NewChat{"Ann", "Hello?", "/", "hash"});
  ASSERT_EQ(std::filesystem::file_size(path), size_before) << "commits stay in the WAL at first";

  const Checkpointer checkpointer(open_sqlite_store(path), 5ms);
  ASSERT_TRUE(eventually([&] { return checkpointer.runs() >= 1; }));
  EXPECT_TRUE(eventually([&] { return std::filesystem::file_size(path) > size_before; }))
      << "the pages reached the database file";

  // No commit since: no more checkpoints, however many periods pass.
  const auto runs = checkpointer.runs();
  std::this_thread::sleep_for(50ms);  // ten periods that must do nothing
  EXPECT_EQ(checkpointer.runs(), runs);

  (void)writer->create_chat(NewChat{"Bob", "", "/", "hash"});
  EXPECT_TRUE(eventually([&] { return checkpointer.runs() > runs; }));
}

TEST(Checkpointer, StopsAtOnce) {
  testing::TempDir dir;
  const auto started = std::chrono::steady_clock::now();
  { const Checkpointer checkpointer(open_sqlite_store(dir.file("seshat.db")), 1h); }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

}  // namespace
}  // namespace seshat::store
