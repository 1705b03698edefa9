#include "http/static_files.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

namespace seshat::http {
namespace {

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "seshat-web-XXXXXX").string();
    m_dir = ::mkdtemp(pattern.data());
    write("widget.js", "console.log(1);");
    write("index.html", R"(<script src="/seshat/widget.js" defer></script>)");
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }
  void write(const char* name, const std::string& text) { std::ofstream(m_dir / name) << text; }
  std::filesystem::path m_dir;
};

TEST_F(StaticFilesTest, LoadsWithTypesAndEtags) {
  const auto files = load_widget_files(m_dir, "/seshat");
  ASSERT_TRUE(files.widget_js);
  EXPECT_EQ(files.widget_js->body, "console.log(1);");
  EXPECT_EQ(files.widget_js->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(files.widget_js->etag.size(), 18u);
  EXPECT_FALSE(files.widget_css) << "a missing file is served as 404";
  ASSERT_TRUE(files.demo_page);
  EXPECT_EQ(files.demo_page->cache_control, "no-cache");
}

TEST_F(StaticFilesTest, DemoPageFollowsThePrefix) {
  const auto files = load_widget_files(m_dir, "/chat");
  ASSERT_TRUE(files.demo_page);
  EXPECT_EQ(files.demo_page->body, R"(<script src="/chat/widget.js" defer></script>)");
  const auto original = load_widget_files(m_dir, "/seshat");
  EXPECT_NE(files.demo_page->etag, original.demo_page->etag);
}

}  // namespace
}  // namespace seshat::http
