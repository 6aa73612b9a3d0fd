-- How the requester 诉求人 is told of progress (issue 3 items 2 and 9): an optional e-mail
-- (personal data, like the phone: masked in lists, full only in the audited contact read) and
-- the language of their updates, zh-CN or en (the intake form's language). Without an e-mail
-- the updates go to the phone through the SMS gateway, when one is configured.
ALTER TABLE tickets ADD COLUMN requester_email TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN requester_language TEXT NOT NULL DEFAULT 'zh-CN';
