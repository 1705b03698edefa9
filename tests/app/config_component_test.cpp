// Component mode's keys: component, component_secret (SESHAT_COMPONENT_SECRET),
// component_server.
#include <gtest/gtest.h>

#include <map>

#include "app/config.hpp"
#include "config_parsing.hpp"

namespace seshat::app {
namespace {

using config_testing::env_of;
using config_testing::seeded::error_of;
using config_testing::seeded::parse;

TEST(ComponentConfig, IsOffByDefault) {
  const auto config = parse("");
  EXPECT_FALSE(config.component.enabled());
  EXPECT_EQ(config.component.server.host, "127.0.0.1");
  EXPECT_EQ(config.component.server.port, 5347);
  // Without component the other two keys are allowed and unused (as the mail keys without smtp).
  EXPECT_FALSE(
      parse("component_secret = s\ncomponent_server = 10.0.0.1:5999\n").component.enabled());
}

TEST(ComponentConfig, ReadsTheThreeKeys) {
  const auto config = parse(
      "seshat_component = Chat.Example.com\ncomponent_secret = s3cret\n"
      "component_server = 10.0.0.5\n");
  EXPECT_TRUE(config.component.enabled());
  EXPECT_EQ(config.component.domain, "chat.example.com");
  EXPECT_EQ(config.component.secret, "s3cret");
  EXPECT_EQ(config.component.server.host, "10.0.0.5");
  EXPECT_EQ(config.component.server.port, 5347);
  EXPECT_EQ(parse("component = chat.example.com\ncomponent_secret = s\n"
                  "component_server = [::1]:6000\n")
                .component.server.port,
            6000);
}

TEST(ComponentConfig, EnvironmentOverridesTheSecret) {
  EXPECT_EQ(parse("component = chat.example.com\ncomponent_secret = file\n",
                  env_of({{"SESHAT_COMPONENT_SECRET", "env"}}))
                .component.secret,
            "env");
  EXPECT_EQ(parse("component = chat.example.com\n", env_of({{"SESHAT_COMPONENT_SECRET", "env"}}))
                .component.secret,
            "env");
}

TEST(ComponentConfigError, OneLineEach) {
  EXPECT_EQ(error_of("component = chat.example.com\n"),
            "sample.ini: [Seshat] component_secret: missing (required with component; or set "
            "the environment variable SESHAT_COMPONENT_SECRET)");
  EXPECT_EQ(error_of("component = chat.example.com\ncomponent_secret =\n",
                     env_of({{"SESHAT_COMPONENT_SECRET", ""}})),
            "sample.ini:7: [Seshat] component_secret: empty");
  EXPECT_EQ(error_of("component = chat@example.com\ncomponent_secret = s\n"),
            "sample.ini:6: [Seshat] component: 'chat@example.com' is not a domain (expected a "
            "name such as chat.example.com, without '@' or '/')");
  EXPECT_EQ(error_of("component = chat..example.com\ncomponent_secret = s\n"),
            "sample.ini:6: [Seshat] component: 'chat..example.com' is not a valid domain "
            "(expected a name such as chat.example.com)");
  EXPECT_EQ(error_of("component = example.com\ncomponent_secret = s\n"),
            "sample.ini:6: [Seshat] component: must be a domain of its own (such as "
            "chat.example.com), not the domain of username");
  try {
    (void)parse_config(
        "[Seshat]\nsqlitedb = /tmp/s.db\nlocalusers = joe@help.example.com\n"
        "username = webchat@example.com\npassword = pw\ncomponent = help.example.com\n"
        "component_secret = s\n",
        "sample.ini", "Seshat", env_of({}));
    ADD_FAILURE() << "an operator's domain was taken as the component";
  } catch (const ConfigError& error) {
    EXPECT_STREQ(error.what(),
                 "sample.ini:6: [Seshat] component: must be a domain of its own, not the domain "
                 "of the operator joe@help.example.com");
  }
  EXPECT_EQ(error_of("component = chat.example.com\ncomponent_secret = s\n"
                     "component_server = 127.0.0.1:99999\n"),
            "sample.ini:8: [Seshat] component_server: bad port '99999' (expected 1 to 65535)");
  EXPECT_EQ(error_of("componnet = chat.example.com\n"),
            "sample.ini:6: [Seshat] componnet: unknown key (a typo for 'component'?)");
}

}  // namespace
}  // namespace seshat::app
