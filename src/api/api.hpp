// The JSON API (docs/api.md): thin handlers that parse, call the app facade and map results.
#pragma once

#include <memory>
#include <string>

#include "app/app.hpp"
#include "http/router.hpp"

namespace gj::app {
class AttachmentsService;
}

namespace gj::api {

struct ApiConfig {
  bool secure_cookies = false;  // add `Secure` when served over HTTPS (behind a proxy)
  bool demo = false;
  // Photo attachments 附件: the service to use, or (when null) one on a DiskFileStore under
  // attachments_dir (default "data/attachments").
  std::shared_ptr<app::AttachmentsService> attachments;
  std::string attachments_dir;
};

void register_routes(http::Router& router, app::App& app, const ApiConfig& config);

}  // namespace gj::api
