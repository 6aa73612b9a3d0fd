-- The requester turned their progress updates off 关闭进度通知 on the tracking page (with the
-- last 4 digits of their phone, as for a rating): no SMS or e-mail goes to them for this request
-- any more, including a merged case's outcome; the tracking page still shows every step. 0: on.
ALTER TABLE tickets ADD COLUMN requester_updates_off INTEGER NOT NULL DEFAULT 0;
