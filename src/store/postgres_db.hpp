// Internal: the PostgreSQL 15 backend (libpq).
#pragma once

#include <memory>

#include "store/db.hpp"

namespace gj::store {
Result<std::unique_ptr<Database>> open_postgres(const Options& options,
                                                std::shared_ptr<FaultInjector> faults);
}  // namespace gj::store
