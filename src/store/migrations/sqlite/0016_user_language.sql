-- Per-user notification language 通知语言 (docs/notifications.md): the staff e-mails of a user
-- are rendered from the zh-CN or en templates. Existing users keep Chinese, the product's first
-- language; the deployment's unit webhooks stay zh-CN.
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'zh-CN'
  CHECK (language IN ('zh-CN', 'en'));
