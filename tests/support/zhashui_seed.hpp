// The small 柞水县 every in-process test seeds: five division levels (two townships, a community
// and a village), one grid under each with a square polygon, and users made through the App.
// Used by the request fixture and by tests that set up their own store (faults, file stores).
#pragma once

#include <optional>
#include <string>

#include "app/app.hpp"
#include "common/result.hpp"
#include "domain/auth/roles.hpp"
#include "store/db.hpp"

namespace gj::testing {

constexpr const char* kCounty = "611026000000";
constexpr const char* kQianyou = "611026001000";
constexpr const char* kCommunity = "611026001001";
constexpr const char* kYingpanVillage = "611026101201";
constexpr const char* kGrid = "611026001001001";
constexpr const char* kYingpanGrid = "611026101201001";
constexpr double kLat = 33.70, kLon = 109.10;  // centre of kGrid

// Imports the divisions down to the villages, then adds kGrid and kYingpanGrid (500 m squares).
Status seed_zhashui(app::App& app, store::Database& db);

// A user added as `gongjian user add` would, and the Principal a signed-in session gives it.
auth::Principal add_user(app::App& app, const std::string& name, const std::string& role,
                         const std::string& scope, std::optional<int64_t> unit = std::nullopt,
                         const std::string& display_name = "");

}  // namespace gj::testing
