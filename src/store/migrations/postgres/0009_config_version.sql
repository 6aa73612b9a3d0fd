-- Configuration editing (issue 3, 配置管理): one version row, bumped in the same transaction as
-- every edit of the categories, the responsibility matrix 责任清单, the SLA tiers 时限档 or the
-- holiday calendar 节假日. Each node reads it at most once a second and reloads its routing and
-- deadline configuration when it changed, so an edit reaches every node without a restart.
CREATE TABLE config_version (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  version    BIGINT NOT NULL,
  updated_at BIGINT NOT NULL DEFAULT 0,             -- epoch ms of the last edit
  updated_by TEXT NOT NULL DEFAULT ''               -- who made it (user name, or cli)
);
INSERT INTO config_version(id, version) VALUES (1, 1);
