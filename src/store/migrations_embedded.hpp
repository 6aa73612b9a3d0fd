// Internal: the generated table of embedded migrations (embed_migrations.cmake writes the .cpp).
#pragma once

#include <vector>

#include "store/db.hpp"

namespace gj::store::embedded {
const std::vector<Migration>& embedded_sqlite();
const std::vector<Migration>& embedded_postgres();
}  // namespace gj::store::embedded
