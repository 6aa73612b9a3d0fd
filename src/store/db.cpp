// Backend-neutral parts of the seam: Row accessors, query_one, and open_database's dispatch.
#include "store/db.hpp"

#include <charconv>
#include <cstdio>

#include "store/migrations_embedded.hpp"
#include "store/postgres_db.hpp"
#include "store/sqlite_db.hpp"

namespace gj::store {

int64_t Row::i64(size_t i) const {
  const Value& v = cols.at(i);
  if (auto p = std::get_if<int64_t>(&v)) return *p;
  if (auto p = std::get_if<double>(&v)) return static_cast<int64_t>(*p);
  if (auto p = std::get_if<std::string>(&v)) {
    // Numeric text: PostgreSQL's bigint-as-text from some functions, or SQLite text affinity.
    int64_t out = 0;
    auto [ptr, ec] = std::from_chars(p->data(), p->data() + p->size(), out);
    if (ec == std::errc()) return out;
    return static_cast<int64_t>(std::strtod(p->c_str(), nullptr));
  }
  return 0;
}

double Row::f64(size_t i) const {
  const Value& v = cols.at(i);
  if (auto p = std::get_if<double>(&v)) return *p;
  if (auto p = std::get_if<int64_t>(&v)) return static_cast<double>(*p);
  if (auto p = std::get_if<std::string>(&v)) return std::strtod(p->c_str(), nullptr);
  return 0.0;
}

std::string Row::str(size_t i) const {
  const Value& v = cols.at(i);
  if (auto p = std::get_if<std::string>(&v)) return *p;
  if (auto p = std::get_if<int64_t>(&v)) return std::to_string(*p);
  if (auto p = std::get_if<double>(&v)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", *p);
    return buf;
  }
  return {};
}

std::optional<std::string> Row::opt_str(size_t i) const {
  if (is_null(i)) return std::nullopt;
  return str(i);
}

Result<Row> Session::query_one(std::string_view sql, const Params& params) {
  auto rows = query(sql, params);
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return make_error(ErrorCode::kNotFound);
  return std::move(rows->front());
}

WriterStats Database::writer_stats() const {
  return {};
}

Result<std::unique_ptr<Database>> open_database(const Options& options,
                                                std::shared_ptr<FaultInjector> faults) {
  const std::string& t = options.target;
  if (t.rfind("postgresql://", 0) == 0 || t.rfind("postgres://", 0) == 0) {
    return open_postgres(options, std::move(faults));
  }
  if (t.empty()) return make_error(ErrorCode::kBadRequest, "no database path given");
  return open_sqlite(options, std::move(faults));
}

const std::vector<Migration>& embedded_migrations(Backend backend) {
  return backend == Backend::kSqlite ? embedded::embedded_sqlite() : embedded::embedded_postgres();
}

}  // namespace gj::store
