#include "app/demo.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "app/requests_service.hpp"
#include "common/log.hpp"
#include "domain/auth/passwords.hpp"
#include "domain/auth/personal_data.hpp"
#include "domain/requests/router.hpp"
#include "store/repos/requests_repo.hpp"

namespace gj::app {

namespace {
constexpr const char* kZhashui = "611026000000";  // 柞水县 (商洛市), rural
constexpr const char* kBeilin = "610103000000";   // 碑林区 (西安市), urban
constexpr const char* kDemoPassword = "Gongjian-Demo-2026";

struct CountyGeo {
  const char* code;
  double lat, lon;  // the real county seat: the centre of the synthetic layout
  double cell_m;    // the side of one village's or community's cell before the jitter
  int grids_per_community, grids_per_village;
};
// Centres are the real county seats; village and grid shapes around them are synthetic. The
// cells make the county's area roughly real: 柞水县 ~2,300 km², 碑林区 ~23 km².
constexpr CountyGeo kCounties[] = {
    {kZhashui, 33.6862, 109.1138, 4500, 4, 2},
    {kBeilin, 34.2565, 108.9466, 470, 5, 3},
};

const char* kDepartments[] = {"住房和城乡建设局", "人力资源和社会保障局",
                              "教育局",           "卫生健康局",
                              "生态环境分局",     "交通运输局",
                              "商务局",           "水利局",
                              "城市管理局",       "民政局"};

struct LatLon {
  double lat, lon;
};

// A closed GeoJSON polygon through four corners given south-west, south-east, north-east,
// north-west (counter-clockwise, as RFC 7946 wants an outer ring).
std::string polygon_quad(const LatLon (&c)[4]) {
  char buf[400];
  std::snprintf(buf, sizeof buf,
                "{\"type\":\"Polygon\",\"coordinates\":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],"
                "[%.6f,%.6f],[%.6f,%.6f]]]}",
                c[0].lon, c[0].lat, c[1].lon, c[1].lat, c[2].lon, c[2].lat, c[3].lon, c[3].lat,
                c[0].lon, c[0].lat);
  return buf;
}

// The synthetic map of a demo county: every village or community gets one cell of a lattice
// around the county seat, and its grids divide that cell, so the grids of the county tile it
// with no overlaps and no gaps, as a real grid layer does. The seat's street (the first
// township) takes the cells nearest the seat; the other townships share the cells around it in
// wedges, in division-code order, as the towns of a county lie around its seat. Every lattice
// vertex is moved by a fixed pseudo-random amount (shared by the up to four cells that meet
// there), so the shapes look drawn rather than ruled.
class DemoLattice {
 public:
  DemoLattice(const CountyGeo& geo, uint64_t seed) : geo_(geo), seed_(seed) {}

  // The cell of each village, township by township: counts[t] villages in township t.
  static std::vector<std::pair<int, int>> cells(const std::vector<int>& counts) {
    int total = 0;
    for (int c : counts) total += c;
    // The `total` cells nearest the seat, in a square spiral (0 is the seat's cell).
    std::vector<std::pair<int, int>> spiral;
    for (int x = 0, y = 0, dx = 1, dy = 0, leg = 1, walked = 0, turns = 0;
         static_cast<int>(spiral.size()) < total;) {
      spiral.push_back({x, y});
      x += dx, y += dy;
      if (++walked == leg) {
        walked = 0;
        std::swap(dx, dy);
        dx = -dx;  // turn left: right → up → left → down
        if (++turns % 2 == 0) ++leg;
      }
    }
    if (counts.empty()) return spiral;
    // The first township keeps the centre; the rest go round it by angle.
    auto rest = spiral.begin() + std::min<size_t>(counts[0], spiral.size());
    std::stable_sort(rest, spiral.end(), [](const auto& a, const auto& b) {
      return std::atan2(a.second, a.first) < std::atan2(b.second, b.first);
    });
    return spiral;
  }

  // The corners of cell (x, y), as polygon_quad wants them.
  void cell(int x, int y, LatLon (&c)[4]) const {
    c[0] = vertex(x, y), c[1] = vertex(x + 1, y), c[2] = vertex(x + 1, y + 1),
    c[3] = vertex(x, y + 1);
  }

  // Grid g (0-based) of n in a cell: one row for up to three grids, two rows above that, each
  // row split evenly; numbered from the north-west like reading order. The inner lines run
  // straight between points of the cell's edges, so the parts tile the cell exactly.
  static void part(const LatLon (&c)[4], int g, int n, LatLon (&out)[4]) {
    int rows = (n + 2) / 3, row = 0, before = 0;
    for (;; ++row) {
      int in_row = n / rows + (row >= rows - n % rows ? 1 : 0);
      if (g < before + in_row) {
        double u0 = double(g - before) / in_row, u1 = double(g - before + 1) / in_row;
        double v1 = 1.0 - double(row) / rows, v0 = 1.0 - double(row + 1) / rows;
        out[0] = at(c, u0, v0), out[1] = at(c, u1, v0), out[2] = at(c, u1, v1),
        out[3] = at(c, u0, v1);
        return;
      }
      before += in_row;
    }
  }

 private:
  // Bilinear point (u along west → east, v along south → north) of a four-cornered cell.
  static LatLon at(const LatLon (&c)[4], double u, double v) {
    auto mix = [&](double a, double b, double cc, double d) {
      return (1 - u) * (1 - v) * a + u * (1 - v) * b + u * v * cc + (1 - u) * v * d;
    };
    return {mix(c[0].lat, c[1].lat, c[2].lat, c[3].lat),
            mix(c[0].lon, c[1].lon, c[2].lon, c[3].lon)};
  }

  LatLon vertex(int x, int y) const {
    // splitmix64 of the seed and the vertex: the same vertex moves the same way for every cell.
    uint64_t z = seed_ ^ (uint64_t(uint32_t(x)) << 32 | uint32_t(y)) * 0x9E3779B97F4A7C15ULL;
    auto next = [&z] {
      z += 0x9E3779B97F4A7C15ULL;
      uint64_t r = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
      r = (r ^ (r >> 27)) * 0x94D049BB133111EBULL;
      return double((r ^ (r >> 31)) >> 11) / double(1ULL << 53);
    };
    // At most 18 % of a cell each way, which keeps every cell convex.
    double jx = (next() - 0.5) * 0.36, jy = (next() - 0.5) * 0.36;
    double east_m = (x - 0.5 + jx) * geo_.cell_m, north_m = (y - 0.5 + jy) * geo_.cell_m;
    return {geo_.lat + north_m / 111320.0,
            geo_.lon + east_m / (111320.0 * std::cos(geo_.lat * M_PI / 180))};
  }

  const CountyGeo& geo_;
  uint64_t seed_;
};

// A valid synthetic ID number (GB 11643 checksum) from a region code and a seed.
std::string synthetic_id_number(const std::string& region6, std::mt19937_64& rng) {
  char body[18];
  int year = 1960 + static_cast<int>(rng() % 40), month = 1 + static_cast<int>(rng() % 12),
      day = 1 + static_cast<int>(rng() % 28), seq = static_cast<int>(rng() % 1000);
  std::snprintf(body, sizeof body, "%s%04d%02d%02d%03d", region6.c_str(), year, month, day, seq);
  static const int kW[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static const char kC[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (body[i] - '0') * kW[i];
  return std::string(body, 17) + kC[sum % 11];
}
}  // namespace

const std::vector<DemoLogin>& demo_logins() {
  static const std::vector<DemoLogin> logins = {
      {"admin", "Gongjian-Admin-2026", "admin", kZhashui, "柞水县 系统管理员",
       "Zhashui County system administrator"},
      {"zhashui.command", kDemoPassword, "command", kZhashui, "柞水县 指挥中心",
       "Zhashui County command centre"},
      {"qianyou.street", kDemoPassword, "township", "611026001000", "柞水县 乾佑街道",
       "Qianyou Street, Zhashui County"},
      {"yingpan.town", kDemoPassword, "township", "611026101000", "柞水县 营盘镇",
       "Yingpan Town, Zhashui County"},
      {"qianyou.cadre", kDemoPassword, "village", "", "乾佑街道 第一个社区 干部",
       "Cadre of the first community of Qianyou Street"},
      {"qianyou.grid", kDemoPassword, "grid_worker", "", "乾佑街道 第一个社区 第1网格 网格员",
       "Grid worker, grid 1 of that community"},
      {"zhashui.zhujian", kDemoPassword, "department", "", "柞水县 住房和城乡建设局 办理人员",
       "Handler at the county housing and construction bureau"},
      {"beilin.admin", "Gongjian-Admin-2026", "admin", kBeilin, "碑林区 系统管理员",
       "Beilin District system administrator"},
      {"beilin.command", kDemoPassword, "command", kBeilin, "碑林区 指挥中心",
       "Beilin District command centre"},
      {"nanyuanmen.street", kDemoPassword, "township", "610103001000", "碑林区 南院门街道",
       "Nanyuanmen Street, Beilin District"},
      {"nanyuanmen.cadre", kDemoPassword, "village", "", "南院门街道 第一个社区 干部",
       "Cadre of the first community of Nanyuanmen Street"},
      {"nanyuanmen.grid", kDemoPassword, "grid_worker", "", "南院门街道 第一个社区 第1网格 网格员",
       "Grid worker, grid 1 of that community"},
  };
  return logins;
}

const DemoLogin& osm_demo_login() {
  static const DemoLogin login = {"chengdu.demo",
                                  "Gongjian-Demo-2026",
                                  "command",
                                  "510100000000",
                                  "成都市 OSM 演示路网 指挥中心（15分钟服务圈）",
                                  "Chengdu OSM demo network, command centre (15-minute circle)"};
  return login;
}

Result<DemoStats> create_demo(App& app, const std::string& divisions_dir, uint64_t seed,
                              const ImportProgress& progress) {
  auto existing =
      app.db().read_value<int64_t>([](store::Session& s) { return store::users::count(s); });
  if (!existing.ok()) return existing.error();
  if (*existing > 0)
    return make_error(ErrorCode::kConflict, "the store already has users; demo needs a new store");

  auto imported = app.import_divisions(divisions_dir, progress);
  if (!imported.ok()) return imported.error();
  DemoStats stats;
  stats.divisions = imported->read;
  std::mt19937_64 rng(seed);

  // Synthetic grids 网格 under every village/community of the two demo counties.
  std::map<std::string, std::string> first_grid_of_township, first_village_of_township;
  std::map<std::string, int64_t> unit_ids;
  Status st = app.db().write([&](store::Session& s) -> Status {
    for (const auto& geo : kCounties) {
      auto county = store::divisions::get(s, geo.code);
      if (!county.ok()) return make_error(ErrorCode::kInvalidInput, "demo county missing");
      auto towns = store::divisions::children(s, geo.code);
      if (!towns.ok()) return towns.error();
      DemoLattice lattice(geo, seed);
      std::vector<int> counts;
      for (const auto& town : *towns) {
        auto villages = store::divisions::children(s, town.division.code);
        if (!villages.ok()) return villages.error();
        counts.push_back(static_cast<int>(villages->size()));
      }
      auto cells = DemoLattice::cells(counts);
      size_t cell_no = 0;
      for (const auto& town : *towns) {
        auto villages = store::divisions::children(s, town.division.code);
        if (!villages.ok()) return villages.error();
        for (const auto& v : *villages) {
          bool community = v.division.kind == org::Kind::kCommunity;
          int n = community ? geo.grids_per_community : geo.grids_per_village;
          auto [cx, cy] = cells[cell_no++];
          LatLon cell[4];
          lattice.cell(cx, cy, cell);
          for (int g = 1; g <= n; ++g) {
            org::Division grid;
            char code[16];
            std::snprintf(code, sizeof code, "%s%03d", v.division.code.c_str(), g);
            grid.code = code;
            grid.parent_code = v.division.code;
            grid.name = "第" + std::to_string(g) + "网格";
            grid.level = org::Level::kGrid;
            grid.kind = org::Kind::kGrid;
            grid.synthetic = true;
            auto up = store::divisions::upsert(s, grid);
            if (!up.ok()) return up.error();
            store::GridRow row;
            row.code = grid.code;
            // Urban grids ~300 households (national guidance), rural grids are village groups.
            row.households = community ? 200 + static_cast<int64_t>(rng() % 200)
                                       : 60 + static_cast<int64_t>(rng() % 120);
            row.residents = row.households * (250 + static_cast<int64_t>(rng() % 80)) / 100;
            LatLon corners[4];
            DemoLattice::part(cell, g - 1, n, corners);
            row.polygon = polygon_quad(corners);
            GJ_TRY(store::grids::upsert(s, row));
            ++stats.grids;
            if (!first_grid_of_township.count(town.division.code)) {
              first_grid_of_township[town.division.code] = grid.code;
              first_village_of_township[town.division.code] = v.division.code;
            }
          }
        }
      }
      for (const char* dept : kDepartments) {
        std::string name = county->division.name + dept;
        auto id = store::units::upsert(s, {0, name, "department", geo.code});
        if (!id.ok()) return id.error();
        unit_ids[name] = *id;
        ++stats.units;
      }
    }
    GJ_TRY(store::settings::put(s, "demo", "1"));
    return store::settings::put(s, "demo_seed", std::to_string(seed));
  });
  if (!st.ok()) return st.error();
  if (progress.report) progress.report("grids", stats.grids, stats.grids);

  std::map<std::string, std::string> township_of = {{"qianyou", "611026001000"},
                                                    {"nanyuanmen", "610103001000"}};
  for (const auto& l : demo_logins()) {
    NewUser u;
    u.username = l.username;
    u.password = l.password;
    u.role = l.role;
    u.scope_code = l.scope_code;
    std::string prefix = l.username.substr(0, l.username.find('.'));
    if (l.role == "village") u.scope_code = first_village_of_township[township_of[prefix]];
    if (l.role == "grid_worker") u.scope_code = first_grid_of_township[township_of[prefix]];
    if (l.role == "department") {
      u.scope_code.clear();
      u.unit_id = unit_ids["柞水县住房和城乡建设局"];
    }
    u.display_name = l.description_zh;
    // Synthetic personal data so masking and audited reads can be seen working.
    u.phone = "139" + std::to_string(10000000 + rng() % 89999999);
    u.id_number =
        synthetic_id_number(l.scope_code.empty() ? "611026" : l.scope_code.substr(0, 6), rng);
    auto id = app.cli_add_user(u);
    if (!id.ok())
      return make_error(id.error().code, "demo user " + l.username + ": " + id.error().detail);
    ++stats.users;
  }
  return stats;
}

}  // namespace gj::app

// ---------------------------------------------------------------- demo requests 演示诉求

namespace gj::app {
namespace {

// Category mix of a county hotline (weights per 1,000, urban 碑林 / rural 柞水), with short
// synthetic subjects and texts. Codes are data/categories/default.csv rows.
struct DemoCategory {
  const char* code;
  int urban, rural;
  const char* subject[2];
  const char* text[2];
};
const DemoCategory kDemoCategories[] = {
    {"0104",
     120,
     60,
     {"路灯不亮", "井盖破损"},
     {"小区门口路灯连续几晚不亮，夜间出行不安全，请尽快维修。",
      "人行道上井盖破损松动，行人容易踩空，请尽快处理。"}},
    {"0106",
     110,
     80,
     {"垃圾清运不及时", "道路卫生差"},
     {"垃圾桶已满好几天没人清运，气味很大，请安排清运。", "路面落叶和垃圾很多，长时间没有清扫。"}},
    {"0102",
     120,
     20,
     {"物业服务差", "电梯经常故障"},
     {"物业不作为，楼道堆放杂物无人清理，请协调。",
      "单元电梯本月已多次故障停运，老人上下楼困难。"}},
    {"0201",
     60,
     90,
     {"停水", "水压低"},
     {"今天早上起突然停水，没有接到任何通知，请核实何时恢复。",
      "楼层高处水压很低，做饭洗衣都受影响。"}},
    {"0202",
     40,
     70,
     {"频繁停电", "电线老化"},
     {"这周已经停电三次，冰箱里东西都坏了，请供电部门检查线路。",
      "院子里电线老化裸露，下雨天担心漏电。"}},
    {"0603",
     110,
     30,
     {"夜间施工噪音", "广场舞噪音扰民"},
     {"附近工地晚上十点后仍在施工，噪音很大影响休息。", "小区广场舞音响声音太大，持续到很晚。"}},
    {"0704",
     110,
     30,
     {"乱停车堵路", "路口缺少红绿灯"},
     {"小区出口长期有车辆乱停，消防通道被堵。", "路口车流量大没有信号灯，学生过马路危险。"}},
    {"0301",
     40,
     60,
     {"拖欠工资", "工地欠薪"},
     {"在工地干了三个月，老板一直拖欠工资不给。",
      "务工人员工资被拖欠，多次讨要无果，请帮助协调。"}},
    {"1001",
     40,
     90,
     {"低保咨询", "救助申请"},
     {"家里老人生病无收入，想咨询低保怎么申请。", "家庭遭遇变故，想申请临时救助，不知道找谁。"}},
    {"0705",
     10,
     120,
     {"村道损坏", "农村公路塌方"},
     {"通往村里的水泥路有几处坑洼，雨天车辆难行。", "村道边坡塌方，部分路面被堵，请尽快清理。"}},
    {"0110",
     10,
     110,
     {"村内污水横流", "旱厕改造"},
     {"村里排水沟堵塞，污水流到路上，气味难闻。", "改厕工程完工后一直不能正常使用，请派人看看。"}},
    {"0906",
     60,
     60,
     {"邻里纠纷", "宅基地纠纷"},
     {"楼上住户漏水到我家，协商不成，请社区调解。",
      "与邻居因宅基地边界发生争执，请村里帮助调解。"}},
    {"0801",
     60,
     30,
     {"商家拒不退款", "预付卡跑路"},
     {"在店里办的会员卡商家关门了，余额无法退还。", "网购商品有质量问题，商家拒绝退换。"}},
    {"0401",
     50,
     40,
     {"入学咨询", "学位不足"},
     {"孩子明年上小学，想咨询划片入学需要什么材料。", "片区学校学位紧张，孩子可能无法就近入学。"}},
    {"1303",
     30,
     60,
     {"政策咨询", "社保政策咨询"},
     {"想了解灵活就业人员参保缴费的政策。", "咨询新农合缴费标准和报销比例。"}},
};

const char* kReplies[] = {
    "您反映的问题已处理完毕，感谢您对社区工作的支持。",
    "已与您电话联系并现场核实，问题已按要求整改。",
    "已协调相关部门共同处理，处理结果已电话告知。",
    "经核实情况属实，已安排人员整改完毕。",
};
const char* kSurnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗";

struct GridBox {
  std::string code;
  double min_lat, max_lat, min_lon, max_lon;
  requests::GridShape shape;
};

// The box of a grid's first part (a demo request lies inside one part); false if unreadable.
bool polygon_box(const std::string& geojson, GridBox& b) {
  if (!requests::polygon_from_geojson(geojson, b.shape)) return false;
  b.min_lat = b.min_lon = 1e9;
  b.max_lat = b.max_lon = -1e9;
  for (const auto& p : b.shape.parts[0].outer) {
    b.min_lat = std::min(b.min_lat, p.lat), b.max_lat = std::max(b.max_lat, p.lat);
    b.min_lon = std::min(b.min_lon, p.lon), b.max_lon = std::max(b.max_lon, p.lon);
  }
  return b.min_lat < b.max_lat;
}

struct CountyPlan {
  std::string code;
  bool urban = false;
  std::vector<GridBox> grids;
  auth::Principal command;  // the county's command centre staff (hotline intake, completion)
};

// The staff of the unit holding a ticket now, as the lifecycle's holder check sees them.
auth::Principal holder_principal(const store::TicketRow& row) {
  auth::Principal p;
  p.scope_code = row.division_code;
  if (row.unit_type == "grid")
    p.role = auth::Role::kGridWorker;
  else if (row.unit_type == "village_committee")
    p.role = auth::Role::kVillage;
  else if (row.unit_type == "township_platform")
    p.role = auth::Role::kTownship;
  else
    p.role = auth::Role::kCommand;
  p.username = "demo." + std::string(auth::role_info(p.role).code);
  p.display_name = "演示办理人员";
  p.request_id = "demo";
  return p;
}

constexpr int64_t kMinute = 60'000, kHour = 60 * kMinute, kDay = 24 * kHour;

// One ticket's life, drawn from its own generator (so the content does not depend on threads).
void walk_ticket(App& a, FakeClock& clk, const CountyPlan& c, int64_t now, uint64_t seed,
                 DemoRequestStats& st) {
  std::mt19937_64 rng(seed);
  auto uni = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  auto span = [&](int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(uni(0, 1) * (hi - lo));
  };
  // Category by weight.
  int total = 0;
  for (const auto& dc : kDemoCategories) total += c.urban ? dc.urban : dc.rural;
  int pick = static_cast<int>(rng() % total);
  const DemoCategory* cat = &kDemoCategories[0];
  for (const auto& dc : kDemoCategories) {
    pick -= c.urban ? dc.urban : dc.rural;
    if (pick < 0) {
      cat = &dc;
      break;
    }
  }
  // More requests lately (a platform being adopted): t0 = now − 182 days × u^1.3.
  int64_t t = now - static_cast<int64_t>(182.0 * kDay * std::pow(uni(0, 1), 1.3)) - kHour;
  // Daytime mostly: keep the day, move the hour into 07:00–22:00 local.
  int64_t local_day = (t + 8 * kHour) / kDay * kDay - 8 * kHour;
  t = local_day + span(7 * kHour, 22 * kHour);
  if (t > now - kHour) t = now - kHour;
  const GridBox* g = &c.grids[rng() % c.grids.size()];
  IntakeInput in;
  in.county_code = c.code;
  in.category = cat->code;
  int v = static_cast<int>(rng() % 2);
  in.subject = cat->subject[v];
  in.text = std::string(cat->text[v]) + "（演示数据 synthetic）";
  // One in ten is about one of three recurring local problems of the last month (a blocked
  // drain reported by several neighbours): what 热点问题 finds.
  if (rng() % 10 == 0) {
    size_t h = rng() % 3;
    cat = &kDemoCategories[(c.urban ? 1 : 9) + h];
    g = &c.grids[(h * 7919 + 13) % c.grids.size()];
    in.category = cat->code;
    in.subject = cat->subject[0];
    in.text = std::string(cat->text[0]) + "（演示数据 synthetic）";
    t = now - static_cast<int64_t>(uni(0.05, 25.0) * kDay);
  }
  double mid_lat = (g->min_lat + g->max_lat) / 2, mid_lon = (g->min_lon + g->max_lon) / 2;
  double dlat = (g->max_lat - g->min_lat) * 0.4, dlon = (g->max_lon - g->min_lon) * 0.4;
  // A point of the grid's inner box that lies inside its shape (grids are not rectangles).
  double lat = mid_lat, lon = mid_lon;
  for (int tries = 0; tries < 16; ++tries) {
    double a = uni(mid_lat - dlat, mid_lat + dlat), b = uni(mid_lon - dlon, mid_lon + dlon);
    if (requests::covers(g->shape, {a, b})) {
      lat = a, lon = b;
      break;
    }
  }
  in.lat = lat;
  in.lon = lon;
  in.name = std::string(kSurnames + 3 * (rng() % 20), 3) + "先生";
  in.phone = "139" + std::to_string(10000000 + rng() % 89999999);
  in.is_public = rng() % 3 == 0;
  auth::Principal citizen;
  citizen.request_id = "demo";
  bool hotline = rng() % 10 < 3;
  if (hotline) in.channel = "hotline";
  clk.set_ms(t);
  auto r = a.requests().submit(hotline ? c.command : citizen, in);
  if (!r.ok()) {
    ++st.failed;
    return;
  }
  ++st.tickets;
  store::TicketRow cur = r->detail.view.row;
  const int64_t id = cur.id;
  const std::string code = cur.code, last4 = in.phone.substr(in.phone.size() - 4);

  // Each step moves this ticket's clock forward; a step that would land after now is not taken
  // (recent tickets are still open, as on a real platform).
  auto act = [&](int64_t dt, const auth::Principal& p, ActionInput ai) -> bool {
    if (t + dt > now) return false;
    t += dt;
    clk.set_ms(t);
    auto d = a.requests().act(p, id, ai);
    if (!d.ok()) {
      log::warn("demo_request_step_failed", {{"action", ai.action}, {"detail", d.error().detail}});
      ++st.failed;
      return false;
    }
    cur = d->view.row;
    ++st.actions;
    return true;
  };
  auto holder_does = [&](int64_t dt, const std::string& action, const std::string& note = {}) {
    ActionInput ai;
    ai.action = action;
    ai.note = note;
    ai.contacted = action == "claim";
    return act(dt, holder_principal(cur), ai);
  };
  auto handle = [&](int64_t claim_after) {
    return holder_does(claim_after, "claim") &&
           holder_does(span(5 * kMinute, 2 * kHour), "start") &&
           holder_does(span(3 * kHour, 6 * kDay), "reply", kReplies[rng() % 4]);
  };
  std::function<bool(bool)> complete_and_rate = [&](bool may_reopen) -> bool {
    ActionInput done;
    done.action = "complete";
    if (!act(span(30 * kMinute, 36 * kHour), c.command, done)) return false;
    // One in eight satisfaction calls 回访 does not get through at first (回访未接通), a few
    // hours apart; after three the call-back ends and only an online rating is left.
    if (uni(0, 1) < 0.125) {
      static const char* kMissed[] = {"无人接听", "关机", "占线", "无人接听，已留言"};
      int calls = 1 + static_cast<int>(rng() % 3);
      for (int i = 0; i < calls; ++i) {
        ActionInput missed;
        missed.action = "callback_unreached";
        missed.note = kMissed[rng() % 4];
        if (!act(span(2 * kHour, 20 * kHour), c.command, missed)) return false;
        ++st.callbacks_missed;
      }
      if (calls == 3 && rng() % 2 == 0) return true;  // never rated
    }
    int64_t dt = span(2 * kHour, 3 * kDay);
    if (t + dt > now) return false;
    t += dt;
    clk.set_ms(t);
    double u = uni(0, 1);
    std::string rating = !may_reopen ? "satisfied"
                         : u < 0.78  ? "satisfied"
                         : u < 0.92  ? "fairly_satisfied"
                                     : "unsatisfied";
    bool resolved = rating != "unsatisfied" || rng() % 2 == 0;
    auto rr = a.requests().rate_by_citizen(code, last4, rating, resolved,
                                           rating == "unsatisfied" ? "问题没有根本解决" : "");
    if (!rr.ok()) {
      ++st.failed;
      return false;
    }
    cur = rr->row;
    ++st.rated;
    ++st.actions;
    if (may_reopen && (rating == "unsatisfied" || !resolved) && rng() % 2 == 0) {
      ActionInput re;
      re.action = "reopen";
      re.note = "群众不满意，重新办理";
      if (!act(span(2 * kHour, 2 * kDay), c.command, re)) return false;
      ++st.reopened;
      // The dispatcher sends it back to the grid that handled it.
      ActionInput send;
      send.action = "dispatch";
      send.target_unit_id = r->detail.view.row.unit_id;
      send.note = "重办：请再次核实处理";
      if (!act(span(10 * kMinute, 4 * kHour), holder_principal(cur), send)) return false;
      if (!handle(span(20 * kMinute, 12 * kHour))) return false;
      return complete_and_rate(false);
    }
    return true;
  };

  double u = uni(0, 1);
  if (u < 0.03) return;  // never claimed: the scheduler escalates it (超时)
  if (u < 0.05) {        // escalated step by step up to the command centre, then left there
    for (int i = 0; i < 3; ++i)
      if (!holder_does(span(2 * kHour, 20 * kHour), "escalate", "超出本级处置能力，申请上级协调"))
        return;
    ++st.escalated;
    return;
  }
  if (u < 0.13) {  // returned 退单: the command centre handles it itself
    if (!holder_does(span(30 * kMinute, 8 * kHour), "return", "不属于本网格职责范围")) return;
    ++st.returned;
    if (!handle(span(30 * kMinute, 6 * kHour))) return;
    complete_and_rate(true);
    return;
  }
  if (u < 0.19) {  // escalated once 升级: the village committee handles it
    if (!holder_does(span(1 * kHour, 20 * kHour), "escalate", "需村（社区）协调处理")) return;
    ++st.escalated;
    if (!handle(span(20 * kMinute, 10 * kHour))) return;
    complete_and_rate(true);
    return;
  }
  // The usual path: the grid worker claims (mostly within the day), handles and replies.
  // Most claims within the half hour (urgent tiers allow 30 minutes), some later, a few late.
  int roll = static_cast<int>(rng() % 20);
  int64_t claim_after = roll < 13   ? span(3 * kMinute, 28 * kMinute)
                        : roll < 18 ? span(30 * kMinute, 8 * kHour)
                                    : span(8 * kHour, 40 * kHour);
  if (!handle(claim_after)) return;
  complete_and_rate(true);
}

}  // namespace

Result<DemoRequestStats> create_demo_requests(App& app, int per_county, uint64_t seed,
                                              const ImportProgress& progress) {
  DemoRequestStats total;
  if (per_county <= 0) return total;
  const int64_t now = app.clock().now_ms();
  std::vector<CountyPlan> plans;
  Status st = app.db().read([&](store::Session& s) -> Status {
    for (const auto& geo : kCounties) {
      CountyPlan c;
      c.code = geo.code;
      c.urban = std::string(geo.code) == kBeilin;
      auto grids = store::request_config::grids_in(s, geo.code);
      if (!grids.ok()) return grids.error();
      for (const auto& [gcode, poly] : *grids) {
        // The demo logins' own grids stay quiet, so their queues hold only what a person sends.
        auto row = store::grids::get(s, gcode);
        if (row.ok() && row->worker_user_id) continue;
        GridBox b;
        b.code = gcode;
        if (polygon_box(poly, b)) c.grids.push_back(b);
      }
      auto cmd = store::users::by_username(s, c.urban ? "beilin.command" : "zhashui.command");
      if (!cmd.ok()) return cmd.error();
      c.command.user_id = cmd->id;
      c.command.username = cmd->username;
      c.command.display_name = cmd->display_name;
      c.command.role = auth::Role::kCommand;
      c.command.scope_code = geo.code;
      c.command.request_id = "demo";
      if (c.grids.empty()) return make_error(ErrorCode::kInvalidInput, "demo county has no grids");
      plans.push_back(std::move(c));
    }
    return {};
  });
  if (!st.ok()) return st.error();

  // Tickets are independent: several workers, each an App with its own FakeClock over the same
  // store, so the group-commit writer batches their transactions (a few seconds, not a minute).
  const int n = per_county * static_cast<int>(plans.size());
  const int workers = 32;
  std::atomic<int> next{0}, done{0};
  std::vector<DemoRequestStats> part(workers);
  std::vector<std::thread> pool;
  for (int w = 0; w < workers; ++w) {
    pool.emplace_back([&, w] {
      FakeClock clk(now);
      RandomIdGenerator ids;
      App a(app.db(), clk, ids);
      for (int i; (i = next++) < n;) {
        const CountyPlan& c = plans[i % plans.size()];
        walk_ticket(a, clk, c, now, seed * 1000003ULL + static_cast<uint64_t>(i), part[w]);
        int d = ++done;
        if (progress.report && d % 50 == 0) progress.report("requests", d, n);
      }
    });
  }
  for (auto& th : pool) th.join();
  for (const auto& p : part) {
    total.tickets += p.tickets, total.actions += p.actions, total.rated += p.rated;
    total.returned += p.returned, total.escalated += p.escalated, total.reopened += p.reopened;
    total.callbacks_missed += p.callbacks_missed, total.failed += p.failed;
  }
  if (progress.report) progress.report("requests", n, n);
  // The scheduler, now: warnings, escalations of what nobody claimed, overdue at the top.
  auto scan = app.requests().run_due_timers(app.clock().now(), 1000);
  if (!scan.ok()) return scan.error();
  total.scan.warnings = scan->warnings;
  total.scan.escalations = scan->escalations;
  total.scan.overdue = scan->overdue;
  return total;
}

}  // namespace gj::app
