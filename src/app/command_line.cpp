#include "app/command_line.hpp"

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "app/config.hpp"
#include "app/services.hpp"
#include "store/store.hpp"

namespace seshat::app {
namespace {

struct Invocation {
  std::string config_path;
  std::string section;
  std::string log_level;
};

CLI::App* add_mode(CLI::App& app, const char* name, const char* description,
                   Invocation& invocation) {
  auto* sub = app.add_subcommand(name, description);
  sub->add_option("CONFIG", invocation.config_path, "INI configuration file")->required();
  sub->add_option("SECTION", invocation.section, "section of CONFIG to read, e.g. Seshat")
      ->required();
  sub->add_option("--log-level", invocation.log_level,
                  "trace, debug, info, warn or error (overrides the log_level key)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  return sub;
}

}  // namespace

int run_command_line(int argc, char** argv) {
  CLI::App app{
      "Seshat: live chat for websites, carried over XMPP.\n"
      "Visitors chat in a web widget; operators answer from their own XMPP client."};
  app.set_version_flag("--version", std::string("seshat ") + SESHAT_VERSION);
  app.require_subcommand(1);
  Invocation invocation;
  auto* broker =
      add_mode(app, "broker", "Run the broker bot only (the seed's server.py)", invocation);
  auto* web = add_mode(app, "web", "Run the HTTP gateway and widget only", invocation);
  auto* serve = add_mode(app, "serve", "Run the gateway and the broker in one process", invocation);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? k_exit_ok : k_exit_usage;
  }

  Config config;
  try {
    config = load_config(invocation.config_path, invocation.section);
  } catch (const ConfigError& error) {
    std::fprintf(stderr, "seshat: %s\n", error.what());
    return k_exit_usage;
  }
  if (!invocation.log_level.empty()) config.log_level = invocation.log_level;
  spdlog::set_level(spdlog::level::from_str(config.log_level));

  const Mode mode = broker->parsed() ? Mode::broker : web->parsed() ? Mode::web : Mode::serve;
  (void)serve;
  try {
    return run_services(mode, config);
  } catch (const store::StoreError& error) {
    spdlog::critical("store {}: {}", config.database.empty() ? config.sqlitedb : "(database)",
                     error.what());
  } catch (const std::exception& error) {
    spdlog::critical("{}", error.what());
  }
  return k_exit_failure;
}

}  // namespace seshat::app
