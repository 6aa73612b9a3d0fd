#include <gtest/gtest.h>

#include "http/body.hpp"

namespace http = gj::http;
using gj::ErrorCode;
using nlohmann::json;

TEST(Form, an_open311_style_form_body_is_decoded) {
  auto p = http::parse_urlencoded(
      "service_code=001&description=%E8%B7%AF%E7%81%AF%E4%B8%8D%E4%BA%AE+%E5%B7%B2%E4%B8%A4%E5%A4%"
      "A9"
      "&lat=34.08&long=109.11&media_url=&attribute%5Bkind%5D=lamp");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->find("description")->second, "路灯不亮 已两天");
  EXPECT_EQ(p->find("attribute[kind]")->second, "lamp");
  EXPECT_EQ(p->find("media_url")->second, "");
  EXPECT_EQ(p->size(), 6u);
}

TEST(Form, a_broken_percent_escape_is_bad_request) {
  for (auto text : {"a=%", "a=%4", "a=%G1", "%zz=1"}) {
    auto p = http::parse_urlencoded(text);
    ASSERT_FALSE(p.ok()) << text;
    EXPECT_EQ(p.error().code, ErrorCode::kBadRequest) << text;
  }
}

TEST(Form, invalid_utf8_in_a_value_names_the_field) {
  auto p = http::parse_urlencoded("ok=1&name=%E4%B8");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kInvalidUtf8);
  EXPECT_EQ(p.error().field, "name");
  auto overlong = http::parse_urlencoded("x=%C0%AF");
  ASSERT_FALSE(overlong.ok());
  EXPECT_EQ(overlong.error().code, ErrorCode::kInvalidUtf8);
}

TEST(Json, invalid_utf8_is_reported_as_such_and_not_as_bad_json) {
  auto r = http::parse_json("{\"title\":\"\xE4\xB8\"}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidUtf8);
}

TEST(Json, a_syntax_error_is_bad_json_and_a_non_object_is_refused_where_an_object_is_needed) {
  auto r = http::parse_json("{\"a\":1,}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kBadJson);
  EXPECT_TRUE(http::parse_json("[1,2]").ok());
  auto arr = http::parse_json_object("[1,2]");
  ASSERT_FALSE(arr.ok());
  EXPECT_EQ(arr.error().code, ErrorCode::kBadJson);
  EXPECT_FALSE(http::parse_json("").ok());
}

TEST(JsonFields, strings_are_checked_for_presence_type_and_length_in_characters) {
  json body = {{"title", "路灯坏了"}, {"n", 3}, {"empty", nullptr}};
  http::JsonFields f(body);
  auto t = f.required_string("title", 4);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, "路灯坏了");  // 4 characters, 12 bytes: fits
  auto too_long = f.required_string("title", 3);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::kTooLong);
  EXPECT_EQ(too_long.error().field, "title");
  auto missing = f.required_string("body", 10);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kMissingField);
  EXPECT_EQ(missing.error().field, "body");
  auto null_required = f.required_string("empty", 10);
  EXPECT_EQ(null_required.error().code, ErrorCode::kMissingField);
  auto wrong = f.required_string("n", 10);
  EXPECT_EQ(wrong.error().code, ErrorCode::kWrongType);
  EXPECT_EQ(wrong.error().field, "n");
  auto opt = f.optional_string("body", 10);
  ASSERT_TRUE(opt.ok());
  EXPECT_FALSE(opt->has_value());
}

TEST(JsonFields, a_string_built_with_invalid_utf8_is_refused) {
  json body;
  body["name"] = std::string("\xFF\xFE");
  http::JsonFields f(body);
  auto r = f.required_string("name", 10);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidUtf8);
  EXPECT_EQ(r.error().field, "name");
}

TEST(JsonFields, integers_booleans_and_enums_are_typed) {
  json body = {{"age", 42},  {"neg", -5},        {"float", 1.5},        {"text", "7"},
               {"ok", true}, {"status", "open"}, {"bad_status", "gone"}};
  http::JsonFields f(body);
  EXPECT_EQ(*f.required_int("age", 0, 150), 42);
  EXPECT_EQ(f.required_int("neg", 0, 150).error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(f.required_int("float").error().code, ErrorCode::kWrongType);
  EXPECT_EQ(f.required_int("text").error().code, ErrorCode::kWrongType);
  EXPECT_EQ(f.required_int("none").error().code, ErrorCode::kMissingField);
  EXPECT_FALSE(f.optional_int("none")->has_value());
  EXPECT_TRUE(*f.required_bool("ok"));
  EXPECT_EQ(f.required_bool("age").error().code, ErrorCode::kWrongType);
  EXPECT_EQ(*f.required_enum("status", {"open", "closed"}), "open");
  auto bad = f.required_enum("bad_status", {"open", "closed"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(bad.error().field, "bad_status");
  EXPECT_FALSE(f.optional_enum("none", {"open"})->has_value());
}

TEST(JsonFields, a_location_is_two_optional_numbers_within_the_globe) {
  auto read = [](const json& body) { return http::JsonFields(body).optional_lat_lon(); };
  auto both = read({{"lat", 33.58}, {"lon", 109.07}});
  ASSERT_TRUE(both.ok());
  EXPECT_DOUBLE_EQ(*both->lat, 33.58);
  EXPECT_DOUBLE_EQ(*both->lon, 109.07);
  auto none = read({{"lat", nullptr}});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->lat || none->lon);
  auto edge = read({{"lat", -90}, {"lon", 180}});
  ASSERT_TRUE(edge.ok());
  EXPECT_DOUBLE_EQ(*edge->lon, 180);
  for (const json& bad : {json{{"lat", 90.5}}, json{{"lon", -180.01}}, json{{"lat", 1e300}}}) {
    auto r = read(bad);
    ASSERT_FALSE(r.ok()) << bad.dump();
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(r.error().field, "location");
  }
  auto text = read({{"lat", 33.5}, {"lon", "109"}});
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().code, ErrorCode::kWrongType);
  EXPECT_EQ(text.error().field, "lon");
}
