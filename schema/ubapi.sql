-- ubapi's own schema: every Ubilling and Stargazer table ubapi touches,
-- with Ubilling's exact table names, column names and types (copied from
-- Ubilling's stargazer.sql and ubilling.sql) so that the same SQL runs on
-- this schema and on a real Ubilling database.
--
-- Differences from the real schema, on purpose:
--  * ENGINE=InnoDB instead of MyISAM, so that one money operation (billing
--    change + payments row + weblog) is one transaction (DECISIONS.md 15).
--  * The FULLTEXT keys of weblogs.event and ubstorage.value are left out:
--    ubapi never searches those texts, and InnoDB full-text indexes cost
--    hidden tables and work on every commit.
--  * CREATE TABLE IF NOT EXISTS, so loading it twice is harmless.
--
-- ubapi's only new table, ubapi_requests, is in ubapi_requests.sql; load
-- both files:  mariadb DB < schema/ubapi.sql && mariadb DB < schema/ubapi_requests.sql
-- On a real Ubilling install load only ubapi_requests.sql.

SET NAMES utf8;

-- Stargazer's tables (stargazer.sql)

CREATE TABLE IF NOT EXISTS `users` (
  `login` varchar(50) NOT NULL DEFAULT '',
  `Password` varchar(150) NOT NULL DEFAULT '*',
  `Passive` int(3) DEFAULT '0',
  `Down` int(3) DEFAULT '0',
  `DisabledDetailStat` int(3) DEFAULT '0',
  `AlwaysOnline` int(3) DEFAULT '0',
  `Tariff` varchar(40) NOT NULL DEFAULT '',
  `Address` varchar(254) NOT NULL DEFAULT '',
  `Phone` varchar(128) NOT NULL DEFAULT '',
  `Email` varchar(50) NOT NULL DEFAULT '',
  `Note` text NOT NULL,
  `RealName` varchar(254) NOT NULL DEFAULT '',
  `StgGroup` varchar(40) NOT NULL DEFAULT '',
  `Credit` double DEFAULT '0',
  `TariffChange` varchar(40) NOT NULL DEFAULT '',
  `Userdata0` varchar(254) NOT NULL,
  `Userdata1` varchar(254) NOT NULL,
  `Userdata2` varchar(254) NOT NULL,
  `Userdata3` varchar(254) NOT NULL,
  `Userdata4` varchar(254) NOT NULL,
  `Userdata5` varchar(254) NOT NULL,
  `Userdata6` varchar(254) NOT NULL,
  `Userdata7` varchar(254) NOT NULL,
  `Userdata8` varchar(254) NOT NULL,
  `Userdata9` varchar(254) NOT NULL,
  `CreditExpire` int(11) DEFAULT '0',
  `IP` varchar(254) DEFAULT '*',
  `D0` bigint(30) DEFAULT '0',
  `U0` bigint(30) DEFAULT '0',
  `D1` bigint(30) DEFAULT '0',
  `U1` bigint(30) DEFAULT '0',
  `D2` bigint(30) DEFAULT '0',
  `U2` bigint(30) DEFAULT '0',
  `D3` bigint(30) DEFAULT '0',
  `U3` bigint(30) DEFAULT '0',
  `D4` bigint(30) DEFAULT '0',
  `U4` bigint(30) DEFAULT '0',
  `D5` bigint(30) DEFAULT '0',
  `U5` bigint(30) DEFAULT '0',
  `D6` bigint(30) DEFAULT '0',
  `U6` bigint(30) DEFAULT '0',
  `D7` bigint(30) DEFAULT '0',
  `U7` bigint(30) DEFAULT '0',
  `D8` bigint(30) DEFAULT '0',
  `U8` bigint(30) DEFAULT '0',
  `D9` bigint(30) DEFAULT '0',
  `U9` bigint(30) DEFAULT '0',
  `Cash` double DEFAULT '0',
  `FreeMb` double DEFAULT '0',
  `LastCashAdd` double DEFAULT '0',
  `LastCashAddTime` int(11) DEFAULT '0',
  `PassiveTime` int(11) DEFAULT '0',
  `LastActivityTime` int(11) DEFAULT '0',
  `NAS` varchar(17) NOT NULL,
  PRIMARY KEY (`login`),
  KEY `AlwaysOnline` (`AlwaysOnline`),
  KEY `IP` (`IP`),
  KEY `Address` (`Address`),
  KEY `Tariff` (`Tariff`),
  KEY `Phone` (`Phone`),
  KEY `Email` (`Email`),
  KEY `RealName` (`RealName`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `tariffs` (
  `name` varchar(40) NOT NULL DEFAULT '',
  `PriceDayA0` double DEFAULT '0',
  `PriceDayB0` double DEFAULT '0',
  `PriceNightA0` double DEFAULT '0',
  `PriceNightB0` double DEFAULT '0',
  `Threshold0` int(11) DEFAULT '0',
  `Time0` varchar(15) DEFAULT '0:0-0:0',
  `NoDiscount0` int(11) DEFAULT '0',
  `SinglePrice0` int(11) DEFAULT '0',
  `PriceDayA1` double DEFAULT '0',
  `PriceDayB1` double DEFAULT '0',
  `PriceNightA1` double DEFAULT '0',
  `PriceNightB1` double DEFAULT '0',
  `Threshold1` int(11) DEFAULT '0',
  `Time1` varchar(15) DEFAULT '0:0-0:0',
  `NoDiscount1` int(11) DEFAULT '0',
  `SinglePrice1` int(11) DEFAULT '0',
  `PriceDayA2` double DEFAULT '0',
  `PriceDayB2` double DEFAULT '0',
  `PriceNightA2` double DEFAULT '0',
  `PriceNightB2` double DEFAULT '0',
  `Threshold2` int(11) DEFAULT '0',
  `Time2` varchar(15) DEFAULT '0:0-0:0',
  `NoDiscount2` int(11) DEFAULT '0',
  `SinglePrice2` int(11) DEFAULT '0',
  `PriceDayA3` double DEFAULT '0',
  `PriceDayB3` double DEFAULT '0',
  `PriceNightA3` double DEFAULT '0',
  `PriceNightB3` double DEFAULT '0',
  `Threshold3` int(11) DEFAULT '0',
  `Time3` varchar(15) DEFAULT '0:0-0:0',
  `NoDiscount3` int(11) DEFAULT '0',
  `SinglePrice3` int(11) DEFAULT '0',
  `PriceDayA4` double DEFAULT '0',
  `PriceDayB4` double DEFAULT '0',
  `PriceNightA4` double DEFAULT '0',
  `PriceNightB4` double DEFAULT '0',
  `Threshold4` int(11) DEFAULT '0',
  `Time4` varchar(15) DEFAULT '0:0-0:0',
  `NoDiscount4` int(11) DEFAULT '0',
  `SinglePrice4` int(11) DEFAULT '0',
  `PriceDayA5` double DEFAULT '0',
  `PriceDayB5` double DEFAULT '0',
  `PriceNightA5` double DEFAULT '0',
  `PriceNightB5` double DEFAULT '0',
  `Threshold5` int(11) DEFAULT '0',
  `Time5` varchar(15) DEFAULT '0:0-0:0',
  `NoDiscount5` int(11) DEFAULT '0',
  `SinglePrice5` int(11) DEFAULT '0',
  `PriceDayA6` double DEFAULT '0',
  `PriceDayB6` double DEFAULT '0',
  `PriceNightA6` double DEFAULT '0',
  `PriceNightB6` double DEFAULT '0',
  `Threshold6` int(11) DEFAULT '0',
  `Time6` varchar(15) DEFAULT '0:0-0:0',
  `NoDiscount6` int(11) DEFAULT '0',
  `SinglePrice6` int(11) DEFAULT '0',
  `PriceDayA7` double DEFAULT '0',
  `PriceDayB7` double DEFAULT '0',
  `PriceNightA7` double DEFAULT '0',
  `PriceNightB7` double DEFAULT '0',
  `Threshold7` int(11) DEFAULT '0',
  `Time7` varchar(15) DEFAULT '0:0-0:0',
  `NoDiscount7` int(11) DEFAULT '0',
  `SinglePrice7` int(11) DEFAULT '0',
  `PriceDayA8` double DEFAULT '0',
  `PriceDayB8` double DEFAULT '0',
  `PriceNightA8` double DEFAULT '0',
  `PriceNightB8` double DEFAULT '0',
  `Threshold8` int(11) DEFAULT '0',
  `Time8` varchar(15) DEFAULT '0:0-0:0',
  `NoDiscount8` int(11) DEFAULT '0',
  `SinglePrice8` int(11) DEFAULT '0',
  `PriceDayA9` double DEFAULT '0',
  `PriceDayB9` double DEFAULT '0',
  `PriceNightA9` double DEFAULT '0',
  `PriceNightB9` double DEFAULT '0',
  `Threshold9` int(11) DEFAULT '0',
  `Time9` varchar(15) DEFAULT '0:0-0:0',
  `NoDiscount9` int(11) DEFAULT '0',
  `SinglePrice9` int(11) DEFAULT '0',
  `PassiveCost` double DEFAULT '0',
  `Fee` double DEFAULT '0',
  `Free` double DEFAULT '0',
  `TraffType` varchar(10) DEFAULT '',
  `period` varchar(32) NOT NULL DEFAULT 'month',
  `change_policy` varchar(32) NOT NULL DEFAULT 'allow',
  `change_policy_timeout` timestamp NOT NULL DEFAULT '0000-00-00 00:00:00',
  PRIMARY KEY (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- Ubilling's tables (ubilling.sql)

CREATE TABLE IF NOT EXISTS `ubstats` (
  `id` int NOT NULL AUTO_INCREMENT,
  `key` varchar(40) DEFAULT NULL,
  `value` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `weblogs` (
  `id` int NOT NULL AUTO_INCREMENT,
  `date` datetime NOT NULL,
  `admin` varchar(45) DEFAULT NULL,
  `ip` varchar(64) DEFAULT NULL,
  `event` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `date` (`date`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `ubstorage` (
  `id` int NOT NULL AUTO_INCREMENT,
  `key` varchar(255) DEFAULT NULL,
  `value` longtext CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci,
  PRIMARY KEY (`id`),
  KEY `key` (`key`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `payments` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(45) NOT NULL,
  `date` datetime NOT NULL,
  `admin` varchar(255) DEFAULT NULL,
  `balance` varchar(45) NOT NULL,
  `summ` varchar(45) NOT NULL,
  `cashtypeid` int NOT NULL,
  `note` varchar(200) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `login` (`login`),
  KEY `date` (`date`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `paymentscorr` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(45) NOT NULL,
  `date` datetime NOT NULL,
  `admin` varchar(255) DEFAULT NULL,
  `balance` varchar(45) NOT NULL,
  `summ` varchar(45) NOT NULL,
  `cashtypeid` int NOT NULL,
  `note` varchar(200) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `login` (`login`),
  KEY `date` (`date`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `realname` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(45) DEFAULT NULL,
  `realname` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `login` (`login`),
  KEY `realname` (`realname`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `phones` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(45) DEFAULT NULL,
  `phone` varchar(255) DEFAULT NULL,
  `mobile` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `phone` (`phone`),
  KEY `mobile` (`mobile`),
  KEY `login` (`login`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `contracts` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(45) NOT NULL,
  `contract` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `login` (`login`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `emails` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(45) NOT NULL,
  `email` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `login` (`login`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `nethosts` (
  `id` int NOT NULL AUTO_INCREMENT,
  `netid` int NOT NULL,
  `ip` varchar(45) NOT NULL,
  `mac` varchar(45) DEFAULT NULL,
  `option` varchar(45) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `net-ip` (`netid`,`ip`),
  KEY `netid` (`netid`),
  KEY `ip` (`ip`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `city` (
  `id` int NOT NULL AUTO_INCREMENT,
  `cityname` varchar(255) NOT NULL,
  `cityalias` varchar(45) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `cityname` (`cityname`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `street` (
  `id` int NOT NULL AUTO_INCREMENT,
  `cityid` int NOT NULL,
  `streetname` varchar(255) NOT NULL,
  `streetalias` varchar(45) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `cityid` (`cityid`),
  KEY `streetname` (`streetname`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `build` (
  `id` int NOT NULL AUTO_INCREMENT,
  `streetid` int NOT NULL,
  `buildnum` varchar(10) NOT NULL,
  `geo` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `buildnum` (`buildnum`),
  KEY `streetid` (`streetid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `apt` (
  `id` int NOT NULL AUTO_INCREMENT,
  `buildid` int NOT NULL,
  `entrance` varchar(15) DEFAULT NULL,
  `floor` varchar(15) DEFAULT NULL,
  `apt` varchar(5) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `apt` (`apt`),
  KEY `buildid` (`buildid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `address` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(45) NOT NULL,
  `aptid` int NOT NULL,
  PRIMARY KEY (`id`),
  KEY `login` (`login`),
  KEY `aptid` (`aptid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `tags` (
  `id` int NOT NULL AUTO_INCREMENT,
  `tagid` int NOT NULL,
  `login` varchar(45) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `tagtypes` (
  `id` int NOT NULL AUTO_INCREMENT,
  `tagname` varchar(255) NOT NULL,
  `tagcolor` varchar(15) NOT NULL,
  `tagsize` int NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `vservices` (
  `id` int NOT NULL AUTO_INCREMENT,
  `tagid` int NOT NULL,
  `price` double NOT NULL DEFAULT '0',
  `cashtype` varchar(40) NOT NULL,
  `priority` int NOT NULL,
  `fee_charge_always` tinyint(1) NOT NULL DEFAULT '1',
  `charge_period_days` tinyint NOT NULL DEFAULT '0',
  `exclude_tags` varchar(255) NOT NULL DEFAULT '',
  `archived` tinyint(1) NOT NULL DEFAULT '0',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `vcash` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(255) NOT NULL,
  `cash` int NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `vcashlog` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(45) NOT NULL,
  `date` datetime NOT NULL,
  `balance` varchar(45) NOT NULL,
  `summ` varchar(45) NOT NULL,
  `cashtypeid` int NOT NULL,
  `note` varchar(45) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `login` (`login`),
  KEY `date` (`date`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `cardbank` (
  `id` int NOT NULL AUTO_INCREMENT,
  `serial` varchar(255) NOT NULL,
  `cash` varchar(45) NOT NULL,
  `admin` varchar(45) NOT NULL,
  `date` datetime NOT NULL,
  `active` tinyint(1) NOT NULL,
  `used` tinyint(1) NOT NULL,
  `usedate` datetime DEFAULT NULL,
  `usedlogin` varchar(45) NOT NULL,
  `usedip` varchar(45) DEFAULT NULL,
  `part` varchar(255) DEFAULT NULL,
  `receipt_date` datetime DEFAULT NULL,
  `selling_id` int DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `serial` (`serial`),
  KEY `part` (`part`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `mlg_culpas` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(64) NOT NULL,
  `culpa` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `login` (`login`),
  KEY `culpa` (`culpa`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `contrahens` (
  `id` int NOT NULL AUTO_INCREMENT,
  `bankacc` varchar(255) DEFAULT NULL,
  `bankname` varchar(255) DEFAULT NULL,
  `bankcode` varchar(255) DEFAULT NULL,
  `edrpo` varchar(255) DEFAULT NULL,
  `ipn` varchar(255) DEFAULT NULL,
  `licensenum` varchar(255) DEFAULT NULL,
  `juraddr` varchar(255) DEFAULT NULL,
  `phisaddr` varchar(255) DEFAULT NULL,
  `phone` varchar(255) DEFAULT NULL,
  `contrname` varchar(255) NOT NULL,
  `agnameabbr` varchar(255) DEFAULT NULL,
  `agsignatory` varchar(255) DEFAULT NULL,
  `agsignatory2` varchar(255) DEFAULT NULL,
  `agbasis` varchar(255) DEFAULT NULL,
  `agmail` varchar(100) DEFAULT NULL,
  `siteurl` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `ahenassign` (
  `id` int NOT NULL AUTO_INCREMENT,
  `ahenid` int NOT NULL,
  `streetname` varchar(255) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `ahenassignstrict` (
  `id` int NOT NULL AUTO_INCREMENT,
  `agentid` int NOT NULL,
  `login` varchar(255) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `login` (`login`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `switches` (
  `id` int NOT NULL AUTO_INCREMENT,
  `modelid` int NOT NULL,
  `ip` varchar(45) DEFAULT NULL,
  `desc` varchar(255) NOT NULL,
  `location` varchar(255) DEFAULT NULL,
  `snmp` varchar(45) DEFAULT NULL,
  `geo` varchar(255) DEFAULT NULL,
  `parentid` int DEFAULT NULL,
  `swid` varchar(32) DEFAULT NULL,
  `snmpwrite` varchar(45) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `parentid` (`parentid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `switchmodels` (
  `id` int NOT NULL AUTO_INCREMENT,
  `modelname` varchar(255) NOT NULL,
  `ports` int DEFAULT NULL,
  `snmptemplate` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `cudiscounts` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(255) NOT NULL,
  `discount` double DEFAULT NULL,
  `date` datetime DEFAULT NULL,
  `days` int DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `login` (`login`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `discounts` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(64) NOT NULL,
  `percent` double DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `login` (`login`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

