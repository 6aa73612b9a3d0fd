// gongjian demo: create the demo dataset (docs/demo-data.md) in a new store.
#include <filesystem>
#include <iostream>

#include "app/access_service.hpp"
#include "app/demo.hpp"
#include "cli/command.hpp"
#include "cli/store_options.hpp"

namespace gj::cli {
namespace {

const char* kUsage =
    "usage: gongjian demo [--db PATH | --postgres URL] [--divisions DIR] [--seed N]\n"
    "       gongjian demo --print-logins\n"
    "Creates the demo dataset in a new store: the real divisions of Shaanxi, synthetic grids\n"
    "for 柞水县 and 碑林区, departments, one demo user per role and synthetic requests.\n"
    "  --divisions DIR    NBS division CSV files (default: data/divisions)\n"
    "  --seed N           random seed for the synthetic parts (default 20261128)\n"
    "  --requests N       synthetic requests per county over the last ~6 months, walked\n"
    "                     through the real request service (default 300; 0: none)\n"
    "  --osm FILE         OSM extract for the 15-minute service circle demo area, imported\n"
    "                     under its real place 成都市 (default data/osm/chengdu_center_2018.osm;\n"
    "                     skipped when the file is absent)\n"
    "  --no-osm           skip that step\n";

void print_logins() {
  std::cout << "Demo logins (演示账号):\n";
  auto line = [](const app::DemoLogin& l) {
    std::cout << "  " << l.username
              << std::string(20 - std::min<size_t>(19, l.username.size()), ' ') << l.password
              << "   " << l.description_zh << "\n";
  };
  for (const auto& l : app::demo_logins()) line(l);
  line(app::osm_demo_login());  // added by the OSM demo step (AccessService::create_demo_area)
}

// A file the product ships under data/: the value of `flag` if given, else `relative` under the
// working directory, else beside the binary (build/gongjian → data/…), so the command works
// from any directory (CTest runs in build/).
std::string shipped_data(const Args& args, const std::string& flag, const std::string& relative) {
  std::string given = flag_value(args, flag);
  if (!given.empty()) return given;
  if (std::filesystem::exists(relative)) return relative;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto beside = exe.parent_path().parent_path() / relative;
    if (std::filesystem::exists(beside)) return beside.string();
  }
  return relative;
}

std::string divisions_dir(const Args& args) {
  auto provinces = shipped_data(args, "--divisions", "data/divisions/provinces.csv");
  if (!flag_value(args, "--divisions").empty()) return provinces;
  return std::filesystem::path(provinces).parent_path().string();
}

int run(const Args& args) {
  if (has_flag(args, "--help")) {
    std::cout << kUsage << kStoreUsage;
    return 0;
  }
  if (has_flag(args, "--print-logins")) {
    print_logins();
    return 0;
  }
  auto db = open_store(args);
  if (!db) return 1;
  SystemClock clock;
  RandomIdGenerator ids;
  app::App a(*db, clock, ids);
  uint64_t seed = std::stoull(flag_value(args, "--seed", "20261128"));
  app::ImportProgress on_progress{progress};
  int per_county = 300;
  try {
    per_county = std::stoi(flag_value(args, "--requests", "300"));
  } catch (...) {
    std::cerr << "gongjian demo: --requests needs a number\n" << kUsage;
    return 2;
  }
  if (per_county < 0 || per_county > 1'000'000) {
    std::cerr << "gongjian demo: --requests 0..1000000\n";
    return 2;
  }
  auto stats = app::create_demo(a, divisions_dir(args), seed, on_progress);
  std::cerr << "\n";
  std::string requests_note;
  if (stats.ok() && per_county > 0) {
    auto rq = app::create_demo_requests(a, per_county, seed, on_progress);
    std::cerr << "\n";
    if (!rq.ok()) {
      db->close();
      std::cerr << "gongjian demo: requests: " << rq.error().message(Lang::kEn) << ": "
                << rq.error().detail << "\n";
      return 1;
    }
    requests_note =
        std::to_string(rq->tickets) + " synthetic requests (" + std::to_string(rq->actions) +
        " actions, " + std::to_string(rq->rated) + " ratings, " + std::to_string(rq->returned) +
        " returned, " + std::to_string(rq->escalated) + " escalated, " +
        std::to_string(rq->reopened) + " reopened, " + std::to_string(rq->callbacks_missed) +
        " unreached call-backs; scheduler now: " + std::to_string(rq->scan.escalations) +
        " escalations, " + std::to_string(rq->scan.overdue) + " overdue" +
        (rq->failed ? ", " + std::to_string(rq->failed) + " steps refused" : "") + ")\n";
  }
  // The demo's only real street network is central Chengdu: a separate area under 成都市 with
  // its own login (docs/access.md), never relabelled as a Shaanxi place.
  const std::string osm = shipped_data(args, "--osm", "data/osm/chengdu_center_2018.osm");
  std::string osm_note;
  if (stats.ok() && !has_flag(args, "--no-osm") && std::filesystem::exists(osm)) {
    app::AccessService svc(a);
    int last = -1;
    auto r = svc.create_demo_area(osm, [&](const std::string& stage, double f) {
      int step = static_cast<int>(f * 4);
      if (step == last) return;
      last = step;
      std::cerr << "  15分钟服务圈: " << stage << " " << step * 25 << "%\n";
    });
    if (!r.ok()) {
      db->close();
      std::cerr << "gongjian demo: OSM demo area: " << r.error().detail << "\n";
      return 1;
    }
    osm_note = "OSM demo area 成都市中心城区 (" + osm + "): " + std::to_string(r->residences) +
               " homes; login chengdu.demo / Gongjian-Demo-2026\n";
  }
  db->close();
  if (!stats.ok()) {
    std::cerr << "gongjian demo: " << stats.error().message(Lang::kEn) << ": "
              << stats.error().detail << "\n";
    return 1;
  }
  std::cout << "demo dataset created: " << stats->divisions << " divisions, " << stats->grids
            << " synthetic grids, " << stats->units << " units, " << stats->users << " users\n";
  std::cout << requests_note;
  std::cout << osm_note;
  print_logins();
  return 0;
}

const Registrar kReg{"demo", "create the demo dataset in a new store", run};
}  // namespace
}  // namespace gj::cli
