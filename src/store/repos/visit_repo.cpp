#include "store/repos/visit_repo.hpp"

#include "domain/org/division.hpp"

namespace gj::store {
namespace {

constexpr const char* kColumns =
    "SELECT id, client_key, body_hash, grid_code, worker_id, worker_name, household, kind, note, "
    "lat, lon, visited_at, created_at FROM visits";
constexpr const char* kInsert =
    "INSERT INTO visits(client_key, body_hash, grid_code, worker_id, worker_name, household, "
    "kind, note, lat, lon, visited_at, created_at) "
    "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id";
// Grid codes sort under their ancestors, so a scope is one key range of the index.
constexpr const char* kWhere =
    " WHERE grid_code >= $1 AND grid_code < $2 AND visited_at >= $3 "
    "AND visited_at <= $4";

Value opt(const std::optional<double>& v) {
  return v ? Value(*v) : Value(nullptr);
}

VisitRow to_row(const Row& r) {
  VisitRow v;
  v.id = r.i64(0);
  v.client_key = r.opt_str(1);
  v.body_hash = r.str(2);
  v.grid_code = r.str(3);
  v.worker_id = r.i64(4);
  v.worker_name = r.str(5);
  v.household = r.str(6);
  v.kind = r.str(7);
  v.note = r.str(8);
  if (!r.is_null(9)) v.lat = r.f64(9);
  if (!r.is_null(10)) v.lon = r.f64(10);
  v.visited_at = r.i64(11);
  v.created_at = r.i64(12);
  return v;
}

}  // namespace

namespace visits {

Result<int64_t> insert(Session& s, const VisitRow& v) {
  auto r = s.query_one(kInsert, {v.client_key ? Value(*v.client_key) : Value(nullptr), v.body_hash,
                                 v.grid_code, v.worker_id, v.worker_name, v.household, v.kind,
                                 v.note, opt(v.lat), opt(v.lon), v.visited_at, v.created_at});
  if (!r.ok()) return r.error();
  return r->i64(0);
}

Result<VisitRow> get(Session& s, int64_t id) {
  auto r = s.query_one(std::string(kColumns) + " WHERE id = $1", {id});
  if (!r.ok()) return r.error();
  return to_row(*r);
}

Result<VisitRow> by_client_key(Session& s, const std::string& key) {
  auto r = s.query_one(std::string(kColumns) + " WHERE client_key = $1", {key});
  if (!r.ok()) return r.error();
  return to_row(*r);
}

Result<Page<VisitRow>> list(Session& s, const VisitFilter& f) {
  auto [lo, hi] = org::scope_range(f.scope_code);
  Params p{lo, hi, f.from, f.to};
  auto n = s.query_one(std::string("SELECT COUNT(*) FROM visits") + kWhere, p);
  if (!n.ok()) return n.error();
  Page<VisitRow> out;
  out.total = n->i64(0);
  p.push_back(int64_t{f.page_size});
  p.push_back(int64_t{(f.page - 1)} * f.page_size);
  auto rows = s.query(
      std::string(kColumns) + kWhere + " ORDER BY visited_at DESC, id DESC LIMIT $5 OFFSET $6", p);
  if (!rows.ok()) return rows.error();
  for (const auto& r : *rows) out.items.push_back(to_row(r));
  return out;
}

}  // namespace visits
}  // namespace gj::store
