// The citizen's attachment token 附件凭证 is written inside the intake's own write transaction
// (IntakeInput::in_transaction), on real SQLite and PostgreSQL with the shared request fixture:
// an acknowledged intake has its token row, a failing token write leaves no ticket behind, and a
// replayed intake (same Idempotency-Key) gets a fresh token for the same ticket.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "domain/auth/passwords.hpp"
#include "requests_fixture.hpp"

using namespace gj;
using gj::testing::kCounty;
using gj::testing::kLat;
using gj::testing::kLon;
using gj::testing::RequestsFixture;
using nlohmann::json;

namespace {

class IntakeToken : public RequestsFixture {
 protected:
  std::string intake_body() {
    return json{{"channel", "citizen"},  {"county_code", kCounty},     {"category", "0106"},
                {"subject", "路灯不亮"}, {"text", "东门路灯坏了一周"}, {"lat", kLat},
                {"lon", kLon},           {"phone", "13812345678"}}
        .dump();
  }
  // The ticket a token's hash is stored for, or 0.
  int64_t token_ticket(const std::string& token) {
    return *db_->read_value<int64_t>([&](store::Session& s) -> Result<int64_t> {
      auto r = s.query_one("SELECT ticket_id FROM attachment_tokens WHERE token_hash = $1",
                           {auth::sha256_hex(token)});
      if (!r.ok()) return r.error().code == ErrorCode::kNotFound ? Result<int64_t>(0) : r.error();
      return r->i64(0);
    });
  }
};

TEST_P(IntakeToken, an_acknowledged_intake_has_its_token_stored_for_its_ticket) {
  auto r = call("POST", "/api/v1/requests", intake_body());
  ASSERT_EQ(r.status, 201) << r.body;
  auto j = json::parse(r.body);
  ASSERT_TRUE(j["attachment_token"].is_string()) << r.body;
  EXPECT_TRUE(j["attachment_token_expires_at"].is_string());
  EXPECT_EQ(token_ticket(j["attachment_token"]), j["request"]["id"].get<int64_t>());
}

TEST_P(IntakeToken, a_failing_write_in_the_intake_transaction_leaves_no_ticket) {
  int64_t tickets = count("tickets"), events = count("ticket_events");
  app::IntakeInput in = pothole();
  in.idempotency_key = "k-rollback";
  in.in_transaction = [](store::Session&, int64_t) -> Status {
    return make_error(ErrorCode::kIo, "token write failed");
  };
  auto r = app_->requests().submit(citizen(), in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(count("tickets"), tickets);
  EXPECT_EQ(count("ticket_events"), events);
  EXPECT_EQ(count("idempotency_keys"), 0);
  // The same key then works: nothing of the failed attempt was kept.
  in.in_transaction = nullptr;
  auto ok = app_->requests().submit(citizen(), in);
  ASSERT_TRUE(ok.ok()) << ok.error().detail;
  EXPECT_FALSE(ok->replayed);
}

TEST_P(IntakeToken, a_replayed_intake_gets_a_fresh_token_for_the_same_ticket) {
  auto first = call("POST", "/api/v1/requests", intake_body(), "replay-key-1");
  ASSERT_EQ(first.status, 201) << first.body;
  auto again = call("POST", "/api/v1/requests", intake_body(), "replay-key-1");
  ASSERT_EQ(again.status, 200) << again.body;
  auto a = json::parse(first.body), b = json::parse(again.body);
  EXPECT_TRUE(b["replayed"].get<bool>());
  ASSERT_TRUE(a["attachment_token"].is_string());
  ASSERT_TRUE(b["attachment_token"].is_string());
  EXPECT_NE(a["attachment_token"], b["attachment_token"]);
  int64_t id = a["request"]["id"];
  EXPECT_EQ(b["request"]["id"].get<int64_t>(), id);
  EXPECT_EQ(token_ticket(a["attachment_token"]), id);  // the first stays valid
  EXPECT_EQ(token_ticket(b["attachment_token"]), id);
}

INSTANTIATE_TEST_SUITE_P(Backends, IntakeToken,
                         ::testing::Values(gj::testing::Backend::kSqlite,
                                           gj::testing::Backend::kPostgres),
                         [](const auto& info) { return gj::testing::backend_name(info.param); });

}  // namespace
