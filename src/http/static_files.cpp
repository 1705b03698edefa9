#include "http/static_files.hpp"

#include <cstdint>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace seshat::http {
namespace {

constexpr std::string_view k_default_prefix = "/seshat";

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string etag_of(std::string_view body) {
  std::uint64_t hash = 1469598103934665603ULL;  // FNV-1a: enough to tell versions apart
  for (const unsigned char c : body) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  std::ostringstream out;
  out << '"' << std::hex << std::setw(16) << std::setfill('0') << hash << '"';
  return out.str();
}

std::optional<StaticFile> load(const std::filesystem::path& path, std::string content_type,
                               std::string cache_control) {
  auto body = read_file(path);
  if (!body) return std::nullopt;
  StaticFile file{std::move(*body), std::move(content_type), std::move(cache_control), {}};
  file.etag = etag_of(file.body);
  return file;
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

}  // namespace

WidgetFiles load_widget_files(const std::filesystem::path& web_root, std::string_view prefix) {
  // Short max-age: the widget's URL carries no version, and a fix should reach pages soon.
  constexpr const char* k_asset_cache = "public, max-age=300";
  WidgetFiles files;
  files.widget_js = load(web_root / "widget.js", "text/javascript; charset=utf-8", k_asset_cache);
  files.widget_css = load(web_root / "widget.css", "text/css; charset=utf-8", k_asset_cache);
  files.demo_page = load(web_root / "index.html", "text/html; charset=utf-8", "no-cache");
  if (files.demo_page && prefix != k_default_prefix) {
    replace_all(files.demo_page->body, std::string("\"") + std::string(k_default_prefix) + "/",
                std::string("\"") + std::string(prefix) + "/");
    files.demo_page->etag = etag_of(files.demo_page->body);
  }
  return files;
}

}  // namespace seshat::http
