// Internal: the embedded SQLite backend (one file, WAL, synchronous=FULL).
#pragma once

#include <memory>

#include "store/db.hpp"

namespace gj::store {
Result<std::unique_ptr<Database>> open_sqlite(const Options& options,
                                              std::shared_ptr<FaultInjector> faults);
}  // namespace gj::store
