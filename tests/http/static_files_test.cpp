#include "http/static_files.hpp"

#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace seshat::http {
namespace {

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    (void)m_temp.write("widget.js", "console.log(1);");
    (void)m_temp.write("index.html", R"(<script src="/seshat/widget.js" defer></script>)");
  }
  testing::TempDir m_temp;
  const std::filesystem::path& m_dir = m_temp.path();
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
