-- ubapi's only new table (DECISIONS.md 17): the first reply to a call that
-- carried reqid=<token>, so that a retried call returns the stored reply
-- instead of running again. A row is inserted first as the claim (reply
-- NULL while the action runs), so of two concurrent retries only one runs.
-- Safe to load into a live Ubilling database:
-- it creates this one table and touches nothing else.

CREATE TABLE IF NOT EXISTS `ubapi_requests` (
  `action` varchar(64) NOT NULL,
  `reqid` varchar(128) NOT NULL,
  `reply` mediumtext NULL DEFAULT NULL,
  `content_type` varchar(64) NULL DEFAULT NULL,
  `created` datetime NOT NULL,
  PRIMARY KEY (`action`,`reqid`),
  KEY `created` (`created`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;
