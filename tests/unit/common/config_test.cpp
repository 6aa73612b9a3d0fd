#include "common/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace gj;

TEST(Config, key_value_lines_with_comments_and_quotes_are_read) {
  auto s = config::parse(
      "# Gongjian\nlisten = 0.0.0.0:8080\n\ndb=\"/var/lib/gongjian/g.db\"\n"
      "secure-cookies = true\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->at("listen"), "0.0.0.0:8080");
  EXPECT_EQ(s->at("db"), "/var/lib/gongjian/g.db");
  EXPECT_EQ(s->at("secure-cookies"), "true");
}

TEST(Config, a_malformed_line_is_reported_with_its_number) {
  auto s = config::parse("listen = x\nthis is not a setting\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().detail.find("line 2"), std::string::npos);
  EXPECT_FALSE(config::parse("Listen = x\n").ok());
}

TEST(Config, the_environment_overrides_the_file) {
  config::Settings file{{"workers", "8"}, {"web", "/opt/web"}};
  ::setenv("GONGJIAN_WORKERS", "32", 1);
  EXPECT_EQ(*config::lookup("workers", file), "32");
  EXPECT_EQ(*config::lookup("web", file), "/opt/web");
  EXPECT_FALSE(config::lookup("postgres", file).has_value());
  ::unsetenv("GONGJIAN_WORKERS");
  EXPECT_EQ(*config::lookup("workers", file), "8");
  EXPECT_EQ(config::env_name("secure-cookies"), "GONGJIAN_SECURE_COOKIES");
}
