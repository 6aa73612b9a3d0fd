// A small SMTP server over a real socket on 127.0.0.1:0 (shared by the notify tests).
#pragma once

#include <boost/asio.hpp>
#include <istream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gj::testing {

namespace smtp_detail {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
}  // namespace smtp_detail

// A small SMTP server over a real socket: records the envelope and the DATA of each message.
class SmtpServer {
  using tcp = smtp_detail::tcp;

 public:
  struct Mail {
    std::string helo, from, to, data;
  };
  SmtpServer() : acceptor_(ioc_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)) {
    accept();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~SmtpServer() {
    ioc_.stop();
    thread_.join();
  }
  int port() const { return acceptor_.local_endpoint().port(); }
  std::vector<Mail> mails() {
    std::lock_guard lock(mu_);
    return mails_;
  }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket sock) {
      if (!ec) session(sock);
      accept();
    });
  }
  void session(tcp::socket& sock) {
    boost::system::error_code ec;
    boost::asio::streambuf in;
    auto say = [&](const std::string& s) { boost::asio::write(sock, boost::asio::buffer(s), ec); };
    auto line = [&]() -> std::string {
      boost::asio::read_until(sock, in, "\r\n", ec);
      if (ec) return "";
      std::istream is(&in);
      std::string l;
      std::getline(is, l);
      if (!l.empty() && l.back() == '\r') l.pop_back();
      return l;
    };
    Mail m;
    say("220 fake.smtp ESMTP\r\n");
    for (;;) {
      std::string l = line();
      if (ec) return;
      if (l.rfind("EHLO ", 0) == 0) {
        m.helo = l.substr(5);
        say("250-fake.smtp\r\n250 8BITMIME\r\n");
      } else if (l.rfind("MAIL FROM:", 0) == 0) {
        m.from = l.substr(10);
        say("250 ok\r\n");
      } else if (l.rfind("RCPT TO:", 0) == 0) {
        m.to = l.substr(8);
        say("250 ok\r\n");
      } else if (l == "DATA") {
        say("354 go ahead\r\n");
        boost::asio::read_until(sock, in, "\r\n.\r\n", ec);
        if (ec) return;
        std::string all(boost::asio::buffers_begin(in.data()), boost::asio::buffers_end(in.data()));
        size_t end = all.find("\r\n.\r\n");
        m.data = all.substr(0, end + 2);
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
  boost::asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Mail> mails_;
};

}  // namespace gj::testing
