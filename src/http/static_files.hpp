#pragma once
// The widget's files (widget.js, widget.css, index.html), read once from web_root when the
// gateway starts, so no file I/O happens on the io threads. Each has its content type, its
// caching policy and an ETag (for If-None-Match -> 304).

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace seshat::http {

struct StaticFile {
  std::string body;
  std::string content_type;
  std::string cache_control;
  std::string etag;  // a quoted strong ETag
};

struct WidgetFiles {
  std::optional<StaticFile> widget_js;
  std::optional<StaticFile> widget_css;
  std::optional<StaticFile> demo_page;
};

// Missing files stay nullopt (served as 404). index.html refers to "/seshat/..."; when `prefix`
// is another one, those references are rewritten to it.
[[nodiscard]] WidgetFiles load_widget_files(const std::filesystem::path& web_root,
                                            std::string_view prefix);

// The Content-Security-Policy of the demo page: nothing but this origin's script, style and API.
inline constexpr std::string_view k_demo_page_csp =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

}  // namespace seshat::http
