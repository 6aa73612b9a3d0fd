// SQL of the 15-minute service circle 15分钟服务圈 (docs/access.md), portable between SQLite and
// PostgreSQL like sql.hpp. Bulk inserts are built from a `…VALUES` prefix by access_repo.cpp.
#pragma once

namespace gj::store::sql {

inline constexpr const char* kAccessTypeList =
    "SELECT code, name_zh, name_en, minutes, speed_kmh, osm, sort FROM access_facility_types "
    "ORDER BY sort, code";
inline constexpr const char* kAccessTypeGet =
    "SELECT code, name_zh, name_en, minutes, speed_kmh, osm, sort FROM access_facility_types "
    "WHERE code = $1";
inline constexpr const char* kAccessTypeUpdate =
    "UPDATE access_facility_types SET name_zh = $2, name_en = $3, minutes = $4 WHERE code = $1";

inline constexpr const char* kAccessNetworkInsert =
    "INSERT INTO access_networks(name, division_code, source_file, node_count, edge_count, "
    "min_lat, min_lon, max_lat, max_lon, imported_at, graph) "
    "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id";
inline constexpr const char* kAccessNetworkCurrent =
    "SELECT id, name, division_code, source_file, node_count, edge_count, min_lat, min_lon, "
    "max_lat, max_lon, imported_at FROM access_networks ORDER BY id DESC LIMIT 1";
inline constexpr const char* kAccessNetworkGraph =
    "SELECT graph FROM access_networks WHERE id = $1";
// Older versions keep their row (history) but not their graph or homes.
inline constexpr const char* kAccessNetworkDropOldGraphs =
    "UPDATE access_networks SET graph = '' WHERE id <> $1";
inline constexpr const char* kAccessResidencesDropOld =
    "DELETE FROM access_residences WHERE network_id <> $1";

inline constexpr const char* kAccessFacilityColumns =
    "id, division_code, source, source_ref, type, name, lat, lon, opening_hours, updated_at";
inline constexpr const char* kAccessFacilityInsert =
    "INSERT INTO access_facilities(division_code, source, source_ref, type, name, lat, lon, "
    "opening_hours, updated_at) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
inline constexpr const char* kAccessFacilityBulkPrefix =
    "INSERT INTO access_facilities(division_code, source, source_ref, type, name, lat, lon, "
    "opening_hours, updated_at) VALUES";
inline constexpr const char* kAccessFacilityUpdate =
    "UPDATE access_facilities SET type = $2, name = $3, lat = $4, lon = $5, opening_hours = $6, "
    "updated_at = $7 WHERE id = $1";
inline constexpr const char* kAccessFacilityDelete = "DELETE FROM access_facilities WHERE id = $1";
inline constexpr const char* kAccessFacilityGet =
    "SELECT id, division_code, source, source_ref, type, name, lat, lon, opening_hours, "
    "updated_at FROM access_facilities WHERE id = $1";
// In a scope range [$1, $2), a bounding box, and optionally one type ($7 = '' for all).
inline constexpr const char* kAccessFacilityList =
    "SELECT id, division_code, source, source_ref, type, name, lat, lon, opening_hours, "
    "updated_at FROM access_facilities WHERE division_code >= $1 AND division_code < $2 "
    "AND lat >= $3 AND lat <= $4 AND lon >= $5 AND lon <= $6 AND ($7 = '' OR type = $7) "
    "ORDER BY type, id LIMIT $8";
inline constexpr const char* kAccessFacilityAll =
    "SELECT id, division_code, source, source_ref, type, name, lat, lon, opening_hours, "
    "updated_at FROM access_facilities ORDER BY id";
inline constexpr const char* kAccessFacilityDeleteOsm =
    "DELETE FROM access_facilities WHERE source = 'osm' AND division_code = $1";

// Grids 网格 in use with a boundary inside a scope range [$1, $2): homes are assigned to them.
inline constexpr const char* kAccessGridPolygons =
    "SELECT code, polygon FROM grids WHERE code >= $1 AND code < $2 AND polygon IS NOT NULL "
    "AND retired_at IS NULL ORDER BY code";
inline constexpr const char* kAccessResidenceBulkPrefix =
    "INSERT INTO access_residences(network_id, osm_id, lat, lon, households, unit, source) VALUES";
inline constexpr const char* kAccessResidenceList =
    "SELECT id, network_id, osm_id, lat, lon, households, unit, source FROM access_residences "
    "WHERE network_id = $1 AND source = $2 ORDER BY id";
inline constexpr const char* kAccessResidenceDropSource =
    "DELETE FROM access_residences WHERE network_id = $1 AND source = $2";
inline constexpr const char* kAccessResidenceRenameSource =
    "UPDATE access_residences SET source = $3 WHERE network_id = $1 AND source = $2";

// Registered households 登记住户 (migration 0012): address, location, size.
inline constexpr const char* kAccessHouseholdBulkPrefix =
    "INSERT INTO access_households(grid_code, address, lat, lon, members, updated_at) VALUES";
inline constexpr const char* kAccessHouseholdList =
    "SELECT id, grid_code, address, lat, lon, members, updated_at FROM access_households "
    "WHERE grid_code >= $1 AND grid_code < $2 ORDER BY id LIMIT $3 OFFSET $4";
inline constexpr const char* kAccessHouseholdCount =
    "SELECT COUNT(*) FROM access_households WHERE grid_code >= $1 AND grid_code < $2";
inline constexpr const char* kAccessHouseholdMove =
    "UPDATE access_households SET grid_code = $2, updated_at = $3 WHERE id = $1";
inline constexpr const char* kAccessHouseholdDeleteScope =
    "DELETE FROM access_households WHERE grid_code >= $1 AND grid_code < $2";
inline constexpr const char* kAccessGridCodes =
    "SELECT code FROM grids WHERE code >= $1 AND code < $2 AND retired_at IS NULL ORDER BY code";

// Jobs (migration 0012): a run started from the page or the CLI, with its progress.
inline constexpr const char* kAccessJobColumns =
    "id, kind, division_code, status, stage, done, total, message, run_id, created_by, "
    "created_at, updated_at, finished_at";
inline constexpr const char* kAccessJobInsert =
    "INSERT INTO access_jobs(kind, division_code, status, created_by, created_at, updated_at) "
    "VALUES($1, $2, 'queued', $3, $4, $4) RETURNING id";
inline constexpr const char* kAccessJobProgress =
    "UPDATE access_jobs SET status = 'running', stage = $2, done = $3, total = $4, "
    "updated_at = $5 WHERE id = $1";
inline constexpr const char* kAccessJobFinish =
    "UPDATE access_jobs SET status = $2, message = $3, run_id = $4, updated_at = $5, "
    "finished_at = $5 WHERE id = $1";
inline constexpr const char* kAccessJobGet =
    "SELECT id, kind, division_code, status, stage, done, total, message, run_id, created_by, "
    "created_at, updated_at, finished_at FROM access_jobs WHERE id = $1";
inline constexpr const char* kAccessJobLatest =
    "SELECT id, kind, division_code, status, stage, done, total, message, run_id, created_by, "
    "created_at, updated_at, finished_at FROM access_jobs WHERE division_code = $1 "
    "ORDER BY id DESC LIMIT 1";
// Jobs a stopped server left behind: they can no longer finish.
inline constexpr const char* kAccessJobFailUnfinished =
    "UPDATE access_jobs SET status = 'failed', message = $1, updated_at = $2, finished_at = $2 "
    "WHERE status IN ('queued', 'running')";

inline constexpr const char* kAccessRunInsert =
    "INSERT INTO access_runs(network_id, started_at, status, params, types, homes) "
    "VALUES($1, $2, 'running', $3, $4, $5) RETURNING id";
inline constexpr const char* kAccessRunFinish =
    "UPDATE access_runs SET status = $2, finished_at = $3, message = $4 WHERE id = $1";
inline constexpr const char* kAccessRunLatestDone =
    "SELECT id, network_id, started_at, finished_at, status, params, types, message, homes "
    "FROM access_runs WHERE status = 'done' ORDER BY id DESC LIMIT 1";
inline constexpr const char* kAccessRunList =
    "SELECT id, network_id, started_at, finished_at, status, params, types, message, homes "
    "FROM access_runs ORDER BY id DESC LIMIT $1";

// A new run's results replace the previous ones in the same transaction.
inline constexpr const char* kAccessMinutesDropOthers =
    "DELETE FROM access_residence_minutes WHERE run_id <> $1";
inline constexpr const char* kAccessCoverageDropOthers =
    "DELETE FROM access_coverage WHERE run_id <> $1";
inline constexpr const char* kAccessGapsDropOthers = "DELETE FROM access_gaps WHERE run_id <> $1";
inline constexpr const char* kAccessMinutesBulkPrefix =
    "INSERT INTO access_residence_minutes(run_id, residence_id, minutes) VALUES";
inline constexpr const char* kAccessCoverageBulkPrefix =
    "INSERT INTO access_coverage(run_id, level, unit, type, residences, households, r5, r10, "
    "r15, h5, h10, h15, median_m, cutoff_min, r_cut, h_cut) VALUES";
inline constexpr const char* kAccessGapBulkPrefix =
    "INSERT INTO access_gaps(run_id, type, cell_x, cell_y, lat, lon, residences, households) "
    "VALUES";
inline constexpr const char* kAccessCoverageList =
    "SELECT level, unit, type, residences, households, r5, r10, r15, h5, h10, h15, median_m, "
    "cutoff_min, r_cut, h_cut FROM access_coverage WHERE run_id = $1 ORDER BY level, unit, type";
inline constexpr const char* kAccessGapList =
    "SELECT type, cell_x, cell_y, lat, lon, residences, households FROM access_gaps "
    "WHERE run_id = $1 AND ($2 = '' OR type = $2) ORDER BY households DESC, type, cell_x, cell_y "
    "LIMIT $3";
inline constexpr const char* kAccessPoints =
    "SELECT r.id, r.lat, r.lon, r.households, m.minutes FROM access_residences r "
    "JOIN access_residence_minutes m ON m.residence_id = r.id AND m.run_id = $1 ORDER BY r.id";

}  // namespace gj::store::sql
