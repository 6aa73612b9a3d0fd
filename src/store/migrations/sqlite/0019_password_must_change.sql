-- An account made with a generated initial password (`gongjian user import`, 用户管理 → 批量导入)
-- must choose its own at the first sign-in: the web UI sends it to 个人设置 until it has.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
