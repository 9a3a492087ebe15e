-- Tables of the scheduler family (friendshipdaily, crimeandpunishment, ddt,
-- pt, karmaguard, dealwithit), with Ubilling's names and column types from
-- ubilling.sql. InnoDB instead of MyISAM so a task's or a charge's rows
-- commit together with its money change (DECISIONS 15).

SET NAMES utf8;

CREATE TABLE IF NOT EXISTS `friendship` (
  `id` int NOT NULL AUTO_INCREMENT,
  `friend` varchar(255) NOT NULL,
  `parent` varchar(255) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `friend` (`friend`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `capdata` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(255) NOT NULL,
  `date` datetime DEFAULT NULL,
  `days` int DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `login` (`login`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `pt_tariffs` (
  `id` int NOT NULL AUTO_INCREMENT,
  `tariff` varchar(40) NOT NULL,
  `fee` double DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `pt_users` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(64) NOT NULL,
  `day` int DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `pt_log` (
  `id` int NOT NULL AUTO_INCREMENT,
  `date` datetime NOT NULL,
  `login` varchar(64) NOT NULL,
  `tariff` varchar(40) NOT NULL,
  `day` int DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `ddt_options` (
  `id` int NOT NULL AUTO_INCREMENT,
  `tariffname` varchar(40) NOT NULL,
  `period` varchar(10) NOT NULL,
  `startnow` tinyint NOT NULL,
  `duration` int NOT NULL,
  `chargefee` tinyint NOT NULL,
  `chargeuntilday` int DEFAULT NULL,
  `setcredit` tinyint DEFAULT NULL,
  `tariffmove` varchar(40) NOT NULL,
  `chargeabsolute` int DEFAULT '0',
  `creditcustom` int DEFAULT '0',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `ddt_users` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(32) NOT NULL,
  `active` tinyint NOT NULL,
  `startdate` datetime NOT NULL,
  `curtariff` varchar(40) NOT NULL,
  `enddate` date NOT NULL,
  `nexttariff` varchar(40) NOT NULL,
  `dwiid` int NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `ddt_chargeopts` (
  `id` int NOT NULL AUTO_INCREMENT,
  `tariff` varchar(40) NOT NULL,
  `untilday` int DEFAULT NULL,
  `chargefee` tinyint NOT NULL,
  `absolute` int DEFAULT NULL,
  `creditdays` int NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `ddt_charges` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(32) NOT NULL,
  `chargedate` date NOT NULL,
  `tariff` varchar(40) NOT NULL,
  `summ` double NOT NULL DEFAULT '0',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `userreg` (
  `id` int NOT NULL AUTO_INCREMENT,
  `date` datetime NOT NULL,
  `admin` varchar(45) NOT NULL,
  `login` varchar(45) NOT NULL,
  `address` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `date` (`date`),
  KEY `login` (`login`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `dealwithit` (
  `id` int NOT NULL AUTO_INCREMENT,
  `date` date NOT NULL,
  `login` varchar(45) NOT NULL,
  `action` varchar(45) NOT NULL,
  `param` varchar(45) DEFAULT NULL,
  `note` varchar(45) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `dealwithithist` (
  `id` int NOT NULL AUTO_INCREMENT,
  `originalid` int NOT NULL,
  `mtime` datetime NOT NULL,
  `date` date NOT NULL,
  `datetimedone` datetime DEFAULT NULL,
  `login` varchar(45) NOT NULL,
  `action` varchar(45) NOT NULL,
  `param` varchar(45) DEFAULT NULL,
  `note` varchar(45) DEFAULT NULL,
  `admin` varchar(50) DEFAULT NULL,
  `done` tinyint(1) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `userspeeds` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(255) NOT NULL,
  `speed` int NOT NULL,
  PRIMARY KEY (`id`),
  KEY `speed` (`speed`),
  KEY `login` (`login`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

