-- Tables of the TV-service actions (mgqueue, mgprocessing, mgfreecleanup,
-- ukvfeeprocessing) that schema/ubapi.sql does not hold. Ubilling's names and
-- types (ubilling.sql), InnoDB so each per-subscriber unit is one transaction.

SET NAMES utf8;

CREATE TABLE IF NOT EXISTS `mg_tariffs` (
  `id` int NOT NULL AUTO_INCREMENT,
  `name` varchar(255) NOT NULL,
  `fee` double DEFAULT NULL,
  `serviceid` varchar(45) DEFAULT NULL,
  `primary` tinyint(1) NOT NULL DEFAULT '0',
  `freeperiod` tinyint(1) NOT NULL DEFAULT '0',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `mg_subscribers` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(255) NOT NULL,
  `tariffid` int NOT NULL,
  `actdate` datetime NOT NULL,
  `active` tinyint(1) NOT NULL DEFAULT '0',
  `primary` tinyint(1) NOT NULL DEFAULT '0',
  `freeperiod` tinyint(1) NOT NULL DEFAULT '0',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `mg_queue` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(255) NOT NULL,
  `date` datetime NOT NULL,
  `action` varchar(45) NOT NULL,
  `tariffid` int NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `mg_history` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(255) NOT NULL,
  `tariffid` int NOT NULL,
  `actdate` datetime NOT NULL,
  `freeperiod` tinyint(1) NOT NULL DEFAULT '0',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `ukv_fees` (
  `id` int NOT NULL AUTO_INCREMENT,
  `yearmonth` varchar(42) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `yearmonth` (`yearmonth`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- ukv_tariffs, ukv_users and ukv_payments (ukvfeeprocessing) are created by
-- ubapi-exhorse.sql, which loads first.
