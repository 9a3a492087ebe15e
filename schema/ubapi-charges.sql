-- Tables of the recurring-charge and freezing actions (vserviceschargefee,
-- discounts, autofreeze*, freezemonth, freezedayscharge, autocredit) that
-- schema/ubapi.sql does not already hold. Ubilling's names and types
-- (ubilling.sql), InnoDB so each per-user unit is one transaction.

SET NAMES utf8;

-- self-service credits (autofreeze param=nocredit)
CREATE TABLE IF NOT EXISTS `zbssclog` (
  `id` int NOT NULL AUTO_INCREMENT,
  `date` datetime NOT NULL,
  `login` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `date` (`date`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- custom fields (autocredit's day of month, cudiscounts' override percent)
CREATE TABLE IF NOT EXISTS `cftypes` (
  `id` int NOT NULL AUTO_INCREMENT,
  `type` varchar(15) NOT NULL,
  `name` varchar(255) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `cfitems` (
  `id` int NOT NULL AUTO_INCREMENT,
  `typeid` int NOT NULL,
  `login` varchar(255) NOT NULL,
  `content` text NOT NULL,
  PRIMARY KEY (`id`),
  KEY `login` (`login`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- limited freeze days (freezedayscharge)
CREATE TABLE IF NOT EXISTS `frozen_charge_days` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(255) NOT NULL,
  `freeze_days_amount` smallint NOT NULL DEFAULT '0',
  `freeze_days_used` smallint NOT NULL DEFAULT '0',
  `last_freeze_charge_dt` datetime NOT NULL,
  `work_days_restore` smallint NOT NULL DEFAULT '0',
  `days_worked` smallint NOT NULL DEFAULT '0',
  `last_workdays_upd_dt` datetime NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `login` (`login`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;
