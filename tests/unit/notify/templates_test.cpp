// Notification templates 消息模板: zh-CN and en for every kind the lifecycle emits, field
// cleaning, RFC 2047 headers and the SMTP message form.
#include <gtest/gtest.h>

#include "domain/notify/templates.hpp"

using namespace gj;
using notify::Audience;

TEST(NotifyTemplates, every_kind_the_lifecycle_emits_has_zh_and_en_templates) {
  for (const char* kind :
       {"ticket.dispatched", "ticket.returned", "ticket.replied", "ticket.reopened",
        "ticket.escalated", "ticket.whistle", "ticket.reported_in", "ticket.withdrawn",
        "ticket.supervised", "deadline.warning"}) {
    for (const char* lang : {"zh-CN", "en"}) {
      bool found = false;
      for (const auto& t : notify::templates())
        found = found || (t.kind == kind && t.language == lang && t.audience == Audience::kStaff);
      EXPECT_TRUE(found) << kind << " " << lang;
    }
  }
  for (const char* kind : {"ticket.replied", "ticket.completed", "ticket.callback_missed"})
    for (const char* lang : {"zh-CN", "en"}) {
      auto m = notify::render(kind, Audience::kCitizen, lang, {{"code", "ZS1"}});
      ASSERT_TRUE(m.ok()) << kind;
      EXPECT_NE(m->body.find("ZS1"), std::string::npos);
    }
}

TEST(NotifyTemplates, new_work_renders_in_chinese_and_english_with_its_fields) {
  notify::Fields f = {{"subject", "垃圾堆放"}, {"code", "ZS-42"}, {"deadline", "2025-12-01 17:30"}};
  auto zh = notify::render("ticket.dispatched", Audience::kStaff, "zh-CN", f);
  ASSERT_TRUE(zh.ok());
  EXPECT_EQ(zh->subject, "新诉求工单：垃圾堆放");
  EXPECT_EQ(zh->body,
            "您有一件新的诉求工单：垃圾堆放（编号 ZS-42），请于 2025-12-01 17:30 前签收。");
  auto en = notify::render("ticket.dispatched", Audience::kStaff, "en", f);
  ASSERT_TRUE(en.ok());
  EXPECT_EQ(en->subject, "New request: 垃圾堆放");
  EXPECT_NE(en->body.find("claim it by 2025-12-01 17:30"), std::string::npos);
  // An unknown language falls back to zh-CN; an unknown kind is an error.
  auto fr = notify::render("ticket.dispatched", Audience::kStaff, "fr", f);
  ASSERT_TRUE(fr.ok());
  EXPECT_EQ(fr->subject, zh->subject);
  EXPECT_FALSE(notify::render("ticket.nope", Audience::kStaff, "en", f).ok());
}

TEST(NotifyTemplates, user_text_loses_control_characters_and_is_cut) {
  auto m = notify::render("ticket.escalated", Audience::kStaff, "en",
                          {{"subject", "a\r\nBcc: evil@example.com"}, {"note", "x\ty\x01z"}});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->subject, "Request escalated: a Bcc: evil@example.com");
  EXPECT_EQ(m->subject.find('\n'), std::string::npos);
  EXPECT_NE(m->body.find("x yz"), std::string::npos);
  std::string long_text(300, 'a');
  EXPECT_EQ(notify::clean_text(long_text, 10), "aaaaaaaaaa…");
  EXPECT_EQ(notify::clean_text("\xff\xfe"), "");  // invalid UTF-8 never reaches a channel
}

TEST(NotifyTemplates, headers_are_rfc2047_words_split_on_character_boundaries) {
  EXPECT_EQ(notify::encode_header("Plain subject"), "Plain subject");
  std::string zh;
  for (int i = 0; i < 40; ++i) zh += "诉";  // 120 bytes: three words
  auto h = notify::encode_header(zh);
  EXPECT_EQ(h.rfind("=?UTF-8?B?", 0), 0u);
  size_t words = 0, start = 0;
  for (;;) {
    size_t end = h.find("\r\n ", start);
    std::string w = h.substr(start, end == std::string::npos ? std::string::npos : end - start);
    EXPECT_LE(w.size(), 75u) << w;
    EXPECT_EQ(w.substr(w.size() - 2), "?=");
    ++words;
    if (end == std::string::npos) break;
    start = end + 3;
  }
  EXPECT_EQ(words, 3u);
  // "诉" is E8 AF 89: 45 bytes per word keeps each word on whole characters (15 of them).
  EXPECT_EQ(notify::encode_header("诉"), "=?UTF-8?B?6K+J?=");
}

TEST(NotifyTemplates, a_mail_has_crlf_lines_and_dot_stuffing_so_data_cannot_end_early) {
  notify::Mail m;
  m.from = "noreply@gov.example";
  m.to = "zhang@example.com";
  m.subject = "您的诉求已办结";
  m.body = "line one\n.\n.hidden\nlast";
  auto data = notify::format_mail(m);
  EXPECT_NE(data.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(data.find("Content-Type: text/plain; charset=UTF-8\r\n"), std::string::npos);
  EXPECT_NE(data.find("\r\n\r\nline one\r\n..\r\n..hidden\r\nlast\r\n"), std::string::npos);
  EXPECT_EQ(data.find("\r\n.\r\n"), std::string::npos);
  EXPECT_TRUE(notify::is_plain_address("a.b@c.cn"));
  EXPECT_FALSE(notify::is_plain_address("a@b>\r\nRCPT TO:<c@d"));
  EXPECT_FALSE(notify::is_plain_address("no-at-sign"));
}
