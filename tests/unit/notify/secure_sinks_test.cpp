// The notification sinks over TLS, against real local servers on 127.0.0.1 with certificates made
// by the `openssl` command for this run: SMTP with STARTTLS and with TLS from the first byte,
// AUTH PLAIN and LOGIN, and an https webhook. What must never happen is tested as carefully as
// what must: no plain-text fallback when STARTTLS is missing, no delivery to a server whose
// certificate is untrusted or names another host, no password over an unencrypted connection.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "app/notify_service.hpp"
#include "common/text.hpp"

using namespace gj;
namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace http = boost::beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;

namespace {

// A self-signed certificate (which is its own CA) for `subject_alt_name`, made once per run.
struct Cert {
  std::string cert, key;
};

Cert make_cert(const std::string& name, const std::string& subject_alt_name) {
  static const fs::path dir = [] {
    auto d = fs::temp_directory_path() / ("gj_tls_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  Cert c{(dir / (name + ".crt")).string(), (dir / (name + ".key")).string()};
  if (!fs::exists(c.cert)) {
    std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=" + name +
                      " -addext subjectAltName=" + subject_alt_name + " -keyout " + c.key +
                      " -out " + c.cert + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) ADD_FAILURE() << "openssl failed: " << cmd;
  }
  return c;
}

Cert localhost_cert() {
  return make_cert("gj-localhost", "IP:127.0.0.1,DNS:localhost");
}

// A small SMTP server: STARTTLS and/or TLS from the first byte, AUTH PLAIN/LOGIN, one message
// per connection recorded with the credentials that came with it.
class SecureSmtp {
 public:
  struct Options {
    bool implicit_tls = false;
    bool offer_starttls = true;
    std::string auth = "PLAIN LOGIN";  // mechanisms offered after TLS
    Cert cert = localhost_cert();
  };
  struct Mail {
    bool tls = false;
    std::string user, password, from, to, data;
  };

  explicit SecureSmtp(Options o)
      : o_(std::move(o)),
        ctx_(ssl::context::tls_server),
        acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    ctx_.use_certificate_chain_file(o_.cert.cert);
    ctx_.use_private_key_file(o_.cert.key, ssl::context::pem);
    thread_ = std::thread([this] { serve(); });
  }
  ~SecureSmtp() {
    stop_ = true;
    boost::system::error_code ec;
    tcp::socket poke(ioc_);
    poke.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }
  int port() const { return acceptor_.local_endpoint().port(); }
  std::vector<Mail> mails() {
    std::lock_guard lock(mu_);
    return mails_;
  }

 private:
  void serve() {
    while (!stop_) {
      ssl::stream<tcp::socket> s(ioc_, ctx_);
      boost::system::error_code ec;
      acceptor_.accept(s.next_layer(), ec);
      if (ec || stop_) return;
      session(s);
    }
  }
  void session(ssl::stream<tcp::socket>& s) {
    boost::system::error_code ec;
    bool tls = false;
    asio::streambuf in;
    auto say = [&](const std::string& text) {
      if (tls) {
        asio::write(s, asio::buffer(text), ec);
      } else {
        asio::write(s.next_layer(), asio::buffer(text), ec);
      }
    };
    auto line = [&]() -> std::string {
      if (tls) {
        asio::read_until(s, in, "\r\n", ec);
      } else {
        asio::read_until(s.next_layer(), in, "\r\n", ec);
      }
      if (ec) return "";
      std::istream is(&in);
      std::string l;
      std::getline(is, l);
      if (!l.empty() && l.back() == '\r') l.pop_back();
      return l;
    };
    if (o_.implicit_tls) {
      s.handshake(ssl::stream_base::server, ec);
      if (ec) return;
      tls = true;
    }
    Mail m;
    say("220 secure.smtp ESMTP\r\n");
    for (;;) {
      std::string l = line();
      if (ec) return;
      if (l.rfind("EHLO ", 0) == 0) {
        std::string caps = "250-secure.smtp\r\n";
        if (!tls && o_.offer_starttls) caps += "250-STARTTLS\r\n";
        if (tls && !o_.auth.empty()) caps += "250-AUTH " + o_.auth + "\r\n";
        say(caps + "250 8BITMIME\r\n");
      } else if (l == "STARTTLS" && !tls && o_.offer_starttls) {
        say("220 ready\r\n");
        s.handshake(ssl::stream_base::server, ec);
        if (ec) return;
        tls = true;
      } else if (l.rfind("AUTH PLAIN ", 0) == 0 && tls) {
        std::string raw;
        ASSERT_TRUE(base64_decode(l.substr(11), raw));
        size_t a = raw.find('\0', 1);
        m.user = raw.substr(1, a - 1);
        m.password = raw.substr(a + 1);
        say("235 ok\r\n");
      } else if (l == "AUTH LOGIN" && tls) {
        say("334 VXNlcm5hbWU6\r\n");
        base64_decode(line(), m.user);
        say("334 UGFzc3dvcmQ6\r\n");
        base64_decode(line(), m.password);
        say("235 ok\r\n");
      } else if (l.rfind("MAIL FROM:", 0) == 0) {
        if (!o_.auth.empty() && m.user.empty()) {
          say("530 authentication required\r\n");
          continue;
        }
        m.from = l.substr(10);
        say("250 ok\r\n");
      } else if (l.rfind("RCPT TO:", 0) == 0) {
        m.to = l.substr(8);
        say("250 ok\r\n");
      } else if (l == "DATA") {
        say("354 go ahead\r\n");
        if (tls) {
          asio::read_until(s, in, "\r\n.\r\n", ec);
        } else {
          asio::read_until(s.next_layer(), in, "\r\n.\r\n", ec);
        }
        if (ec) return;
        std::string all(asio::buffers_begin(in.data()), asio::buffers_end(in.data()));
        size_t end = all.find("\r\n.\r\n");
        m.data = all.substr(0, end + 2);
        m.tls = tls;
        in.consume(end + 5);
        {
          std::lock_guard lock(mu_);
          mails_.push_back(m);
        }
        say("250 queued\r\n");
      } else if (l == "QUIT") {
        say("221 bye\r\n");
        return;
      } else {
        say("500 what\r\n");
      }
    }
  }
  Options o_;
  asio::io_context ioc_;
  ssl::context ctx_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<Mail> mails_;
};

app::SmtpOptions options(int port, app::SmtpTls tls, const std::string& ca_file) {
  app::SmtpOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.tls = tls;
  o.ca_file = ca_file;
  o.user = "notify@zhashui.example";
  o.password = "Pass-word:汉字";
  o.timeout = std::chrono::milliseconds(5000);
  return o;
}

const std::string kData = "Subject: test\r\n\r\nhello\r\n";

}  // namespace

TEST(SecureSmtp, starttls_then_auth_plain_delivers_the_message_encrypted) {
  SecureSmtp server({});
  auto st = app::send_smtp(options(server.port(), app::SmtpTls::kStartTls, localhost_cert().cert),
                           "noreply@zhashui.example", "zhang@example.com", kData);
  ASSERT_TRUE(st.ok()) << st.error().detail;
  auto mails = server.mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_TRUE(mails[0].tls);
  EXPECT_EQ(mails[0].user, "notify@zhashui.example");
  EXPECT_EQ(mails[0].password, "Pass-word:汉字");
  EXPECT_EQ(mails[0].to, "<zhang@example.com>");
  EXPECT_EQ(mails[0].data, kData);
}

TEST(SecureSmtp, tls_from_the_first_byte_with_auth_login) {
  SecureSmtp::Options o;
  o.implicit_tls = true;
  o.offer_starttls = false;
  o.auth = "LOGIN";
  SecureSmtp server(o);
  auto st = app::send_smtp(options(server.port(), app::SmtpTls::kImplicit, localhost_cert().cert),
                           "noreply@zhashui.example", "zhang@example.com", kData);
  ASSERT_TRUE(st.ok()) << st.error().detail;
  auto mails = server.mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_TRUE(mails[0].tls);
  EXPECT_EQ(mails[0].user, "notify@zhashui.example");
  EXPECT_EQ(mails[0].password, "Pass-word:汉字");
}

TEST(SecureSmtp, a_server_that_does_not_offer_starttls_is_refused_not_used_in_clear) {
  SecureSmtp::Options o;
  o.offer_starttls = false;
  SecureSmtp server(o);
  auto st = app::send_smtp(options(server.port(), app::SmtpTls::kStartTls, localhost_cert().cert),
                           "noreply@zhashui.example", "zhang@example.com", kData);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().detail.find("STARTTLS"), std::string::npos) << st.error().detail;
  EXPECT_TRUE(server.mails().empty());
}

TEST(SecureSmtp, an_untrusted_certificate_is_refused) {
  SecureSmtp server({});
  // Trust another self-signed certificate only: the server's is then unknown.
  Cert other = make_cert("gj-other-ca", "DNS:other.example");
  auto st = app::send_smtp(options(server.port(), app::SmtpTls::kStartTls, other.cert),
                           "noreply@zhashui.example", "zhang@example.com", kData);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().detail.find("handshake"), std::string::npos) << st.error().detail;
  EXPECT_TRUE(server.mails().empty());
}

TEST(SecureSmtp, a_trusted_certificate_for_another_host_is_refused) {
  SecureSmtp::Options o;
  o.cert = make_cert("gj-wrong-host", "DNS:mail.other.example");
  SecureSmtp server(o);
  auto st = app::send_smtp(options(server.port(), app::SmtpTls::kStartTls, o.cert.cert),
                           "noreply@zhashui.example", "zhang@example.com", kData);
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(server.mails().empty());
}

TEST(SecureSmtp, a_password_never_goes_over_an_unencrypted_connection) {
  SecureSmtp server({});
  auto o = options(server.port(), app::SmtpTls::kNone, "");
  auto st = app::send_smtp(o, "noreply@zhashui.example", "zhang@example.com", kData);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidInput);
  EXPECT_TRUE(server.mails().empty());
}

TEST(NotifyConfig, tls_settings_are_checked_before_the_server_starts) {
  ::unsetenv("GONGJIAN_SMTP_PASSWORD");
  app::NotifySettings t;
  t.smtp_tls = "sometimes";
  EXPECT_FALSE(app::notify_config("", "mail.example:587", "", t).ok());

  t = {};
  t.smtp_user = "notify";  // no password anywhere
  t.smtp_tls = "starttls";
  auto r = app::notify_config("", "mail.example:587", "", t);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "smtp-user");

  ::setenv("GONGJIAN_SMTP_PASSWORD", "secret", 1);
  t.smtp_tls = "none";  // a password in clear is refused at start
  r = app::notify_config("", "mail.example:25", "", t);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "smtp-tls");

  t.smtp_tls = "starttls";
  r = app::notify_config("", "mail.example:587", "", t);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->smtp_tls, app::SmtpTls::kStartTls);
  EXPECT_EQ(r->smtp_password, "secret");
  ::unsetenv("GONGJIAN_SMTP_PASSWORD");

  t = {};
  t.sms_url = "sms.example/send";  // the SMS gateway needs an http(s) URL
  r = app::notify_config("", "", "", t);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "notify-sms");
  t.sms_url = "https://sms.example/send";
  r = app::notify_config("", "", "", t);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->sms_url, "https://sms.example/send");

  r = app::notify_config("", "mail.example:465", "", {});  // SMTPS port: TLS by default
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->smtp_tls, app::SmtpTls::kImplicit);

  EXPECT_FALSE(app::notify_config("ftp://hooks.example/x", "", "", {}).ok());
  EXPECT_TRUE(app::notify_config("https://hooks.example/x", "", "", {}).ok());
}

// An https server on 127.0.0.1 that answers one request 200 and records it.
class OneShotHttps {
 public:
  OneShotHttps()
      : ctx_(ssl::context::tls_server),
        acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    Cert cert = localhost_cert();
    ctx_.use_certificate_chain_file(cert.cert);
    ctx_.use_private_key_file(cert.key, ssl::context::pem);
    thread_ = std::thread([this] { serve(); });
  }
  ~OneShotHttps() { join(); }
  std::string url() const {
    return "https://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/hook";
  }
  // Waits for the one connection to end; then the fields below are final.
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  bool got_request = false;
  std::string key, body;

 private:
  void serve() {
    ssl::stream<tcp::socket> s(ioc_, ctx_);
    boost::system::error_code ec;
    acceptor_.accept(s.next_layer(), ec);
    if (ec) return;
    s.handshake(ssl::stream_base::server, ec);
    if (ec) return;
    boost::beast::flat_buffer buf;
    http::request<http::string_body> req;
    http::read(s, buf, req, ec);
    if (ec) return;
    got_request = true;
    key = std::string(req["Idempotency-Key"]);
    body = req.body();
    http::response<http::string_body> res{http::status::ok, 11};
    res.body() = "{}";
    res.prepare_payload();
    http::write(s, res, ec);
    s.shutdown(ec);
  }
  asio::io_context ioc_;
  ssl::context ctx_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

TEST(SecureWebhook, an_https_webhook_is_verified_and_delivered) {
  OneShotHttps server;
  auto st = app::send_webhook(server.url(), "42", R"({"kind":"ticket.dispatched"})",
                              std::chrono::milliseconds(5000), localhost_cert().cert);
  server.join();
  ASSERT_TRUE(st.ok()) << st.error().detail;
  EXPECT_EQ(server.key, "42");
  EXPECT_EQ(server.body, R"({"kind":"ticket.dispatched"})");
}

TEST(SecureWebhook, an_https_webhook_with_an_untrusted_certificate_is_not_sent) {
  OneShotHttps server;
  Cert other = make_cert("gj-other-ca", "DNS:other.example");
  auto st =
      app::send_webhook(server.url(), "43", "{}", std::chrono::milliseconds(5000), other.cert);
  server.join();
  EXPECT_FALSE(st.ok());
  EXPECT_FALSE(server.got_request);
}

TEST(Base64, round_trips_and_rejects_garbage) {
  const std::vector<std::string> samples = {"",     "f",     "fo",     "foo",
                                            "foob", "fooba", "foobar", std::string("\0\xff", 2)};
  for (const std::string& s : samples) {
    std::string back;
    ASSERT_TRUE(base64_decode(base64_encode(s), back)) << s;
    EXPECT_EQ(back, s);
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  std::string out;
  EXPECT_FALSE(base64_decode("Zm9", out));
  EXPECT_FALSE(base64_decode("Zm9v!A==", out));
  EXPECT_FALSE(base64_decode("Z=9v", out));
  EXPECT_FALSE(base64_decode("Zg==Zg==", out));
}
