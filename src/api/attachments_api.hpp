// Photo attachments 附件 over HTTP (docs/api.md, "Attachments"): upload as raw bytes with a
// staff session + CSRF or the citizen's X-Attachment-Token, list, read the bytes; the tracking
// page's public variant.
#pragma once

#include <memory>

#include "app/app.hpp"
#include "app/attachments.hpp"
#include "http/router.hpp"

namespace gj::api {

void register_attachments_routes(http::Router& router, app::App& app,
                                 std::shared_ptr<app::AttachmentsService> attachments);

// "%E7%8E%B0%E5%9C%BA.jpg" → "现场.jpg"; '+' stays '+'. nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view s);

}  // namespace gj::api
